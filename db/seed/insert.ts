import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../src/schema.ts';

/**
 * Rows per INSERT. SQLite caps bound variables per statement (32,766 in current builds, 999 in
 * old ones); 200 rows of at most 8 columns stays far below the first and keeps statements small.
 */
const CHUNK_SIZE = 200;

/** Inserts rows in multi-row INSERTs of CHUNK_SIZE, in order (parents before children). */
export async function insertChunked<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_SIZE) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK_SIZE))
      .execute();
  }
}
