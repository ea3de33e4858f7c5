/** Small helpers shared by the SQLite repositories: a prepared-statement cache and value mapping. */
import type Database from 'better-sqlite3';
import type { Sqlite } from './connection';

export type Prepare = (sql: string) => Database.Statement;

/** Prepares each SQL text once per connection (lazily, so a repository can be built before use). */
export function makeStatementCache(sqlite: Sqlite): Prepare {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = sqlite.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

/** Integer milliseconds (as stored) → Date; null stays null. */
export function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/** The stored millisecond value of a required timestamp. */
export function requiredDate(ms: number): Date {
  return new Date(ms);
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
