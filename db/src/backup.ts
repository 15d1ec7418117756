import SQLite from 'better-sqlite3';

/** Pages per backup step: all of them, in one step (see backupDatabase). */
const ALL_PAGES = 0x7fffffff;

/**
 * A consistent copy of a live database file at `destination`, taken with SQLite's online
 * backup API on a connection of its own, while the server keeps reading and writing.
 *
 * The copy runs in one step: SQLite restarts a stepwise backup whenever another connection
 * writes between two steps, so under a steady stream of submissions a stepwise copy might
 * never finish. One step holds a read snapshot for its duration instead; in WAL mode that
 * blocks no writer, only checkpoints past that point until it ends.
 */
export async function backupDatabase(
  source: string,
  destination: string,
): Promise<{ pages: number }> {
  const sqlite = new SQLite(source, { fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    const result = await sqlite.backup(destination, { progress: () => ALL_PAGES });
    return { pages: result.totalPages };
  } finally {
    sqlite.close();
  }
}
