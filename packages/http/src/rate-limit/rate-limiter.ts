/**
 * Abuse limits of the HTTP edge: at most `max` hits of one key in any `windowMs` (a sliding window).
 * The production limiter keeps its state in Redis so that every edge process shares it
 * (redis-rate-limiter.ts); the in-memory one is for a single process (tests, benchmarks).
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';

export interface RateLimitRule {
  max: number;
  /** Length of the sliding window, ms. */
  windowMs: number;
}

/** A counted hit can be taken back (`release`) when the request it counted did not happen after all. */
export type RateDecision = { ok: true; release: () => Promise<void> } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  /**
   * Counts one hit of `key` at `now` against `rule`, or refuses it (a refused hit is not counted)
   * with how long until the oldest hit in the window leaves it. A counted hit's `release` takes it
   * back (best effort). Rejects when the limiter's store
   * does not answer: callers refuse the request then (fail closed), never skip the limit.
   */
  hit(key: string, rule: RateLimitRule, now: Date): Promise<RateDecision>;
}

/** The edge's limits; see DEFAULT_RATE_LIMITS. */
export interface RateLimits {
  /** Newsletter sign-ups from one client address (IPv6: one /64). */
  newsletterPerIp: RateLimitRule;
  /** Newsletter sign-ups naming one email address. */
  newsletterPerAddress: RateLimitRule;
  /** Invitation emails to one address for one organization. */
  invitationsPerAddress: RateLimitRule;
}

const HOUR = 3_600_000;
export const DEFAULT_RATE_LIMITS: RateLimits = {
  newsletterPerIp: { max: 20, windowMs: HOUR },
  newsletterPerAddress: { max: 3, windowMs: HOUR },
  invitationsPerAddress: { max: 3, windowMs: HOUR },
};

/** A limiter for one process only: state in memory (tests, benchmarks; not for several edge processes). */
export function makeMemoryRateLimiter(): RateLimiter {
  const hits = new Map<string, number[]>();
  return {
    async hit(key, rule, now) {
      const t = now.getTime();
      const live = (hits.get(key) ?? []).filter((at) => at > t - rule.windowMs);
      if (live.length >= rule.max) return { ok: false, retryAfterMs: live[0]! + rule.windowMs - t };
      hits.set(key, [...live, t]);
      return {
        ok: true,
        release: async () => {
          const kept = hits.get(key) ?? [];
          const i = kept.indexOf(t);
          if (i >= 0) hits.set(key, [...kept.slice(0, i), ...kept.slice(i + 1)]);
        },
      };
    },
  };
}

/**
 * The part of a client address one sender controls: the address itself for IPv4, its /64 for IPv6
 * (one subscriber line gets a whole /64, so single IPv6 addresses are free to rotate).
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** A key part that does not store the value itself (email addresses stay out of Redis). */
export function hashedKey(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url').slice(0, 22);
}

/** Whole seconds for a `Retry-After` header (at least 1). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
