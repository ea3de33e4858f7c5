/** A renewal reminder to one contact of an order, re-checked against the order at send time. */
import { checkReminderStillValid, reminderVariant, renewalListId, renewalListLabel } from '@tickler/domain';
import { daysText, reminderTemplateName, renderEmail, type ReminderEmailData } from '../../templates';
import { listHeaders, preferencesUrl, renewUrl, unsubscribeUrl } from '../links';
import { daysUntil, displayDate } from './format';
import type { Composer } from './types';

export const composeReminder: Composer = async ({ store, templates, config }, delivery, now) => {
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
  const unsubscribe = unsubscribeUrl(config, delivery.email, listId);
  const data: ReminderEmailData = {
    variant: reminderVariant(daysLeft),
    orderNumber: order.id,
    product: order.product,
    organizationName: order.organizationName,
    expiresOn: displayDate(reminder.expiresOn),
    daysLeft,
    daysText: daysText(daysLeft),
    renewUrl: renewUrl(config, order.id),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
    listName: renewalListLabel(order.id),
    unsubscribeUrl: unsubscribe,
    preferencesUrl: preferencesUrl(config, delivery.email),
  };
  const email = renderEmail(templates, reminderTemplateName(reminder.kind), data);
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
