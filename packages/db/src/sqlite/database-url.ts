/**
 * Parses `DATABASE_URL` for SQLite: `file:./data/tickler.db`, `file:///abs/path.db`, a bare path
 * (`./data/tickler.db`, `/var/lib/tickler.db`) or `:memory:`.
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

export type DatabaseLocation = { kind: 'memory' } | { kind: 'file'; path: string };

/** Resolves a database URL to a file path (absolute, relative paths against `cwd`) or memory. */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseLocation {
  const raw = url.trim();
  const shown = JSON.stringify(url);
  if (raw === '') throw new DatabaseUrlError('DATABASE_URL is empty: expected e.g. file:./data/tickler.db');
  if (raw === ':memory:' || raw === 'file::memory:') return { kind: 'memory' };
  let filePath = raw;
  if (raw.startsWith('file://')) {
    filePath = decodeURIComponent(raw.slice('file://'.length).split('?')[0] ?? '');
  } else if (raw.startsWith('file:')) {
    filePath = raw.slice('file:'.length).split('?')[0] ?? '';
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new DatabaseUrlError(`DATABASE_URL ${shown} is not a SQLite URL: expected file:<path> (e.g. file:./data/tickler.db), a path or :memory:`);
  }
  if (filePath === '' || filePath.endsWith('/') || filePath.endsWith(path.sep)) {
    throw new DatabaseUrlError(`DATABASE_URL ${shown} does not name a database file: expected e.g. file:./data/tickler.db`);
  }
  if (filePath.includes('\0')) throw new DatabaseUrlError(`DATABASE_URL ${shown} contains a NUL character`);
  return { kind: 'file', path: path.resolve(cwd, filePath) };
}
