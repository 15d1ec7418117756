import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  SqliteDialect,
  sql,
  type MigrationProvider,
  type SqliteDatabase,
} from 'kysely';
import { migrations } from '../migrations/index.ts';
import type { Database } from './schema.ts';

export type * from './schema.ts';
export { backupDatabase } from './backup.ts';
export type Db = Kysely<Database>;

/**
 * Opens the SQLite database with the settings every connection needs: write-ahead log,
 * foreign keys enforced, a busy timeout instead of immediate SQLITE_BUSY, and NORMAL sync
 * (safe with WAL: a power cut can lose the last commits, never corrupt the file), and secure
 * delete.
 */
export function createDb(filename: string): Db {
  const sqlite = new SQLite(filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // Deleted rows are overwritten, not just unlinked: closing a wave must leave no answer behind.
  sqlite.pragma('secure_delete = ON');
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
}

/**
 * Kysely prepares every query afresh; preparing costs more than running most of ours. The
 * same SQL text gets the same prepared statement (better-sqlite3 runs them synchronously, so
 * one statement is never in use twice at once). Bounded, oldest first out.
 */
export function withStatementCache(sqlite: SQLite.Database, max = 1000): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/** Brings the schema up to date; throws (and changes nothing further) if a migration fails. */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}

/**
 * After deleting raw answers: move the WAL into the file and empty it, then rebuild the file,
 * so no deleted page survives in the WAL or the free list (anonymity.md 4.5).
 */
export async function compactAfterErasure(db: Db): Promise<void> {
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  await sql`VACUUM`.execute(db);
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
}
