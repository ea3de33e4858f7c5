/**
 * Routes that read Redis (the dashboard, failed jobs, replay) must not hang while Redis is down: the
 * edge's connection retries forever (BullMQ needs `maxRetriesPerRequest: null`), so every command
 * would wait for Redis to come back. Such routes first ask Redis for a job count with a deadline and
 * answer 503 `redis_unavailable` naming where Redis is; their own work is bounded as well.
 */
import type { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeConnection, type Queues } from '@tickler/queues';
import { sendError } from './errors';
import { withinMs } from './within-ms';

/** How long a route waits for Redis to answer a probe, ms. */
const DEFAULT_REDIS_TIMEOUT_MS = 2000;

/** Where Redis is, for messages: host:port of the queues' connection (or its sentinels / cluster seeds), never credentials. */
export function describeRedis(queue: Queue): string {
  return describeConnection(queue.opts.connection);
}

/** Thrown by `RedisGuard.bounded` when Redis did not answer in time. */
class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

export interface RedisGuard {
  /** A preHandler hook: 503 unless Redis answers a probe within the timeout. */
  probe(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Runs `work` with a deadline of `factor` probe timeouts; rejects with RedisUnavailableError after it. */
  bounded<T>(work: Promise<T>, factor?: number): Promise<T>;
  /** Answers 503 for a RedisUnavailableError (true), or leaves other errors to the caller (false). */
  answer(error: unknown, reply: FastifyReply): boolean;
}

export function makeRedisGuard(queues: Queues, timeoutMs = DEFAULT_REDIS_TIMEOUT_MS): RedisGuard {
  const where = describeRedis(queues.send);
  const unavailable = (ms: number, detail = '') => new RedisUnavailableError(`Redis at ${where} did not answer within ${ms} ms${detail}.`);
  const bounded = <T>(work: Promise<T>, factor = 1): Promise<T> => {
    const ms = timeoutMs * factor;
    return withinMs(work, ms, () => unavailable(ms));
  };
  const answer = (error: unknown, reply: FastifyReply): boolean => {
    if (!(error instanceof RedisUnavailableError)) return false;
    reply.log.warn({ err: error.message }, 'admin request refused: redis unavailable');
    void sendError(reply, 503, 'redis_unavailable', error.message);
    return true;
  };
  return {
    bounded,
    answer,
    async probe(_request, reply) {
      try {
        await bounded(queues.send.getJobCounts('waiting'));
      } catch (error) {
        // Any failure of a plain job count (refused connection, retries exhausted, timeout) means Redis is not usable.
        const refusal = error instanceof RedisUnavailableError ? error : unavailable(timeoutMs, ` (${(error as Error).message})`);
        answer(refusal, reply);
      }
    },
  };
}
