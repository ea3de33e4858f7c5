/**
 * What Redis holds for the jobs the ledger expects: reconciliation asks, for every payload, whether
 * its job (by its deterministic id) is gone — Redis lost it, so it is added again — or sits in the
 * failed set — its attempts ran out while the database was away, so it is retried. A job that
 * exists in any other state is left alone.
 */
import { Job } from 'bullmq';
import { jobCatalog, jobIdFor, type JobData, type JobName } from './catalog';
import type { Queues } from './queues';

/** Payloads per pipelined round trip. */
const ROUND = 10_000;

export interface JobPresence<N extends JobName> {
  /** Payloads whose job no longer exists in Redis. */
  missing: Array<JobData<N>>;
  /** Ids of jobs that exist and failed for good. */
  failed: string[];
}

/** Sorts `payloads` of job `name` by what Redis holds for their job (two commands per payload, pipelined). */
export async function jobPresence<N extends JobName>(queues: Queues, name: N, payloads: Array<JobData<N>>): Promise<JobPresence<N>> {
  const presence: JobPresence<N> = { missing: [], failed: [] };
  if (payloads.length === 0) return presence;
  const queue = queues[jobCatalog[name].queue];
  const client = await queue.backend.client;
  const failedKey = queue.toKey('failed');
  for (let i = 0; i < payloads.length; i += ROUND) {
    const slice = payloads.slice(i, i + ROUND);
    const ids = slice.map((data) => jobIdFor(name, data)!);
    const pipeline = client.pipeline();
    for (const id of ids) {
      pipeline.runCommand('exists', [queue.toKey(id)]);
      pipeline.runCommand('zscore', [failedKey, id]);
    }
    const results = (await pipeline.exec()) ?? [];
    slice.forEach((data, k) => {
      const [exists, failedScore] = [results[2 * k]?.[1], results[2 * k + 1]?.[1]];
      if (exists === 0) presence.missing.push(data);
      else if (failedScore !== null && failedScore !== undefined) presence.failed.push(ids[k]!);
    });
  }
  return presence;
}

/**
 * Moves the failed jobs `ids` of job `name` back to waiting with fresh attempts; a job that left
 * the failed set meanwhile (replayed, removed) is skipped. Returns how many moved.
 */
export async function retryFailedJobs(queues: Queues, name: JobName, ids: string[]): Promise<number> {
  const queue = queues[jobCatalog[name].queue];
  let retried = 0;
  for (const id of ids) {
    const job = await Job.fromId(queue, id);
    if (!job || !(await job.isFailed())) continue;
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    retried += 1;
  }
  return retried;
}
