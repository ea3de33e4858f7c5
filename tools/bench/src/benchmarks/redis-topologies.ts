/**
 * Which Redis a benchmark runs on: `--redis single|cluster|both` (default single). `single` is
 * REDIS_URL (as every benchmark uses); `cluster` is a private Redis Cluster the benchmark starts
 * itself — three masters with one replica each on free ports, no persistence, in a throw-away folder
 * (the same one the failover tests start, from @tickler/testkit) — and stops afterwards.
 * `sentinel` (failover only) is a private master, replica and three sentinels.
 */
import { startCluster, startSentinel, stopAll, requireRedisBinaries } from '@tickler/testkit';

export type RedisKind = 'single' | 'cluster' | 'sentinel';
export type RedisChoice = 'single' | 'cluster' | 'both';

export function redisKindsOf(choice: RedisChoice | undefined): RedisKind[] {
  return choice === 'both' ? ['single', 'cluster'] : [choice ?? 'single'];
}

/** Runs `body` with the REDIS_URL of `kind` (`single`: `singleUrl`); private topologies are stopped after. */
export async function withRedis<T>(kind: RedisKind, singleUrl: string, body: (redisUrl: string) => Promise<T>): Promise<T> {
  if (kind === 'single') return body(singleUrl);
  requireRedisBinaries();
  try {
    const topology = kind === 'cluster' ? await startCluster() : await startSentinel();
    return await body(topology.url);
  } finally {
    await stopAll();
  }
}
