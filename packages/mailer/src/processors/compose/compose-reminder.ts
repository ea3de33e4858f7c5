/** A renewal reminder to one contact of an order, re-checked against the order at send time. */
import { checkReminderStillValid, reminderVariant, renewalListId } from '@tickler/domain';
import { displayDate, reminderTemplateName, renderEmail, translator, type ReminderEmailData } from '../../templates';
import { listHeaders, preferencesUrl, renewUrl, unsubscribeUrl } from '../links';
import { daysUntil } from './format';
import { recipientLocale } from './locale';
import type { Composer } from './types';

export const composeReminder: Composer = async (deps, delivery, now) => {
  const { store, templates, config } = deps;
  const reminder = await store.reminders.get(delivery.sourceId);
  if (!reminder) return { skip: 'reminder-not-found' };
  if (reminder.status === 'cancelled') return { skip: `reminder-cancelled${reminder.reason ? `: ${reminder.reason}` : ''}` };
  const order = await store.directory.getOrder(reminder.orderId);
  const validity = checkReminderStillValid(reminder, order);
  if (!validity.ok) return { skip: validity.reason };
  if (!order) return { skip: 'order-not-found' };
  // The list is resolved when the email is sent (SPEC §2.3): the fan-out was moments ago, but a
  // contact removed or an unsubscribe in between must still win.
  const listId = renewalListId(order.id);
  if (!(await store.directory.isContact(order.id, delivery.email))) return { skip: 'not-a-contact' };
  if (await store.lists.isUnsubscribed(delivery.email, listId)) return { skip: 'unsubscribed' };

  // Days left from the day it is actually sent, in the organization's zone — not from the offset: a
  // reminder moved off a weekend says "in 2 days" on the Friday before a Sunday expiry.
  const daysLeft = daysUntil(reminder.expiresOn, now, order.timeZone);
  const locale = await recipientLocale(deps, delivery.email, order.organizationLocale);
  const unsubscribe = unsubscribeUrl(config, delivery.email, listId);
  const data: ReminderEmailData = {
    variant: reminderVariant(daysLeft),
    orderNumber: order.id,
    product: order.product,
    organizationName: order.organizationName,
    expiresOn: displayDate(reminder.expiresOn, locale),
    daysLeft,
    days: Math.abs(daysLeft),
    renewUrl: renewUrl(config, order.id),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
    listName: translator(templates, locale)('lists.renewal', { orderNumber: order.id }),
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
};
