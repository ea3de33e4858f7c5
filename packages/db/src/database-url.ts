/**
 * `DATABASE_URL`, parsed in one place for both stores. The scheme picks the store:
 *
 * - SQLite: `file:./data/tickler.db`, `file:///abs/path.db`, a bare path (`./data/tickler.db`,
 *   `/var/lib/tickler.db`) or `:memory:`;
 * - PostgreSQL: `postgres://user:password@host:5432/database?sslmode=require` (or `postgresql://`);
 *   Tickler's own parameter `prepare=on|off` (default on) says whether the store's statements are
 *   prepared per connection (off behind a pooler that cannot keep them; see postgres/prepared.ts).
 *
 * Errors name DATABASE_URL and never echo a password.
 */
import path from 'node:path';

export class DatabaseUrlError extends Error {
  readonly code = 'invalid_database_url';
  readonly field = 'DATABASE_URL';
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUrlError';
  }
}

export type DatabaseTarget =
  | { dialect: 'sqlite'; kind: 'memory' }
  | { dialect: 'sqlite'; kind: 'file'; path: string }
  /**
   * `connectionString` is the URL for the driver (as given, without Tickler's own `prepare`);
   * `display` the same without its password; `prepare` whether statements are prepared (default true).
   */
  | { dialect: 'postgres'; connectionString: string; display: string; database: string; prepare: boolean };

export type SqliteTarget = Extract<DatabaseTarget, { dialect: 'sqlite' }>;
export type PostgresTarget = Extract<DatabaseTarget, { dialect: 'postgres' }>;

const POSTGRES_SCHEMES = new Set(['postgres:', 'postgresql:']);
const EXAMPLES = 'file:./data/tickler.db or postgres://user@host:5432/tickler';

/** The URL with any password replaced by `***`, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@');
}

/**
 * Resolves a database URL: which store, and where. Relative SQLite paths resolve against `cwd`.
 * @throws DatabaseUrlError naming DATABASE_URL and what was expected
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  const raw = typeof url === 'string' ? url.trim() : '';
  if (raw === '') throw new DatabaseUrlError(`DATABASE_URL is empty: expected e.g. ${EXAMPLES}`);
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== undefined && POSTGRES_SCHEMES.has(scheme)) return parsePostgresUrl(raw);
  if (scheme !== undefined && scheme !== 'file:') {
    throw new DatabaseUrlError(`DATABASE_URL ${JSON.stringify(redactDatabaseUrl(raw))} has an unsupported scheme "${scheme}": expected ${EXAMPLES}, a path or :memory:`);
  }
  return parseSqliteUrl(raw, cwd);
}

function parseSqliteUrl(raw: string, cwd: string): SqliteTarget {
  const shown = JSON.stringify(raw);
  if (raw === ':memory:' || raw === 'file::memory:') return { dialect: 'sqlite', kind: 'memory' };
  let filePath = raw;
  if (raw.startsWith('file://')) {
    filePath = decodeURIComponent(raw.slice('file://'.length).split('?')[0] ?? '');
  } else if (raw.startsWith('file:')) {
    filePath = raw.slice('file:'.length).split('?')[0] ?? '';
  }
  if (filePath === '' || filePath.endsWith('/') || filePath.endsWith(path.sep)) {
    throw new DatabaseUrlError(`DATABASE_URL ${shown} does not name a database file: expected e.g. file:./data/tickler.db`);
  }
  if (filePath.includes('\0')) throw new DatabaseUrlError(`DATABASE_URL ${shown} contains a NUL character`);
  return { dialect: 'sqlite', kind: 'file', path: path.resolve(cwd, filePath) };
}

function parsePostgresUrl(raw: string): PostgresTarget {
  const display = redactDatabaseUrl(raw);
  const shown = JSON.stringify(display);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new DatabaseUrlError(`DATABASE_URL ${shown} is not a valid URL: expected e.g. postgres://user:password@host:5432/tickler`);
  }
  // postgres:///tickler?host=/var/run/postgresql names a Unix socket instead of a host.
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) {
    throw new DatabaseUrlError(`DATABASE_URL ${shown} names no host: expected e.g. postgres://user@db.internal:5432/tickler`);
  }
  if (parsed.port !== '' && !/^\d+$/.test(parsed.port)) throw new DatabaseUrlError(`DATABASE_URL ${shown} has an invalid port`);
  let database: string;
  try {
    database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  } catch {
    throw new DatabaseUrlError(`DATABASE_URL ${shown} has a malformed database name`);
  }
  if (database === '' || database.includes('/')) {
    throw new DatabaseUrlError(`DATABASE_URL ${shown} does not name one database: expected e.g. postgres://user@host:5432/tickler`);
  }
  const prepare = parsed.searchParams.get('prepare') ?? 'on';
  if (prepare !== 'on' && prepare !== 'off') throw new DatabaseUrlError(`DATABASE_URL ${shown} has prepare=${prepare}: expected prepare=on or prepare=off`);
  let connectionString = raw;
  if (parsed.searchParams.has('prepare')) {
    parsed.searchParams.delete('prepare');
    connectionString = parsed.toString();
  }
  return { dialect: 'postgres', connectionString, display, database, prepare: prepare === 'on' };
}
