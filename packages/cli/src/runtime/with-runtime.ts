/**
 * Scoped process resources for one command or role: the store, one Redis connection, the queues
 * and a logger. `withRuntime(env, cb)` opens what is asked for and closes everything afterwards,
 * in reverse order, even when `cb` throws; each close is bounded (bounded-close.ts), so an
 * unreachable Redis or database does not keep the process from exiting.
 */
import type { Logger } from 'pino';
import { openStore, type Store } from '@tickler/db';
import { closeQueues, makeQueues, type Queues, type RedisConnection } from '@tickler/queues';
import type { Env } from '../env';
import { closeWithin, CONNECTION_CLOSE_MS, type CloseStep } from './bounded-close';
import { claimQueues } from './claim-queues';
import { makeLogger } from './logger';
import { assertRedis, makeRedis } from './redis';

export interface Runtime {
  env: Env;
  logger: Logger;
  store: Store;
  redis: RedisConnection;
  queues: Queues;
}

export interface RuntimeOptions {
  /** Where logs go: long-lived roles use stdout, table-printing commands stderr. */
  logTo?: 'stdout' | 'stderr';
  logger?: Logger;
  /** Claim the queue prefix for this database (see claim-queues.ts); false for read-only commands such as a dry run. */
  claimQueues?: boolean;
}

/** Opens store, Redis and queues; closes them all when `cb` settles. */
export async function withRuntime<T>(env: Env, cb: (rt: Runtime) => Promise<T>, options: RuntimeOptions = {}): Promise<T> {
  const logger = options.logger ?? makeLogger(env, options.logTo ?? 'stderr');
  await assertRedis(env.redisUrl);
  const closers: CloseStep[] = [];
  try {
    const store = await openStore({ url: env.databaseUrl, poolSize: env.databasePoolSize });
    // No force: a pool left ending holds nothing the exit does not release.
    closers.push({ what: 'database', close: () => store.close() });
    const redis = makeRedis(env.redisUrl);
    redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection error'));
    // QUIT waits behind every command queued while Redis is away (a scrape or probe that gave up on it).
    closers.push({ what: 'redis', close: () => redis.quit(), force: () => redis.disconnect() });
    const queues = makeQueues(redis, env.queuePrefix);
    closers.push({ what: 'queues', close: () => closeQueues(queues) });
    if (options.claimQueues !== false) await claimQueues(store, queues, env.queuePrefix, logger);
    return await cb({ env, logger, store, redis, queues });
  } finally {
    for (const step of closers.reverse()) await closeWithin(step, CONNECTION_CLOSE_MS, logger);
  }
}

/** Opens only the store (commands that do not touch Redis). */
export async function withStore<T>(env: Env, cb: (store: Store) => Promise<T>, logger: Pick<Logger, 'warn'> = makeLogger(env, 'stderr')): Promise<T> {
  const store = await openStore({ url: env.databaseUrl, poolSize: env.databasePoolSize });
  try {
    return await cb(store);
  } finally {
    // Bounded like withRuntime's closes: a database that stopped answering must not keep a finished command from exiting.
    await closeWithin({ what: 'database', close: () => store.close() }, CONNECTION_CLOSE_MS, logger);
  }
}
