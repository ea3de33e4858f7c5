/**
 * Prepared statements for the store's own statements: a parameterised statement is sent once per
 * connection as a named prepared statement (name = hash of its text), so PostgreSQL parses and plans
 * it once instead of on every call. On the hot paths (an order event is ~10 statements, a send ~7)
 * this is most of the server's work per statement: measured on this machine, a two-table lookup by
 * key took 138 µs a round trip unnamed and 58 µs prepared.
 *
 * Only texts the store writes itself go this way (fixed strings, or a handful of variants built from
 * the kind table); a text seen for the first time after `MAX_NAMED` distinct texts runs unnamed, so
 * a bug that built unbounded texts could not fill the server's memory with prepared statements.
 * Statements without parameters (BEGIN, COMMIT, probes) and query objects (drizzle's migrator,
 * COPY) are passed through untouched.
 *
 * Behind a pooler in transaction mode, prepared statements need PgBouncer ≥ 1.21 with
 * `max_prepared_statements` set (RDS Proxy pins such sessions): `?prepare=off` in DATABASE_URL turns
 * this off.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

export const MAX_NAMED = 2_000;

const names = new Map<string, string>();

/** The statement's name: `t_` + 20 hex digits of its SHA-1 (unique per text in practice; PostgreSQL allows 63 bytes). */
export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMED) return undefined;
    name = `t_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

type QueryFn = (...args: unknown[]) => unknown;

/** `query(text, values)` → `query({ name, text, values })`; every other call shape as it was. */
export function preparing<T extends QueryFn>(query: T): T {
  return function (this: unknown, ...args: unknown[]) {
    const [text, values, ...rest] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(text);
      if (name !== undefined) return query.call(this, { name, text, values }, ...rest);
    }
    return query.apply(this, args);
  } as T;
}

/** Makes every client the pool opens prepare the store's statements (`pool.query` runs on them too). */
export function preparePoolStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    client.query = preparing(client.query.bind(client) as QueryFn) as typeof client.query;
  });
}
