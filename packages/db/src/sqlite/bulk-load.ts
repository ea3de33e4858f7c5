/**
 * A raw connection for loading synthetic data in bulk (`tools/bench`'s seeder, `tickler db seed`).
 * The application never writes this way: it goes through the repositories of `openStore`. Bulk
 * loading is the one job where per-row repository calls cost too much (a million orders with their
 * people and contacts), so this hands out the driver's connection for the duration of a callback.
 */
import { openConnection, runMigrations, type Sqlite } from './connection';
import { translateError } from './store-error';

/** The better-sqlite3 connection a bulk load writes through (prepared statements, `transaction`). */
export type BulkLoadConnection = Sqlite;

export interface BulkLoadResult<T> {
  /** What `load` returned. */
  value: T;
  /** Database size afterwards (WAL checkpointed into the file), bytes. */
  bytes: number;
}

/**
 * Opens and migrates the database at `url`, runs `load` on a connection tuned for bulk writes
 * (fsyncs off, 256 MiB page cache, temp tables in memory; WAL stays on, so a crash cannot corrupt
 * the file, it only loses the last transactions), then checkpoints the WAL and closes. Driver
 * errors come out as `StoreError`. Each transaction `load` commits is atomic as usual.
 */
export async function withBulkLoadConnection<T>(url: string, load: (sqlite: BulkLoadConnection) => Promise<T>): Promise<BulkLoadResult<T>> {
  const sqlite = openConnection(url);
  try {
    runMigrations(sqlite);
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('cache_size = -262144');
    sqlite.pragma('temp_store = MEMORY');
    const value = await load(sqlite);
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = (sqlite.pragma('page_count', { simple: true }) as number) * (sqlite.pragma('page_size', { simple: true }) as number);
    return { value, bytes };
  } catch (error) {
    translateError(error);
  } finally {
    sqlite.close();
  }
}
