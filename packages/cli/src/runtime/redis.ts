/** Redis connections for BullMQ: only entry points create them, and they own closing them. */
import { Redis } from 'ioredis';
import { CliError } from './errors';

/** A connection for BullMQ workers and queues (`maxRetriesPerRequest: null` as BullMQ requires). */
export function makeRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** Pings `url` once within `timeoutMs`; true when Redis answered. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Fails with a one-line reason when Redis does not answer (instead of retrying forever). */
export async function assertRedis(url: string): Promise<void> {
  if (!(await redisAnswers(url, 3000))) {
    const safe = url.replace(/\/\/[^@/]*@/, '//***@');
    throw new CliError(`Redis does not answer at ${safe} (set REDIS_URL or start redis-server)`);
  }
}
