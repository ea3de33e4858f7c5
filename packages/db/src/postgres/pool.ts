/**
 * One node-postgres pool per process, and the units of work run on it. Reads and single-statement
 * writes run on the pool (autocommit); multi-statement units of work run in `withTransaction`,
 * which retries deadlock victims and serialization failures with jitter.
 */
import pg from 'pg';
import type { PostgresTarget } from '../database-url';
import { preparePoolStatements } from './prepared';
import { isRetryableConflict } from './store-error';

export interface PoolOptions {
  target: PostgresTarget;
  /** Connections in the pool (`DATABASE_POOL_SIZE`; default 10). */
  poolSize?: number;
  /** A statement running longer is cancelled, ms (default 30,000; 0 = no limit). */
  statementTimeoutMs?: number;
  /** How long to wait for a connection, new or from the pool, ms (default 5,000). */
  connectionTimeoutMs?: number;
}

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

const INT8 = 20;
const INT8_ARRAY = 1016;
const DATE = 1082;

/** bigint ids and counts as JS numbers: exact up to 2^53, which no id or count here reaches. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`PostgreSQL bigint ${text} exceeds JavaScript's safe integers`);
  return value;
}

/** `date` stays `YYYY-MM-DD` text, as the domain's IsoDate (node-postgres would make a local-midnight Date). */
function parseDate(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new RangeError(`PostgreSQL date "${text}" is not YYYY-MM-DD: the server's DateStyle must be ISO`);
  return text;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return parseInt8;
    if (oid === DATE) return parseDate;
    if (oid === INT8_ARRAY) {
      const parseArray = pg.types.getTypeParser(INT8_ARRAY as never, 'text') as unknown as (text: string) => string[];
      return (text: string) => parseArray(text).map(parseInt8);
    }
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

/** Opens (lazily) the process's pool. Idle connections that the server drops are discarded, not fatal. */
export function makePool(options: PoolOptions): pg.Pool {
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) throw new RangeError(`poolSize must be a whole number ≥ 1 (got ${String(options.poolSize)})`);
  const statementTimeoutMs = Math.max(0, Math.floor(options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS));
  const pool = new pg.Pool({
    connectionString: options.target.connectionString,
    max: poolSize,
    connectionTimeoutMillis: Math.max(1, Math.floor(options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS)),
    idleTimeoutMillis: 30_000,
    // A transaction left open by a crashed unit of work must not hold its locks for long.
    idle_in_transaction_session_timeout: 60_000,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    application_name: 'tickler',
    keepAlive: true,
    types,
  });
  // An idle connection the server closes (restart, failover) emits here; the pool drops it and the
  // next query opens a fresh one. Without a listener, the process would crash.
  pool.on('error', () => undefined);
  if (options.target.prepare) preparePoolStatements(pool);
  return pool;
}

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Runs one statement; returns its rows. */
export async function queryRows<R extends pg.QueryResultRow>(db: Queryable, text: string, values: unknown[] = []): Promise<R[]> {
  return (await db.query<R>(text, values)).rows;
}

/** Runs one statement; returns how many rows it changed. */
export async function execute(db: Queryable, text: string, values: unknown[] = []): Promise<number> {
  return (await db.query(text, values)).rowCount ?? 0;
}

export interface Transaction extends Queryable {
  /** Ends the unit of work with ROLLBACK instead of COMMIT (it decided to change nothing). */
  rollbackOnly(): void;
}

export interface RetryOptions {
  /** Attempts in all (default 5). */
  attempts?: number;
  /** Which errors may be retried (default: deadlocks and serialization failures). */
  retryOn?: (error: unknown) => boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** 5, 10, 20 … ms, each × 0.5–1.5, so retrying transactions do not collide again in step. */
const backoffMs = (attempt: number) => 5 * 2 ** attempt * (0.5 + Math.random());

/**
 * Runs `work` in one READ COMMITTED transaction on one pooled connection and commits it; on a
 * deadlock or serialization failure (or what `retryOn` accepts) rolls back and runs it again, up to
 * `attempts` times in all. A failed COMMIT (the connection lost) is not retried: its outcome is unknown.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (tx: Transaction) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const retryOn = options.retryOn ?? isRetryableConflict;
  for (let attempt = 0; ; attempt++) {
    const outcome = await attemptTransaction(pool, work);
    if (outcome.ok) return outcome.value;
    if (attempt + 1 >= attempts || !retryOn(outcome.error)) throw outcome.error;
    await sleep(backoffMs(attempt));
  }
}

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** One try: BEGIN, the work, COMMIT (or ROLLBACK). A connection that failed is destroyed, not pooled again. */
async function attemptTransaction<T>(pool: pg.Pool, work: (tx: Transaction) => Promise<T>): Promise<Attempt<T>> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN').catch((error: Error) => { broken = error; throw error; });
    let rollback = false;
    const tx: Transaction = { query: client.query.bind(client) as Queryable['query'], rollbackOnly: () => { rollback = true; } };
    let value: T;
    try {
      value = await work(tx);
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => { broken = rollbackError; });
      return { ok: false, error };
    }
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT').catch((error: Error) => { broken = error; throw error; });
    return { ok: true, value };
  } finally {
    client.release(broken);
  }
}

/** Runs a single statement (autocommit), again when it was a deadlock victim: it changed nothing then. */
export async function withStatementRetry<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt + 1 >= attempts || !isRetryableConflict(error)) throw error;
      await sleep(backoffMs(attempt));
    }
  }
}
