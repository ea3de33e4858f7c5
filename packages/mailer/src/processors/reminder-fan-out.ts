/**
 * One reminder's fan-out to the order's CURRENT recipients (SPEC §2.3): re-read the order
 * (cancelled or renewed → the reminder is cancelled with the reason, no email); if a later reminder
 * of its cycle is due too (the mailer was down or behind, SPEC §3), record it `skipped`/`superseded`
 * and send nothing: only the latest due one goes out; list the contacts;
 * leave out those who left `renewal:<orderId>`, suppressed addresses and non-members (each recorded
 * as a skipped delivery with its reason); record one queued delivery per recipient. Idempotent:
 * deliveries are unique per (reminder, email). The caller enqueues and then settles the reminder.
 */
import { checkReminderStillValid, renewalListId, selectRecipients, supersedingReminder } from '@tickler/domain';
import type { DeliveryRow, NewDelivery, OrderWithZone, ReminderRow, Store } from '@tickler/db';

export type FanOut =
  | { status: 'cancelled'; reason: string }
  | { status: 'superseded'; by: number }
  | { status: 'fanned-out'; recipients: number; skipped: number; contacts: number; toSend: DeliveryRow[] };

/** `cycle`: the order's reminders when the caller read them already (a digest group reads all its orders' at once). */
export async function fanOutReminder(store: Store, reminder: ReminderRow, order: OrderWithZone | null, now: Date, cycle?: ReminderRow[]): Promise<FanOut> {
  const validity = checkReminderStillValid(reminder, order);
  if (!validity.ok) {
    await store.reminders.setStatus(reminder.id, 'cancelled', validity.reason);
    return { status: 'cancelled', reason: validity.reason };
  }
  const later = supersedingReminder(reminder, cycle ?? await store.reminders.listForOrders([reminder.orderId]), now);
  if (later) {
    await store.reminders.setStatus(reminder.id, 'skipped', 'superseded');
    return { status: 'superseded', by: later.id };
  }
  const listId = renewalListId(reminder.orderId);
  const contacts = await store.directory.listContacts(reminder.orderId);
  const emails = contacts.map((c) => c.email);
  const [unsubscribed, suppressed] = await Promise.all([store.lists.unsubscribedAmong(listId, emails), store.lists.suppressedAmong(emails)]);
  const { recipients, skipped } = selectRecipients({ contacts, unsubscribed, suppressed });
  const base = { sourceType: 'reminder' as const, sourceId: reminder.id, listId, orderId: reminder.orderId };
  const rows: NewDelivery[] = [
    ...recipients.map((email) => ({ ...base, email, status: 'queued' as const, reason: null })),
    ...skipped.map(({ email, reason }) => ({ ...base, email, status: 'skipped' as const, reason })),
  ];
  const deliveries = await store.deliveries.upsertMany(rows);
  // Only rows still queued: a re-run must not re-send what a previous run already delivered.
  return { status: 'fanned-out', recipients: recipients.length, skipped: skipped.length, contacts: contacts.length, toSend: deliveries.filter((d) => d.status === 'queued') };
}

/** Records a fanned-out reminder as sent, or skipped when it had no recipient. Call after its jobs are enqueued. */
export async function settleReminder(store: Store, reminderId: number, fanOut: Extract<FanOut, { status: 'fanned-out' }>): Promise<void> {
  if (fanOut.recipients === 0) await store.reminders.setStatus(reminderId, 'skipped', 'no-recipients');
  else await store.reminders.setStatus(reminderId, 'sent', null);
}
