/**
 * A reminder digest: the claimed deliveries of one organization's reminders due together for one
 * address, re-checked one by one at send time. Deliveries whose order was renewed or cancelled, or
 * whose recipient left the order's list or its contacts, drop out with their reason; one remaining
 * delivery is the single-order email of today; none is no email.
 */
import { reminderVariant, type SupportedLocale } from '@tickler/domain';
import type { DeliveryRow } from '@tickler/db';
import { displayDate, renderEmail, REMINDER_DIGEST_TEMPLATE, translator, type ReminderDigestEmailData } from '../../templates';
import { digestUnsubscribeUrl, listHeaders, preferencesUrl, renewUrl, unsubscribeUrl } from '../links';
import { reminderEmail, resolveReminder, type DueReminder } from './compose-reminder';
import { recipientLocale } from './locale';
import type { ComposeDeps, Composed } from './types';

export interface ComposedDigest {
  /** The email to send, or null when no delivery remains. */
  email: Composed | null;
  /** The deliveries the email carries (by id). */
  carried: DeliveryRow[];
  /** The deliveries that dropped out, each with why. */
  dropped: Array<{ delivery: DeliveryRow; reason: string }>;
}

/** The List-Id of an organization's renewal digest, e.g. `<renewal-digest.org-1.tickler.example.com>`. */
export const digestListLabel = (organizationId: string): `renewal-digest:${string}` => `renewal-digest:${organizationId}`;

export async function composeDigest(deps: ComposeDeps, digestId: number, organizationId: string, deliveries: DeliveryRow[], now: Date): Promise<ComposedDigest> {
  const first = deliveries[0];
  if (!first) return { email: null, carried: [], dropped: [] };
  if ((await deps.store.lists.suppressedAmong([first.email])).size > 0) {
    return { email: null, carried: [], dropped: deliveries.map((delivery) => ({ delivery, reason: 'suppressed' })) };
  }
  const due: Array<{ delivery: DeliveryRow; item: DueReminder }> = [];
  const dropped: ComposedDigest['dropped'] = [];
  for (const delivery of deliveries) {
    const item = await resolveReminder(deps, delivery, now);
    if ('skip' in item) dropped.push({ delivery, reason: item.skip });
    else due.push({ delivery, item });
  }
  const carried = due.map((d) => d.delivery);
  if (due.length === 0) return { email: null, carried, dropped };
  // Written like a single reminder: the recipient's choice, else the organization's locale, else DEFAULT_LOCALE.
  const locale = await recipientLocale(deps, first.email, due[0]!.item.order.organizationLocale);
  if (due.length === 1) return { email: reminderEmail(deps, due[0]!.delivery, due[0]!.item, locale), carried, dropped };
  return { email: digestEmail(deps, digestId, organizationId, due, locale), carried, dropped };
}

function digestEmail(
  deps: ComposeDeps, digestId: number, organizationId: string, due: Array<{ delivery: DeliveryRow; item: DueReminder }>, locale: SupportedLocale,
): Composed {
  const { config, templates } = deps;
  const email = due[0]!.delivery.email;
  const unsubscribe = digestUnsubscribeUrl(config, email, digestId);
  const t = translator(templates, locale);
  const data: ReminderDigestEmailData = {
    organizationName: due[0]!.item.order.organizationName,
    count: due.length,
    orders: due.map(({ item: { reminder, order, listId, daysLeft } }) => ({
      variant: reminderVariant(daysLeft), kind: reminder.kind, orderNumber: order.id, product: order.product,
      expiresOn: displayDate(reminder.expiresOn, locale), daysLeft, days: Math.abs(daysLeft),
      renewUrl: renewUrl(config, order.id, t), unsubscribeUrl: unsubscribeUrl(config, email, listId),
    })),
    unsubscribeUrl: unsubscribe,
    preferencesUrl: preferencesUrl(config, email),
    supportEmail: config.supportEmail,
    recipientEmail: email,
  };
  return {
    send: {
      from: config.fromReminders,
      to: email,
      ...renderEmail(templates, REMINDER_DIGEST_TEMPLATE, data, locale),
      headers: listHeaders(config, unsubscribe, digestListLabel(organizationId)),
      tags: { digest: String(digestId), source: 'reminder-digest', reminders: String(due.length) },
    },
  };
}
