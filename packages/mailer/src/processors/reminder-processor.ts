/**
 * The `reminder` job: fans one due reminder out to the order's CURRENT recipients (SPEC §2.3 — the
 * contact list is resolved now, not when the reminder was planned).
 *
 * Steps: re-read the order (cancelled or renewed → the reminder is cancelled with the reason, no
 * email); list the contacts; leave out those who left `renewal:<orderId>`, suppressed addresses and
 * non-members (each recorded as a skipped delivery with its reason); record one queued delivery per
 * recipient and enqueue one `send` job each; mark the reminder sent.
 *
 * Re-running is harmless: deliveries are unique per (reminder, email), send jobs have
 * deterministic ids, and a reminder that is no longer `queued`/`planned` is left alone.
 */
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { checkReminderStillValid, renewalListId, selectRecipients, type ReminderStatus } from '@tickler/domain';
import { type NewDelivery, type Store } from '@tickler/db';
import { enqueueBulk, type Processor, type Queues } from '@tickler/queues';

export interface ReminderDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
}

export type ReminderOutcome =
  | { status: 'sent'; recipients: number; skipped: number }
  | { status: 'skipped'; reason: 'no-recipients'; skipped: number }
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
    const validity = checkReminderStillValid(reminder, order);
    if (!validity.ok) {
      await store.reminders.setStatus(reminderId, 'cancelled', validity.reason);
      log.info({ reason: validity.reason }, 'reminder dropped: order changed since it was planned');
      return { status: 'cancelled', reason: validity.reason };
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
