/** Reminder jobs in Redis: adding ledger rows as (delayed) jobs, and removing cancelled ones. */
import { type ReminderRow } from '@tickler/db';
import { enqueue, enqueueBulk, jobIdFor, type Queues } from '@tickler/queues';
import type { Logger } from 'pino';

/** Hands reminder rows to Redis in `addBulk` chunks, with a bounded number of chunks in flight. */
export interface ReminderEnqueuer {
  /** Starts enqueuing `rows`; returns once all but `maxInFlight` chunks were answered. */
  add(rows: Array<Pick<ReminderRow, 'id' | 'sendAt'>>): Promise<void>;
  /** Waits for every chunk; rejects with the first failure. */
  drain(): Promise<void>;
}

/**
 * One `reminder` job per row, delayed until its `sendAt` when that is after `now`, in chunks of
 * `chunk` jobs with at most `maxInFlight` chunks awaiting Redis. Keeping a few chunks in flight lets
 * Redis work while the caller reads the next page from SQLite. Job ids are deterministic, so
 * re-adding a row whose job still exists is a no-op.
 */
export function makeReminderEnqueuer(queues: Queues, now: Date, options: { chunk: number; maxInFlight: number }): ReminderEnqueuer {
  const inFlight: Array<Promise<void>> = [];
  const waitOldest = async () => {
    await inFlight.shift();
  };
  return {
    async add(rows) {
      for (let i = 0; i < rows.length; i += options.chunk) {
        while (inFlight.length >= options.maxInFlight) await waitOldest();
        const items = rows.slice(i, i + options.chunk).map((r) => ({ data: { reminderId: r.id }, delayMs: Math.max(0, r.sendAt.getTime() - now.getTime()) }));
        const sent = enqueueBulk(queues, 'reminder', items);
        // Awaited later; the no-op handler keeps a failure from surfacing as an unhandled rejection meanwhile.
        sent.catch(() => undefined);
        inFlight.push(sent);
      }
    },
    async drain() {
      while (inFlight.length > 0) await waitOldest();
    },
  };
}

/** Enqueues `rows` (see {@link makeReminderEnqueuer}) and waits for Redis; returns how many. */
export async function enqueueReminderRows(
  queues: Queues, rows: Array<Pick<ReminderRow, 'id' | 'sendAt'>>, now: Date, options: { chunk: number; maxInFlight: number },
): Promise<number> {
  const enqueuer = makeReminderEnqueuer(queues, now, options);
  await enqueuer.add(rows);
  await enqueuer.drain();
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

/**
 * Makes each reminder's job due at its ledger `sendAt` (after the ledger moved them, e.g. to another
 * time zone): a delayed job gets the new delay, or is promoted when already due; a waiting job that
 * is now early is replaced by a delayed one under the same id. An active or finished job is left
 * alone, and a missing one is re-added by reconciliation. Best effort per job, like removal.
 * Returns how many jobs were retimed.
 */
export async function retimeReminderJobs(
  queues: Queues, rows: Array<Pick<ReminderRow, 'id' | 'sendAt'>>, now: Date, logger: Logger,
): Promise<number> {
  let retimed = 0;
  for (const row of rows) {
    const jobId = jobIdFor('reminder', { reminderId: row.id });
    if (!jobId) continue;
    try {
      const job = await queues.reminders.getJob(jobId);
      if (!job) continue;
      const delay = row.sendAt.getTime() - now.getTime();
      const state = await job.getState();
      if (state === 'delayed') {
        await (delay > 0 ? job.changeDelay(delay) : job.promote());
        retimed += 1;
      } else if (state === 'waiting' && delay > 0) {
        await job.remove();
        await enqueue(queues, 'reminder', { reminderId: row.id }, { delay });
        retimed += 1;
      }
    } catch (error) {
      logger.warn({ reminderId: row.id, jobId, err: error }, 'reminder job not re-timed');
    }
  }
  return retimed;
}
