/** A renewal reminder to one contact of an order, re-checked against the order at send time. */
import { checkReminderStillValid, reminderVariant, renewalListId, type ListId, type SupportedLocale } from '@tickler/domain';
import type { DeliveryRow, OrderWithZone, ReminderRow } from '@tickler/db';
import { displayDate, reminderTemplateName, renderEmail, renewalListName, translator, type ReminderEmailData } from '../../templates';
import { listHeaders, preferencesUrl, renewUrl, unsubscribeUrl } from '../links';
import { daysUntil } from './format';
import { recipientLocale } from './locale';
import type { ComposeDeps, Composed, Composer } from './types';

/** A reminder delivery that is still to be sent, with what its email shows. */
export interface DueReminder { reminder: ReminderRow; order: OrderWithZone; listId: ListId; daysLeft: number }

/**
 * Re-checks a reminder delivery at send time: the reminder and its order (cancelled or renewed →
 * skip with the reason), and the recipient (SPEC §2.3: the list is resolved when the email is
 * sent — a contact removed or an unsubscribe since the fan-out must still win).
 */
export async function resolveReminder({ store }: ComposeDeps, delivery: DeliveryRow, now: Date): Promise<DueReminder | { skip: string }> {
  const reminder = await store.reminders.get(delivery.sourceId);
  if (!reminder) return { skip: 'reminder-not-found' };
  if (reminder.status === 'cancelled') return { skip: `reminder-cancelled${reminder.reason ? `: ${reminder.reason}` : ''}` };
  const order = await store.directory.getOrder(reminder.orderId);
  const validity = checkReminderStillValid(reminder, order);
  if (!validity.ok) return { skip: validity.reason };
  if (!order) return { skip: 'order-not-found' };
  const listId = renewalListId(order.id);
  if (!(await store.directory.isContact(order.id, delivery.email))) return { skip: 'not-a-contact' };
  if (await store.lists.isUnsubscribed(delivery.email, listId)) return { skip: 'unsubscribed' };
  // Days left from the day it is actually sent, in the organization's zone — not from the offset: a
  // reminder moved off a weekend says "in 2 days" on the Friday before a Sunday expiry.
  return { reminder, order, listId, daysLeft: daysUntil(reminder.expiresOn, now, order.timeZone) };
}

/** The single-order reminder email of a resolved delivery, in `locale` (see `recipientLocale`). */
export function reminderEmail({ templates, config }: ComposeDeps, delivery: DeliveryRow, due: DueReminder, locale: SupportedLocale): Composed {
  const { reminder, order, listId, daysLeft } = due;
  const unsubscribe = unsubscribeUrl(config, delivery.email, listId);
  const data: ReminderEmailData = {
    variant: reminderVariant(daysLeft),
    orderNumber: order.id,
    product: order.product,
    organizationName: order.organizationName,
    expiresOn: displayDate(reminder.expiresOn, locale),
    daysLeft,
    days: Math.abs(daysLeft),
    renewUrl: renewUrl(config, order.id, translator(templates, locale)),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
    listName: renewalListName(translator(templates, locale), order.id),
    unsubscribeUrl: unsubscribe,
    preferencesUrl: preferencesUrl(config, delivery.email),
  };
  const email = renderEmail(templates, reminderTemplateName(reminder.kind), data, locale);
  return {
    send: {
      from: config.fromReminders,
      to: delivery.email,
      ...email,
      headers: listHeaders(config, unsubscribe, listId),
      tags: { delivery: String(delivery.id), source: 'reminder', reminder: String(reminder.id), kind: reminder.kind },
    },
  };
}

export const composeReminder: Composer = async (deps, delivery, now) => {
  const due = await resolveReminder(deps, delivery, now);
  if ('skip' in due) return due;
  return reminderEmail(deps, delivery, due, await recipientLocale(deps, delivery.email, due.order.organizationLocale));
};
