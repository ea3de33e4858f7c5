/**
 * Opens one better-sqlite3 connection with the pragmas every Tickler process uses, and runs the
 * committed drizzle migrations.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { sendAtMs, sendCalendarFromText } from '@tickler/domain';
import { DatabaseUrlError, parseDatabaseUrl, type SqliteTarget } from '../database-url';

export type Sqlite = Database.Database;

/** The committed migrations (`packages/db/drizzle`), found relative to this package, not the cwd. */
export const MIGRATIONS_FOLDER = path.resolve(__dirname, '../../drizzle');
const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface ConnectionOptions {
  /** How long a writer waits for another process's lock, ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * Enforce foreign keys (default true). Off only for the scan planner's own connection, whose one
   * write inserts ledger rows for orders it reads in the same transaction (see future-slices.ts).
   */
  foreignKeys?: boolean;
}

/** The SQLite location `url` names; a PostgreSQL URL is an error here. */
export function sqliteTarget(url: string): SqliteTarget {
  const target = parseDatabaseUrl(url);
  if (target.dialect !== 'sqlite') throw new DatabaseUrlError(`DATABASE_URL ${JSON.stringify(target.display)} is not a SQLite URL: expected file:<path> (e.g. file:./data/tickler.db), a path or :memory:`);
  return target;
}

/** Opens the database named by `url`, creating its parent folder. WAL, foreign keys on unless told otherwise. */
export function openConnection(url: string, options: ConnectionOptions = {}): Sqlite {
  const location = sqliteTarget(url);
  let sqlite: Sqlite;
  try {
    if (location.kind === 'file') createFolder(path.dirname(location.path));
    sqlite = new Database(location.kind === 'memory' ? ':memory:' : location.path);
  } catch (error) {
    throw new DatabaseUrlError(`DATABASE_URL ${JSON.stringify(url)} cannot be opened: ${(error as Error).message}`);
  }
  try {
    configure(sqlite, location.kind === 'file', options);
  } catch (error) {
    sqlite.close();
    throw unusableFile(error, url) ?? error;
  }
  return sqlite;
}

/**
 * `mkdir -p` one level at a time: the missing folders below the nearest existing one, each created on
 * its own. Not Node's recursive mkdir, which never returns under /proc (it retries the parent forever).
 * @throws the first mkdir's error (ENOENT, EACCES, ENOTDIR …); a folder another process made meanwhile is fine
 */
function createFolder(dir: string): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); !fs.existsSync(current); current = path.dirname(current)) {
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      // Another process opening the same new file made it first.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(folder).isDirectory()) throw error;
    }
  }
}

function configure(sqlite: Sqlite, isFile: boolean, options: ConnectionOptions): void {
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // The first statement that reads the file: where a file that is not a database is found out.
  if (isFile) enableWal(sqlite, busyTimeoutMs);
  sqlite.pragma(`foreign_keys = ${options.foreignKeys === false ? 'OFF' : 'ON'}`);
  sqlite.pragma('synchronous = NORMAL');
  // Reads go through the OS page cache without copying (the expiry scan touches rows in index order,
  // i.e. randomly): about 1.5x faster on a 1M-order database. Address space only, not memory.
  if (isFile) sqlite.pragma('mmap_size = 1073741824');
  registerFunctions(sqlite);
}

/**
 * SQLite opens any file lazily and only its first statements say it is not a database, or one this
 * process cannot write: that is a wrong DATABASE_URL (a path to some other file) or a deployment
 * problem (permissions, a read-only mount), not a storage failure, so it is named as such.
 */
function unusableFile(error: unknown, url: string): DatabaseUrlError | null {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') {
    return new DatabaseUrlError(`DATABASE_URL ${JSON.stringify(url)} names a SQLite file this process cannot write (${(error as Error).message}): `
      + 'the file and its folder must be writable by the user Tickler runs as (it keeps -wal and -shm files beside it), and not on a read-only mount');
  }
  if (code === 'SQLITE_NOTADB') return new DatabaseUrlError(`DATABASE_URL ${JSON.stringify(url)} names a file that is not a SQLite database`);
  if (code.startsWith('SQLITE_CORRUPT')) return new DatabaseUrlError(`DATABASE_URL ${JSON.stringify(url)} names a damaged SQLite database (${(error as Error).message})`);
  return null;
}

/**
 * Switches a file database to WAL (a no-op once it is). When several processes open a new file at
 * once, SQLite answers all but one with SQLITE_BUSY at once, without its busy handler (waiting
 * could deadlock them): retried here every 10 ms until the busy timeout. Blocking is fine at open.
 */
function enableWal(sqlite: Sqlite, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? '');
      if (!code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/**
 * SQL functions backed by the domain, so a scan can filter orders inside SQLite:
 * `tickler_send_at(expires_on, offset_days, time_zone)` is the domain's `sendAtMs` (epoch ms of
 * 09:00 local on expiry − offset); it raises an error naming the value for an unknown zone or date.
 * `tickler_send_at(expires_on, offset_days, time_zone, calendar)` takes the scheduler's send calendar
 * as `sendCalendarText` (weekends, holidays: business-days.ts in the domain) and moves off closed days.
 */
function registerFunctions(sqlite: Sqlite): void {
  sqlite.function('tickler_send_at', { deterministic: true }, (expiresOn: unknown, offsetDays: unknown, timeZone: unknown) => {
    if (typeof expiresOn !== 'string' || typeof offsetDays !== 'number' || typeof timeZone !== 'string') {
      throw new TypeError(`tickler_send_at(${String(expiresOn)}, ${String(offsetDays)}, ${String(timeZone)}): expected (text, integer, text)`);
    }
    return sendAtMs(expiresOn, offsetDays, timeZone);
  });
  sqlite.function('tickler_send_at', { deterministic: true }, (expiresOn: unknown, offsetDays: unknown, timeZone: unknown, calendar: unknown) => {
    if (typeof expiresOn !== 'string' || typeof offsetDays !== 'number' || typeof timeZone !== 'string' || typeof calendar !== 'string') {
      throw new TypeError(`tickler_send_at(${String(expiresOn)}, ${String(offsetDays)}, ${String(timeZone)}, …): expected (text, integer, text, text)`);
    }
    return sendAtMs(expiresOn, offsetDays, timeZone, sendCalendarFromText(calendar));
  });
}

function countApplied(sqlite: Sqlite): number {
  const table = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(MIGRATIONS_TABLE);
  if (!table) return 0;
  return (sqlite.prepare(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`).get() as { n: number }).n;
}

/** True when `error` (or its cause: drizzle wraps driver errors) says a table already exists. */
function lostMigrationRace(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (/already exists/i.test(String((e as { message?: unknown }).message ?? ''))) return true;
  }
  return false;
}

/** Rows changed by this connection so far (DDL does not count; drizzle's bookkeeping inserts do). */
function totalChanges(sqlite: Sqlite): number {
  return (sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
}

/**
 * Applies pending migrations (drizzle's better-sqlite3 migrator); returns how many this call
 * applied (0 when up to date). Processes starting together may race: one applies, the others
 * wait for its lock and find nothing to do, or fail on "already exists" and retry once.
 */
export function runMigrations(sqlite: Sqlite): { applied: number } {
  const db = drizzle({ client: sqlite });
  const attempt = () => {
    const before = countApplied(sqlite);
    const changesBefore = totalChanges(sqlite);
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER, migrationsTable: MIGRATIONS_TABLE });
    // Another process may have applied them between our count and our lock: then this
    // connection changed nothing, and it applied none.
    if (totalChanges(sqlite) === changesBefore) return { applied: 0 };
    return { applied: Math.max(0, countApplied(sqlite) - before) };
  };
  try {
    return attempt();
  } catch (error) {
    if (!lostMigrationRace(error)) throw error;
    return attempt();
  }
}
