/**
 * After downtime only the latest due reminder of a cycle is sent (SPEC §3). `planReminders` takes
 * care of reminders planned in the same window; this covers the ones an earlier scan already
 * queued (delayed, through its look-ahead) that are now overtaken by a later due reminder.
 */
import type { ReminderRow, Store } from '@tickler/db';
import type { Queues } from '@tickler/queues';
import type { Logger } from 'pino';
import { removeReminderJobs } from './reminder-jobs';

/**
 * For each reminder in `dueRows` (queued, sendAt ≤ now), records earlier still-queued reminders
 * of the same cycle (order, kind, expiry) as `skipped`/`superseded` — one statement for all of
 * them — and removes their jobs. Returns how many were superseded.
 */
export async function supersedeEarlierReminders(
  deps: { store: Store; queues: Queues; logger: Logger }, dueRows: ReminderRow[],
): Promise<number> {
  if (dueRows.length === 0) return 0;
  const superseded = await deps.store.reminders.supersedeEarlier(dueRows.map((r) => r.id));
  for (const row of superseded) deps.logger.info({ reminderId: row.id, orderId: row.orderId, supersededBy: row.supersededBy }, 'reminder superseded');
  if (superseded.length > 0) await removeReminderJobs(deps.queues, superseded.map((r) => r.id), deps.logger);
  return superseded.length;
}
