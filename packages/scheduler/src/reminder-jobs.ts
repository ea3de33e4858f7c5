/** Reminder jobs in Redis: adding ledger rows as (delayed) jobs, and removing cancelled ones. */
import { enqueueBulk, jobIdFor, type Queues, type ReminderRow } from '@tickler/db';
import type { Logger } from 'pino';

/**
 * Enqueues one `reminder` job per row, delayed until its `sendAt` when that is after `now`, in
 * round trips of `chunk` jobs. Job ids are deterministic, so re-adding a row whose job still
 * exists is a no-op. Returns the number of rows handed to Redis.
 */
export async function enqueueReminderRows(queues: Queues, rows: Array<Pick<ReminderRow, 'id' | 'sendAt'>>, now: Date, chunk: number): Promise<number> {
  for (let i = 0; i < rows.length; i += chunk) {
    const items = rows.slice(i, i + chunk).map((r) => ({ data: { reminderId: r.id }, delayMs: Math.max(0, r.sendAt.getTime() - now.getTime()) }));
    await enqueueBulk(queues, 'reminder', items);
  }
  return rows.length;
}

/**
 * Removes the jobs of reminders that will not be sent any more (cancelled, superseded). Best
 * effort: a job that is running or already gone is left alone — the reminder processor re-checks
 * the ledger and the order before sending anyway. Returns how many jobs were removed.
 */
export async function removeReminderJobs(queues: Queues, reminderIds: number[], logger: Logger): Promise<number> {
  let removed = 0;
  for (const reminderId of reminderIds) {
    const jobId = jobIdFor('reminder', { reminderId });
    if (!jobId) continue;
    try {
      removed += await queues.reminders.remove(jobId);
    } catch (error) {
      logger.warn({ reminderId, jobId, err: error }, 'reminder job not removed');
    }
  }
  return removed;
}
