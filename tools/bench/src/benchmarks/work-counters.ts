/**
 * Units of work behind the CPU figures, so that a rise in CPU per item can be told apart: more units
 * per item (smaller batches: each process at a lower rate shares each statement or commit among
 * fewer items) or more CPU per unit (contention: spinning, lock waits, cache fights).
 *
 * - `countPgRoundTrips()`: statements a process sends to PostgreSQL (node-postgres `Client#query`
 *   calls, BEGIN and COMMIT included), counted in that process. Call it before the store opens.
 * - `redisCommands()`: commands the Redis server processed (`INFO stats`; every node of a cluster; a
 *   Redis shared with other work counts that work's commands too).
 * - `sampleLockWaits()`: how often a session of the benchmark's database was waiting for a lock
 *   (`pg_stat_activity.wait_event_type = 'Lock'`), sampled every 50 ms while the load runs.
 */
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { RedisConnection } from '@tickler/queues';

let pgRoundTrips = 0;
let patched = false;

/** Counts this process's PostgreSQL statements from now on; returns the counter's reader. */
export function countPgRoundTrips(): () => number {
  if (!patched) {
    patched = true;
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
      pgRoundTrips += 1;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  }
  return () => pgRoundTrips;
}

async function nodeCommands(node: Redis): Promise<number> {
  const info = await node.info('stats');
  return Number(/^total_commands_processed:(\d+)/m.exec(info)?.[1] ?? 0);
}

/** The server behind `connection`: itself, or every node of a cluster (known only once the client is ready). */
export async function redisNodes(connection: RedisConnection): Promise<Redis[]> {
  if (!('nodes' in connection)) return [connection];
  if (connection.status !== 'ready') await new Promise((resolve) => connection.once('ready', resolve));
  return connection.nodes('all');
}

/** Commands the Redis server (every node of a cluster) has processed so far. */
export async function redisCommands(connection: RedisConnection): Promise<number> {
  return (await Promise.all((await redisNodes(connection)).map(nodeCommands))).reduce((x, y) => x + y, 0);
}

/** What `sampleLockWaits` saw: samples taken, samples with a waiter, most sessions waiting at once. */
export interface LockWaits { samples: number; withWaiters: number; mostWaiting: number }

/**
 * Samples the database's sessions waiting for a lock every `everyMs` until `stop()` is called;
 * resolves null when the store is not PostgreSQL.
 */
export function sampleLockWaits(databaseUrl: string, everyMs = 50): { stop(): Promise<LockWaits | null> } {
  if (!databaseUrl.startsWith('postgres')) return { stop: async () => null };
  let stopped: Promise<LockWaits | null> | undefined;
  const seen: LockWaits = { samples: 0, withWaiters: 0, mostWaiting: 0 };
  const client = new pg.Client({ connectionString: databaseUrl });
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows: [row] } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      const waiting = row?.n ?? 0;
      seen.samples += 1;
      if (waiting > 0) seen.withWaiters += 1;
      seen.mostWaiting = Math.max(seen.mostWaiting, waiting);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop() {
      running = false;
      stopped ??= loop.finally(() => client.end()).then(() => seen);
      return stopped;
    },
  };
}

/** Per item (event or email): PostgreSQL statements and backend CPU µs (null on SQLite), Redis commands and CPU µs; and the lock-wait samples. */
export interface WorkFigures { pgStatements: number | null; postgresMicros: number | null; redisCommands: number; redisMicros: number; lockWaits: LockWaits | null }

/** One line: statements and Redis commands per item and the servers' CPU per unit, and the lock samples. */
export function describeWork(perItem: string, work: WorkFigures): string {
  const parts: string[] = [];
  // Server CPU per statement is no measure here: a batched statement carries many items.
  if (work.pgStatements !== null) parts.push(`PostgreSQL ${work.pgStatements.toFixed(2)} statements/${perItem}`);
  parts.push(`Redis ${work.redisCommands.toFixed(1)} commands/${perItem}, ${(work.redisMicros / Math.max(work.redisCommands, 1e-9)).toFixed(1)} µs CPU per command`);
  if (work.lockWaits) parts.push(`sessions waiting for a lock in ${work.lockWaits.withWaiters} of ${work.lockWaits.samples} samples (most at once ${work.lockWaits.mostWaiting})`);
  return parts.join('; ');
}
