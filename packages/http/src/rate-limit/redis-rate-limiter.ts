/**
 * The shared limiter: each key is a Redis sorted set of hit times, trimmed and counted in one Lua
 * script, so edge processes on several hosts see the same counts and two hits at once cannot both
 * take the last slot. Keys expire with their window. One key per call, so Redis Cluster is fine.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { withinMs } from '../within-ms';
import type { RateLimiter } from './rate-limiter';

const COMMAND = 'ticklerRateLimitHit';
const SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + window - now
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0
`;

type WithCommand = { [COMMAND]: (key: string, now: number, windowMs: number, max: number, member: string) => Promise<number> };

/**
 * A limiter over `redis` (the caller owns the connection) with keys `<prefix>:<key>`. A call that
 * gets no answer within `timeoutMs` (default 1000) rejects, so Redis being down cannot hold requests.
 */
export function makeRedisRateLimiter(redis: Redis | Cluster, prefix: string, options: { timeoutMs?: number } = {}): RateLimiter {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: SCRIPT });
  const run = (redis as unknown as WithCommand)[COMMAND].bind(redis);
  return {
    async hit(key, rule, now) {
      const member = `${now.getTime()}:${randomUUID()}`;
      const wait = await withinMs(run(`${prefix}:${key}`, now.getTime(), rule.windowMs, rule.max, member), options.timeoutMs ?? 1000);
      if (wait > 0) return { ok: false, retryAfterMs: wait };
      return { ok: true, release: async () => { await withinMs(redis.zrem(`${prefix}:${key}`, member), options.timeoutMs ?? 1000); } };
    },
  };
}
