/**
 * Failed-job inspection and replay, shared by `tickler jobs failed|replay` and the admin HTTP routes.
 * Replay only moves failed jobs back to waiting: the send processor's ledger check
 * (`deliveries.claimForSending`) guarantees a delivery already sent is not sent again.
 */
import type { Job, Queue } from 'bullmq';
import { isQueueName, QUEUE_NAMES, type QueueName } from './catalog';
import type { Queues } from './queues';

/** The two ledger calls replay needs (the deliveries repository of @tickler/db has them). */
export interface DeliveryReopener {
  get(id: number): Promise<{ status: string } | null>;
  requeue(id: number): Promise<boolean>;
  /** The deliveries a reminder digest carries, so a failed `digest` job's are reopened too. */
  ofDigest?(digestId: number): Promise<number[]>;
}

/** The reopener of a store: its deliveries, and the deliveries of its reminder digests. */
export function deliveryReopenerOf(store: {
  deliveries: Pick<DeliveryReopener, 'get' | 'requeue'>;
  digests: { get(id: number): Promise<{ deliveries: Array<{ id: number }> } | null> };
}): DeliveryReopener {
  return {
    get: (id) => store.deliveries.get(id),
    requeue: (id) => store.deliveries.requeue(id),
    ofDigest: async (digestId) => (await store.digests.get(digestId))?.deliveries.map((d) => d.id) ?? [],
  };
}

export interface FailedJobView {
  queue: QueueName;
  id: string;
  name: string;
  data: unknown;
  failedReason: string;
  attemptsMade: number;
  /** When the last attempt failed (null if BullMQ did not record it). */
  failedAt: Date | null;
}

export interface FailedJobFilter {
  /** Only this queue (default: all). */
  queue?: QueueName;
  /** Only the job with this id. */
  id?: string;
  /** Only jobs whose last failure is at or after this instant. */
  since?: Date;
  /** At most this many jobs per queue (default 10 000). */
  limit?: number;
}

/** Thrown for a filter that names something that does not exist; `message` says what. */
export class FailedJobsError extends Error {
  override readonly name = 'FailedJobsError';
}

const PAGE = 500;

/** True when `text` names a queue of the catalog. */
function queuesFor(queues: Queues, name?: string): Array<[QueueName, Queue]> {
  if (name !== undefined && !isQueueName(name)) throw new FailedJobsError(`unknown queue "${name}" (queues: ${QUEUE_NAMES.join(', ')})`);
  return (Object.entries(queues) as Array<[QueueName, Queue]>).filter(([q]) => name === undefined || q === name);
}

function view(queue: QueueName, job: Job): FailedJobView {
  return {
    queue, id: String(job.id), name: job.name, data: job.data, failedReason: job.failedReason ?? '',
    attemptsMade: job.attemptsMade, failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

async function failedJobsOf(queue: Queue, filter: FailedJobFilter): Promise<Job[]> {
  if (filter.id !== undefined) {
    const job = await queue.getJob(filter.id);
    return job && (await job.isFailed()) ? [job] : [];
  }
  const limit = filter.limit ?? 10_000;
  const found: Job[] = [];
  for (let start = 0; found.length < limit; start += PAGE) {
    const page = (await queue.getFailed(start, start + PAGE - 1)).filter((j): j is Job => Boolean(j));
    if (page.length === 0) break;
    found.push(...page);
  }
  return found.slice(0, limit);
}

function matches(job: Job, filter: FailedJobFilter): boolean {
  if (filter.since && (!job.finishedOn || job.finishedOn < filter.since.getTime())) return false;
  return true;
}

/** Failed jobs, newest failure first. */
export async function listFailedJobs(queues: Queues, filter: FailedJobFilter = {}): Promise<FailedJobView[]> {
  const all: FailedJobView[] = [];
  for (const [name, queue] of queuesFor(queues, filter.queue)) {
    for (const job of await failedJobsOf(queue, filter)) if (matches(job, filter)) all.push(view(name, job));
  }
  return all.sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0));
}

/**
 * A send job failed for good leaves its delivery `failed` (a digest job: its deliveries), which the
 * send (digest) processor will not claim.
 * Replaying is the operator saying "try again": only a `failed` delivery goes back to `queued`;
 * one that was sent (or skipped) stays as it is, so replay never sends an email twice.
 */
async function reopenDelivery(job: Job, deliveries: DeliveryReopener): Promise<void> {
  const data = job.data as { deliveryId?: unknown; digestId?: unknown } | undefined;
  const ids = job.name === 'send' && typeof data?.deliveryId === 'number' ? [data.deliveryId]
    : job.name === 'digest' && typeof data?.digestId === 'number' && deliveries.ofDigest ? await deliveries.ofDigest(data.digestId)
      : [];
  for (const id of ids) if ((await deliveries.get(id))?.status === 'failed') await deliveries.requeue(id);
}

/**
 * Moves matching failed jobs back to waiting (attempts start again). Returns what was replayed.
 * With `id`, a job that is not failed (or missing) is an error naming it. Pass `deliveries` so that
 * permanently failed sends are reopened (see {@link reopenDelivery}).
 */
export async function replayFailedJobs(
  queues: Queues, filter: FailedJobFilter = {}, deliveries?: DeliveryReopener,
): Promise<{ replayed: number; jobs: Array<{ queue: QueueName; id: string }> }> {
  const jobs: Array<{ queue: QueueName; id: string }> = [];
  for (const [name, queue] of queuesFor(queues, filter.queue)) {
    for (const job of await failedJobsOf(queue, filter)) {
      if (!matches(job, filter)) continue;
      if (deliveries) await reopenDelivery(job, deliveries);
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      jobs.push({ queue: name, id: String(job.id) });
    }
  }
  if (filter.id !== undefined && jobs.length === 0) {
    throw new FailedJobsError(`no failed job with id "${filter.id}"${filter.queue ? ` in queue ${filter.queue}` : ''}`);
  }
  return { replayed: jobs.length, jobs };
}
