import { deliveryReopenerOf, replayFailedJobs, type FailedJobFilter } from '@tickler/queues';
import type { Env } from '../env';
import { withRuntime } from '../runtime/with-runtime';
import { rethrow } from './jobs-failed';

/**
 * `tickler jobs replay [--queue Q] [--id ID] [--since DURATION]`: retries failed jobs. A delivery
 * already sent is never sent again (the send processor checks the ledger first).
 */
export async function jobsReplayCommand(env: Env, opts: { queue?: string; id?: string; since?: number }): Promise<void> {
  await withRuntime(env, async ({ queues, store }) => {
    const since = opts.since === undefined ? undefined : new Date(Date.now() - opts.since);
    const { replayed, jobs } = await replayFailedJobs(queues, { queue: opts.queue as FailedJobFilter['queue'], id: opts.id, since }, deliveryReopenerOf(store)).catch(rethrow);
    const byQueue = new Map<string, number>();
    for (const j of jobs) byQueue.set(j.queue, (byQueue.get(j.queue) ?? 0) + 1);
    const detail = [...byQueue].map(([q, n]) => `${q}: ${n}`).join(', ');
    process.stdout.write(`${replayed} failed job${replayed === 1 ? '' : 's'} replayed${detail ? ` (${detail})` : ''}\n`);
  });
}
