/**
 * The `reminder` job: fans one due reminder out to the order's CURRENT recipients (SPEC §2.3 — the
 * contact list is resolved now, not when the reminder was planned; see reminder-fan-out.ts), enqueues
 * one `send` job per recipient and marks the reminder sent. With digests on (the default), the job
 * handles every reminder of the organization due at the same send time, so each person gets one
 * email (reminders-due-together.ts).
 *
 * Re-running is harmless: deliveries are unique per (reminder, email), send jobs have
 * deterministic ids, and a reminder that is no longer `queued` is left alone.
 */
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { ReminderStatus } from '@tickler/domain';
import { type Store } from '@tickler/db';
import { enqueueBulk, type Processor, type Queues } from '@tickler/queues';
import { fanOutReminder, settleReminder } from './reminder-fan-out';
import { processRemindersDueTogether } from './reminders-due-together';

export interface ReminderDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
  /** REMINDER_DIGEST: one email per person for an organization's reminders due together (default true). */
  digest?: boolean;
  /** How long a digest job waits for late members of its group, ms (default 15 s, see reminders-due-together.ts). */
  digestSettleMs?: number;
  /** The clock deciding which reminders are due (default: the system's). */
  now?: () => Date;
}

export type ReminderOutcome =
  | { status: 'sent'; recipients: number; skipped: number }
  | { status: 'skipped'; reason: 'no-recipients'; skipped: number }
  | { status: 'skipped'; reason: 'superseded'; by: number }
  | { status: 'cancelled'; reason: string }
  | { status: 'already-handled'; previous: ReminderStatus };

const OPEN: ReadonlySet<ReminderStatus> = new Set(['queued']);

export function makeReminderProcessor(deps: ReminderDeps): Processor<'reminder'> {
  const { store, queues } = deps;
  return async ({ reminderId }, job): Promise<ReminderOutcome> => {
    const reminder = await store.reminders.get(reminderId);
    if (!reminder) throw new UnrecoverableError(`Reminder ${reminderId} does not exist`);
    const log = deps.logger.child({ queue: 'reminders', jobId: job.id, reminderId, orderId: reminder.orderId });
    if (!OPEN.has(reminder.status)) {
      log.info({ status: reminder.status }, 'reminder already handled');
      return { status: 'already-handled', previous: reminder.status };
    }
    const order = await store.directory.getOrder(reminder.orderId);
    if ((deps.digest ?? true) && order) return processRemindersDueTogether(deps, reminder, order, log);

    const fanOut = await fanOutReminder(store, reminder, order, deps.now?.() ?? new Date());
    if (fanOut.status === 'cancelled') {
      log.info({ reason: fanOut.reason }, 'reminder dropped: order changed since it was planned');
      return fanOut;
    }
    if (fanOut.status === 'superseded') {
      log.info({ by: fanOut.by }, 'reminder skipped: a later reminder of its cycle is due too');
      return { status: 'skipped', reason: 'superseded', by: fanOut.by };
    }
    await enqueueBulk(queues, 'send', fanOut.toSend.map((d) => ({ data: { deliveryId: d.id } })));
    await settleReminder(store, reminderId, fanOut);
    if (fanOut.recipients === 0) {
      log.warn({ contacts: fanOut.contacts, skipped: fanOut.skipped }, 'reminder has no recipients');
      return { status: 'skipped', reason: 'no-recipients', skipped: fanOut.skipped };
    }
    log.info({ recipients: fanOut.recipients, skipped: fanOut.skipped, enqueued: fanOut.toSend.length }, 'reminder fanned out');
    return { status: 'sent', recipients: fanOut.recipients, skipped: fanOut.skipped };
  };
}
