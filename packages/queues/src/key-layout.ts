/**
 * Where a queue's keys live. BullMQ names every key of a queue `<prefix>:<queue>:<suffix>` and runs
 * Lua scripts over several of them at once, which Redis Cluster allows only within one hash slot.
 *
 * - One node or Sentinel: the prefix is QUEUE_PREFIX, so keys are `tickler:send:…` exactly as
 *   before Cluster support (existing deployments keep their jobs).
 * - Cluster: the prefix gets a hash tag naming the queue, `tickler:{send}`, so keys are
 *   `tickler:{send}:send:…`. Every key of one queue (jobs, lists, its rate limiter, its job
 *   schedulers, its global concurrency) shares a slot; different queues hash to different slots and
 *   so spread over the masters. `redis-cli --scan --pattern 'tickler:*'` still finds them all.
 *
 * Nothing in Tickler touches two queues in one command (no flows), so no two queues need a slot in
 * common. A QUEUE_PREFIX that already holds a hash tag (`{tickler}`, the advice before per-queue tags)
 * keeps working: Redis hashes the first tag, so all queues then share that one slot.
 */
import type { ConnectionOptions } from 'bullmq';
import { isClusterConnection } from './redis-connection';

/** The BullMQ `prefix` option for `queue` under QUEUE_PREFIX `prefix` on `connection`. */
export function queuePrefixFor(queue: string, prefix: string, connection: ConnectionOptions): string {
  return isClusterConnection(connection) ? `${prefix}:{${queue}}` : prefix;
}

