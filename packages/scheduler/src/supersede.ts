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
 * of the same cycle (order, kind, expiry) as `skipped`/`superseded` and removes their jobs.
 * Returns how many were superseded.
 */
export async function supersedeEarlierReminders(
  deps: { store: Store; queues: Queues; logger: Logger }, dueRows: ReminderRow[],
): Promise<number> {
  const superseded: number[] = [];
  for (const due of dueRows) {
    const ledger = await deps.store.reminders.listForOrder(due.orderId);
    for (const row of ledger) {
      const sameCycle = row.kind === due.kind && row.expiresOn === due.expiresOn;
      if (sameCycle && row.status === 'queued' && row.sendAt.getTime() < due.sendAt.getTime()) {
        await deps.store.reminders.setStatus(row.id, 'skipped', 'superseded');
        superseded.push(row.id);
        deps.logger.info({ reminderId: row.id, orderId: row.orderId, supersededBy: due.id }, 'reminder superseded');
      }
    }
  }
  if (superseded.length > 0) await removeReminderJobs(deps.queues, superseded, deps.logger);
  return superseded.length;
}
