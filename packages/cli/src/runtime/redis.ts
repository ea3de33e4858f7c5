/** Redis connections for BullMQ: only entry points create them (through the queues package's one factory), and they own closing them. */
import { makeRedisConnection, parseRedisUrl, redactRedisUrl, redisAnswers as answers, type RedisConnection } from '@tickler/queues';
import { CliError } from './errors';

/** A connection for BullMQ workers and queues: one node, Sentinel or Cluster, as REDIS_URL says. */
export function makeRedis(url: string): RedisConnection {
  return makeRedisConnection(parseRedisUrl(url));
}

/** Pings `url` once within `timeoutMs`; true when Redis answered. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  return answers(url, timeoutMs);
}

/** Fails with a one-line reason when Redis does not answer (instead of retrying forever). */
export async function assertRedis(url: string): Promise<void> {
  if (!(await redisAnswers(url, 3000))) {
    throw new CliError(`Redis does not answer at ${redactRedisUrl(url)} (set REDIS_URL or start redis-server)`);
  }
}
