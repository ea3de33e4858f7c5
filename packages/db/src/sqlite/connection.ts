/**
 * Opens one better-sqlite3 connection with the pragmas every Tickler process uses, and runs the
 * committed drizzle migrations.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { DatabaseUrlError, parseDatabaseUrl } from './database-url';

export type Sqlite = Database.Database;

/** The committed migrations (`packages/db/drizzle`), found relative to this package, not the cwd. */
export const MIGRATIONS_FOLDER = path.resolve(__dirname, '../../drizzle');
const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface ConnectionOptions {
  /** How long a writer waits for another process's lock, ms (default 5000). */
  busyTimeoutMs?: number;
}

/** Opens the database named by `url`, creating its parent folder. WAL, foreign keys on. */
export function openConnection(url: string, options: ConnectionOptions = {}): Sqlite {
  const location = parseDatabaseUrl(url);
  let sqlite: Sqlite;
  try {
    if (location.kind === 'file') fs.mkdirSync(path.dirname(location.path), { recursive: true });
    sqlite = new Database(location.kind === 'memory' ? ':memory:' : location.path);
  } catch (error) {
    throw new DatabaseUrlError(`DATABASE_URL ${JSON.stringify(url)} cannot be opened: ${(error as Error).message}`);
  }
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  if (location.kind === 'file') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  return sqlite;
}

function countApplied(sqlite: Sqlite): number {
  const table = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(MIGRATIONS_TABLE);
  if (!table) return 0;
  return (sqlite.prepare(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`).get() as { n: number }).n;
}

/**
 * Applies pending migrations; returns how many were applied (0 when up to date). Two processes
 * starting together may race: the loser's migration fails on "already exists", and a second pass
 * then finds everything applied.
 */
export function runMigrations(sqlite: Sqlite): { applied: number } {
  const before = countApplied(sqlite);
  const db = drizzle({ client: sqlite });
  try {
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER, migrationsTable: MIGRATIONS_TABLE });
  } catch (error) {
    if (!/already exists/i.test((error as Error).message)) throw error;
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER, migrationsTable: MIGRATIONS_TABLE });
  }
  return { applied: Math.max(0, countApplied(sqlite) - before) };
}
