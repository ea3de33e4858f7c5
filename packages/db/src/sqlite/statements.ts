/** Small helpers shared by the SQLite repositories: a prepared-statement cache and value mapping. */
import type Database from 'better-sqlite3';
import type { Sqlite } from './connection';

export type Prepare = (sql: string) => Database.Statement;

const RETURNING = /\bRETURNING\b/i;

/**
 * Prepares `sql`; a statement with a RETURNING clause gets a `get` that steps it to the end.
 *
 * Why: better-sqlite3's `get` steps a statement once, then resets it and ignores what the reset
 * reports. A write with RETURNING produces its rows on the first step, but outside a transaction
 * its autocommit happens at the end of the statement, i.e. in that reset: a commit that fails
 * there (disk full, I/O error, deferred constraint) was rolled back, yet `get` returned the row as
 * if it were stored. `all` checks the reset, so the row comes back only once it is committed.
 */
export function prepareStatement(sqlite: Sqlite, sql: string): Database.Statement {
  const statement = sqlite.prepare(sql);
  if (RETURNING.test(sql)) {
    const all = statement.all.bind(statement);
    statement.get = ((...params: unknown[]) => all(...params)[0]) as Database.Statement['get'];
  }
  return statement;
}

/** Prepares each SQL text once per connection (lazily, so a repository can be built before use). */
export function makeStatementCache(sqlite: Sqlite): Prepare {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepareStatement(sqlite, sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

/** Integer milliseconds (as stored) → Date; null stays null. */
export function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/** Splits `items` into arrays of at most `size` (SQLite caps bound parameters per statement). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `?, ?, ?` for an IN list of `n` values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
