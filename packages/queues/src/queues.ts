import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { jobCatalog, jobIdFor, type JobData, type JobName, type QueueName } from './catalog';
import { queuePrefixFor } from './key-layout';

export type Queues = { [Q in QueueName]: Queue };

/**
 * Opens one BullMQ `Queue` per catalog queue under QUEUE_PREFIX `prefix` (on a Redis Cluster each
 * queue's keys get a hash tag of their own, see key-layout.ts). The caller owns the connection and
 * must `closeQueues`.
 */
export function makeQueues(connection: ConnectionOptions, prefix: string): Queues {
  const entries = [...new Set(Object.values(jobCatalog).map((j) => j.queue))].map((q) => {
    const queue = new Queue(q, { connection, prefix: queuePrefixFor(q, prefix, connection) });
    // A queue re-emits its connection's errors (every reconnect attempt of a failover); without a
    // listener BullMQ prints each to stderr. The connection's owner logs them once (withRuntime).
    queue.on('error', () => undefined);
    return [q, queue];
  });
  return Object.fromEntries(entries) as Queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

/** Adds one job with the catalog's options and deterministic id (a duplicate id is a no-op in BullMQ). */
export async function enqueue<N extends JobName>(queues: Queues, name: N, data: JobData<N>, opts: JobsOptions = {}): Promise<void> {
  const entry = jobCatalog[name];
  await queues[entry.queue].add(name, entry.schema.parse(data), { ...entry.options, jobId: jobIdFor(name, data), ...opts });
}

/** Adds many jobs of one kind in one round trip; `delayOf` gives each job's delay in ms. */
export async function enqueueBulk<N extends JobName>(queues: Queues, name: N, items: Array<{ data: JobData<N>; delayMs?: number }>): Promise<void> {
  if (items.length === 0) return;
  const entry = jobCatalog[name];
  await queues[entry.queue].addBulk(items.map(({ data, delayMs }) => ({
    name,
    data,
    opts: { ...entry.options, jobId: jobIdFor(name, data), ...(delayMs && delayMs > 0 ? { delay: delayMs } : {}) },
  })));
}
