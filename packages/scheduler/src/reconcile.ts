/**
 * Reconciliation: the ledger is the truth, Redis only carries jobs. Every ledger row that still waits
 * for a job — queued reminders due within the look-ahead, queued deliveries (and those stuck
 * sending past `staleSendingMs`), alone or in a reminder digest, pending billing events — gets one:
 * - its job is gone (Redis flushed, a failover lost writes): added again;
 * - its job failed for good while the row still waits (its attempts ran out while the database was
 *   away — a failed send or fan-out writes its own outcome to the row, so a row still waiting means
 *   the job never got that far): retried with fresh attempts;
 * - its job exists in any other state: left alone.
 * Runs at the end of every scan job; the report counts only what it changed.
 */
import { type DeliveryRow } from '@tickler/db';
import { enqueueBulk, jobPresence, orderEventJobData, retryFailedJobs, type JobData, type Queues } from '@tickler/queues';
import { enqueueOptionsOf, type SchedulerDeps } from './config';
import { enqueueReminderRows } from './reminder-jobs';

export interface ReconcileReport {
  /** Queued reminders whose job was missing from Redis and was added again. */
  reminders: number;
  /** Unfinished deliveries (single emails and digests) whose job was added again. */
  deliveries: number;
  /** Pending billing events whose job was added again. */
  events: number;
  /** Failed jobs of rows that still wait, moved back to waiting with fresh attempts. */
  retried: number;
}

/** Re-enqueues what the ledger says should be in Redis at `now`. */
export async function reconcile(deps: SchedulerDeps, now: Date): Promise<ReconcileReport> {
  const { store, queues, config, logger } = deps;
  const limit = config.reconcileLimit;
  const report: ReconcileReport = { reminders: 0, deliveries: 0, events: 0, retried: 0 };

  const queued = await store.reminders.listQueued(new Date(now.getTime() + config.lookAheadMs), limit);
  const byId = new Map(queued.map((r) => [r.id, r]));
  report.reminders = await restore(queues, 'reminder', queued.map((r) => ({ reminderId: r.id })), report, async (missing) => {
    await enqueueReminderRows(queues, missing.map(({ reminderId }) => byId.get(reminderId)!), now, enqueueOptionsOf(config));
  });

  const deliveries = await store.deliveries.listUnfinished(new Date(now.getTime() - config.staleSendingMs), limit);
  const { singles, digests } = sendJobsOf(deliveries);
  const addChunked = <N extends 'send' | 'digest' | 'order-event'>(name: N) => async (missing: Array<JobData<N>>) => {
    for (let i = 0; i < missing.length; i += config.enqueueChunk) {
      await enqueueBulk(queues, name, missing.slice(i, i + config.enqueueChunk).map((data) => ({ data })));
    }
  };
  report.deliveries = await restore(queues, 'send', singles, report, addChunked('send'))
    + await restore(queues, 'digest', digests, report, addChunked('digest'));

  const events = (await store.inboundEvents.listPending(limit)).filter((e) => e.source === 'billing');
  report.events = await restore(queues, 'order-event', events.map(orderEventJobData), report, addChunked('order-event'));

  const listed = Math.max(queued.length, deliveries.length, events.length);
  if (listed >= limit) logger.warn({ ...report, limit }, 'reconciliation hit its limit; rows past it wait for a later run');
  if (report.retried > 0) logger.warn(report, 'reconciliation retried failed jobs of rows that still wait (their attempts ran out while the database was away?)');
  logger.info(report, 'reconciliation finished');
  return report;
}

/**
 * Adds the jobs of `payloads` that Redis lost (through `add`) and retries those that failed for
 * good (counted into `report.retried`); returns how many were added.
 */
async function restore<N extends 'reminder' | 'send' | 'digest' | 'order-event'>(
  queues: Queues, name: N, payloads: Array<JobData<N>>, report: ReconcileReport, add: (missing: Array<JobData<N>>) => Promise<void>,
): Promise<number> {
  const { missing, failed } = await jobPresence(queues, name, payloads);
  await add(missing);
  report.retried += await retryFailedJobs(queues, name, failed);
  return missing.length;
}

/**
 * The jobs that send unfinished deliveries: one `send` job per delivery of its own, one `digest`
 * job per reminder digest (named by its lowest unfinished delivery, as the reminder job names it).
 */
function sendJobsOf(deliveries: DeliveryRow[]): { singles: Array<JobData<'send'>>; digests: Array<JobData<'digest'>> } {
  const firstOfDigest = new Map<number, number>();
  const singles: Array<JobData<'send'>> = [];
  for (const d of deliveries) {
    if (d.digestId === null) singles.push({ deliveryId: d.id });
    else firstOfDigest.set(d.digestId, Math.min(d.id, firstOfDigest.get(d.digestId) ?? d.id));
  }
  return { singles, digests: [...firstOfDigest].map(([digestId, firstDeliveryId]) => ({ digestId, firstDeliveryId })) };
}
