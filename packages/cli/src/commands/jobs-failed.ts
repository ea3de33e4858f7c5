import { FailedJobsError, listFailedJobs, type FailedJobFilter } from '@tickler/queues';
import type { Env } from '../env';
import { formatTable, oneLineOf } from '../output/table';
import { CliError } from '../runtime/errors';
import { withRuntime } from '../runtime/with-runtime';

/** `tickler jobs failed [--queue Q]`: failed jobs with their last error, newest first. */
export async function jobsFailedCommand(env: Env, opts: { queue?: string }): Promise<void> {
  await withRuntime(env, async ({ queues }) => {
    const jobs = await listFailedJobs(queues, { queue: opts.queue as FailedJobFilter['queue'] }).catch(rethrow);
    if (jobs.length === 0) {
      process.stdout.write(`no failed jobs${opts.queue ? ` in queue ${opts.queue}` : ''}\n`);
      return;
    }
    const rows = jobs.map((j) => [j.queue, j.id, j.failedAt?.toISOString() ?? '', j.attemptsMade, oneLineOf(JSON.stringify(j.data), 40), oneLineOf(j.failedReason, 80)]);
    process.stdout.write(`${formatTable(['queue', 'job id', 'failed at', 'attempts', 'data', 'error'], rows)}\n${jobs.length} failed job${jobs.length === 1 ? '' : 's'}\n`);
  });
}

export function rethrow(error: unknown): never {
  if (error instanceof FailedJobsError) throw new CliError(error.message);
  throw error;
}
