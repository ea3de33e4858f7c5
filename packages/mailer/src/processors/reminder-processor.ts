/**
 * The `reminder` job: fans one due reminder out to the order's CURRENT recipients (SPEC §2.3 — the
 * contact list is resolved now, not when the reminder was planned).
 *
 * Steps: re-read the order (cancelled or renewed → the reminder is cancelled with the reason, no
 * email); if 09:00 in the organization's CURRENT time zone is still ahead (the zone changed since
 * the reminder was planned), move the reminder and its job to that time; list the contacts; leave out those who left `renewal:<orderId>`, suppressed addresses and
 * non-members (each recorded as a skipped delivery with its reason); record one queued delivery per
 * recipient and enqueue one `send` job each; mark the reminder sent.
 *
 * Re-running is harmless: deliveries are unique per (reminder, email), send jobs have
 * deterministic ids, and a reminder that is no longer `queued`/`planned` is left alone.
 */
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { checkReminderStillValid, renewalListId, selectRecipients, sendAtFor, type ReminderStatus } from '@tickler/domain';
import { enqueueBulk, type NewDelivery, type Processor, type Queues, type Store } from '@tickler/db';

export interface ReminderDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
  /** The clock (default: system time). */
  now?: () => Date;
}

/** A job may run this much before 09:00 local (timer and clock jitter) without being postponed. */
const EARLY_TOLERANCE_MS = 5_000;
/** The widest gap between two time zones' 09:00 of one calendar day. */
const MAX_ZONE_SHIFT_MS = 26 * 3_600_000;

export type ReminderOutcome =
  | { status: 'sent'; recipients: number; skipped: number }
  | { status: 'skipped'; reason: 'no-recipients'; skipped: number }
  | { status: 'cancelled'; reason: string }
  | { status: 'already-handled'; previous: ReminderStatus };

const OPEN: ReadonlySet<ReminderStatus> = new Set(['planned', 'queued']);

export function makeReminderProcessor(deps: ReminderDeps): Processor<'reminder'> {
  const { store, queues } = deps;
  const now = deps.now ?? (() => new Date());
  return async ({ reminderId }, job): Promise<ReminderOutcome> => {
    const reminder = await store.reminders.get(reminderId);
    if (!reminder) throw new UnrecoverableError(`Reminder ${reminderId} does not exist`);
    const log = deps.logger.child({ queue: 'reminders', jobId: job.id, reminderId, orderId: reminder.orderId });
    if (!OPEN.has(reminder.status)) {
      log.info({ status: reminder.status }, 'reminder already handled');
      return { status: 'already-handled', previous: reminder.status };
    }
    const order = await store.directory.getOrder(reminder.orderId);
    const validity = checkReminderStillValid(reminder, order);
    if (!validity.ok || order === null) {
      const reason = validity.ok ? 'order-not-found' : validity.reason;
      await store.reminders.setStatus(reminderId, 'cancelled', reason);
      log.info({ reason }, 'reminder dropped: order changed since it was planned');
      return { status: 'cancelled', reason };
    }

    // Planned for 09:00 in the zone the organization had then; if it moved west since, 09:00 of that
    // day where it is now is up to 26 h later (UTC+14 → UTC−12). Reminders sent early on purpose
    // (catch-up after downtime, a what-if scan) are not later than planned and are left alone.
    const dueAt = sendAtFor(reminder.expiresOn, reminder.offsetDays, order.timeZone);
    const shiftMs = dueAt.getTime() - reminder.sendAt.getTime();
    if (shiftMs > 0 && shiftMs <= MAX_ZONE_SHIFT_MS && dueAt.getTime() - now().getTime() > EARLY_TOLERANCE_MS) {
      // No email before 09:00 where the organization is now: wait there (ledger first, it is the truth).
      if (!job.token) throw new Error(`reminder ${reminderId} is due at ${dueAt.toISOString()} but its job has no worker token to be delayed with`);
      await store.reminders.reschedule(reminderId, dueAt);
      await job.moveToDelayed(dueAt.getTime(), job.token);
      log.info({ sendAt: dueAt, timeZone: order.timeZone }, 'reminder postponed to 09:00 in the organization\'s current time zone');
      throw new DelayedError();
    }

    const listId = renewalListId(reminder.orderId);
    const contacts = await store.directory.listContacts(reminder.orderId);
    const emails = contacts.map((c) => c.email);
    const [unsubscribed, suppressed] = await Promise.all([store.lists.unsubscribedAmong(listId, emails), store.lists.suppressedAmong(emails)]);
    const { recipients, skipped } = selectRecipients({ contacts, unsubscribed, suppressed });

    const base = { sourceType: 'reminder' as const, sourceId: reminderId, listId, orderId: reminder.orderId };
    const rows: NewDelivery[] = [
      ...recipients.map((email) => ({ ...base, email, status: 'queued' as const, reason: null })),
      ...skipped.map(({ email, reason }) => ({ ...base, email, status: 'skipped' as const, reason })),
    ];
    const deliveries = await store.deliveries.upsertMany(rows);
    // Only rows still queued: a re-run must not re-send what a previous run already delivered.
    const toSend = deliveries.filter((d) => d.status === 'queued');
    await enqueueBulk(queues, 'send', toSend.map((d) => ({ data: { deliveryId: d.id } })));

    if (recipients.length === 0) {
      await store.reminders.setStatus(reminderId, 'skipped', 'no-recipients');
      log.warn({ contacts: contacts.length, skipped: skipped.length }, 'reminder has no recipients');
      return { status: 'skipped', reason: 'no-recipients', skipped: skipped.length };
    }
    await store.reminders.setStatus(reminderId, 'sent', null);
    log.info({ recipients: recipients.length, skipped: skipped.length, enqueued: toSend.length }, 'reminder fanned out');
    return { status: 'sent', recipients: recipients.length, skipped: skipped.length };
  };
}
