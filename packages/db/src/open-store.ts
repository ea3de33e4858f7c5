/**
 * One way in for every process: `openStore({ url })` picks the store by the URL's scheme (`file:`,
 * a path or `:memory:` → SQLite; `postgres://`, `postgresql://` → PostgreSQL). Callers get a `Store`
 * and never learn which one.
 */
import { parseDatabaseUrl } from './database-url';
import { migratePostgresDatabase, openPostgresStore } from './postgres/open-store';
import type { Store } from './repositories/types';
import { migrateSqliteDatabase, openSqliteStore } from './sqlite/open-store';

export interface OpenStoreOptions {
  /** `DATABASE_URL`: `file:./data/tickler.db`, a bare path, `:memory:`, or `postgres://user@host:5432/db`. */
  url: string;
  /** Apply pending migrations on open (default true; harmless when up to date, safe from many hosts at once). */
  migrate?: boolean;
  /** SQLite: how long a writer waits for another process's lock, ms (default 5000). */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in this process's pool (`DATABASE_POOL_SIZE`; default 10). */
  poolSize?: number;
  /** PostgreSQL: a statement running longer is cancelled, ms (default 30,000; 0 = no limit). */
  statementTimeoutMs?: number;
  /** PostgreSQL: how long to wait for a connection (new or from the pool), ms (default 5,000). */
  connectionTimeoutMs?: number;
}

/**
 * Opens the store `options.url` names and, unless told not to, migrates it. A malformed URL throws
 * DatabaseUrlError; storage failures reject with StoreError.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const target = parseDatabaseUrl(options.url);
  if (target.dialect === 'postgres') {
    return openPostgresStore({
      target, migrate: options.migrate, poolSize: options.poolSize,
      statementTimeoutMs: options.statementTimeoutMs, connectionTimeoutMs: options.connectionTimeoutMs,
    });
  }
  return openSqliteStore({ url: options.url, migrate: options.migrate, busyTimeoutMs: options.busyTimeoutMs });
}

/**
 * Applies the committed migrations of the store `url` names; `applied` is how many this call applied
 * (0 when up to date). Several processes on several hosts may run it at once: one applies, the rest
 * find nothing to do.
 */
export async function migrateDatabase(url: string, options: Pick<OpenStoreOptions, 'connectionTimeoutMs'> = {}): Promise<{ applied: number }> {
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'postgres') return migratePostgresDatabase(target, options);
  return migrateSqliteDatabase(url);
}
