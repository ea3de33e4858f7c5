/**
 * Reconciliation: the SQLite ledger is the truth, Redis only carries jobs. Re-adds a job for every
 * ledger row that still waits for one — queued reminders due within the look-ahead, deliveries
 * still queued (or stuck sending) — alone or in a reminder digest —, pending billing events. Job ids are deterministic, so re-adding
 * a job that still exists is a no-op; after Redis lost its data (flush, failover) this restores
 * every job. Runs at the end of every scan job.
 */
import { type DeliveryRow, type ReminderRow } from '@tickler/db';
import { enqueueBulk, jobIdFor, orderEventJobData, type JobData, type Queues } from '@tickler/queues';
import { enqueueOptionsOf, type SchedulerDeps } from './config';
import { enqueueReminderRows } from './reminder-jobs';

export interface ReconcileReport {
  /** Queued reminders whose job was missing from Redis and was added again. */
  reminders: number;
  /** Unfinished deliveries handed to Redis again. */
  deliveries: number;
  /** Pending billing events handed to Redis again. */
  events: number;
}

/** Re-enqueues what the ledger says should be in Redis at `now`. */
export async function reconcile(deps: SchedulerDeps, now: Date): Promise<ReconcileReport> {
  const { store, queues, config, logger } = deps;
  const limit = config.reconcileLimit;
  const queued = await store.reminders.listQueued(new Date(now.getTime() + config.lookAheadMs), limit);
  // Re-adding an existing job is a no-op but costs a round of Redis work per row (seconds for tens of
  // thousands), so only rows whose job key is gone are re-added. A failed job still exists: reviving
  // it is an admin's replay, not reconciliation.
  const reminders = await withoutJobs(queues, queued);
  await enqueueReminderRows(queues, reminders, now, enqueueOptionsOf(config));

  const deliveries = await store.deliveries.listUnfinished(new Date(now.getTime() - config.staleSendingMs), limit);
  const { singles, digests } = sendJobsOf(deliveries);
  await enqueueChunked(queues, 'send', singles, config.enqueueChunk);
  await enqueueChunked(queues, 'digest', digests, config.enqueueChunk);

  const events = (await store.inboundEvents.listPending(limit)).filter((e) => e.source === 'billing');
  await enqueueChunked(queues, 'order-event', events.map((e) => ({ data: orderEventJobData(e) })), config.enqueueChunk);

  const report = { reminders: reminders.length, deliveries: deliveries.length, events: events.length };
  if (Object.values(report).some((n) => n >= limit)) logger.warn({ ...report, limit }, 'reconciliation hit its limit; rows past it wait for a later run');
  logger.info(report, 'reconciliation finished');
  return report;
}

/** The rows whose `reminder` job no longer exists in Redis (one pipelined EXISTS per row). */
async function withoutJobs(queues: Queues, rows: ReminderRow[]): Promise<ReminderRow[]> {
  if (rows.length === 0) return [];
  const queue = queues.reminders;
  const client = await queue.backend.client;
  const missing: ReminderRow[] = [];
  for (let i = 0; i < rows.length; i += 10_000) {
    const slice = rows.slice(i, i + 10_000);
    const pipeline = client.pipeline();
    for (const r of slice) pipeline.runCommand('exists', [queue.toKey(jobIdFor('reminder', { reminderId: r.id })!)]);
    const results = (await pipeline.exec()) ?? [];
    slice.forEach((r, k) => { if (results[k]?.[1] === 0) missing.push(r); });
  }
  return missing;
}

/**
 * The jobs that send unfinished deliveries: one `send` job per delivery of its own, one `digest`
 * job per reminder digest (named by its lowest unfinished delivery, as the reminder job names it).
 */
export function sendJobsOf(deliveries: DeliveryRow[]): { singles: Array<{ data: JobData<'send'> }>; digests: Array<{ data: JobData<'digest'> }> } {
  const firstOfDigest = new Map<number, number>();
  const singles: Array<{ data: JobData<'send'> }> = [];
  for (const d of deliveries) {
    if (d.digestId === null) singles.push({ data: { deliveryId: d.id } });
    else firstOfDigest.set(d.digestId, Math.min(d.id, firstOfDigest.get(d.digestId) ?? d.id));
  }
  return { singles, digests: [...firstOfDigest].map(([digestId, firstDeliveryId]) => ({ data: { digestId, firstDeliveryId } })) };
}

async function enqueueChunked<N extends 'send' | 'digest' | 'order-event'>(
  queues: Queues, name: N, items: Parameters<typeof enqueueBulk<N>>[2], chunk: number,
): Promise<void> {
  for (let i = 0; i < items.length; i += chunk) await enqueueBulk(queues, name, items.slice(i, i + chunk));
}
