/**
 * Terminology
 * - organization: a customer company; has members and an IANA time zone (default UTC).
 * - member: a user of an organization; `invited` until they accept, then `active`.
 * - order: a purchase of a product by an organization, with a license and a maintenance expiry date
 *   (calendar dates, YYYY-MM-DD, either may be null). Identified by the billing system's order id.
 * - contact: an active member on an order's contact list; only contacts get that order's reminders
 *   and may see its license details.
 * - list: something a person can leave: `renewal:<orderId>` or `newsletter:<topic>`.
 * - reminder: one planned renewal email for (order, kind, expiry date, offset in days before expiry).
 *   A new expiry date is a new cycle of reminders.
 * - delivery: one email to one recipient for one reminder, broadcast, invitation or confirmation;
 *   the ledger that makes sends happen at most once.
 * - suppression: an address that gets no mail at all (hard bounce, complaint, manual).
 */

import type { OrderExpiries } from './reminder-kinds';

export type { ReminderKind } from './reminder-kinds';

/** Calendar date as `YYYY-MM-DD`. */
export type IsoDate = string;

export type OrderStatus = 'active' | 'cancelled';
export type MembershipStatus = 'invited' | 'active';
export type MembershipRole = 'owner' | 'member';

export type ReminderStatus = 'queued' | 'sent' | 'skipped' | 'cancelled';
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'skipped' | 'failed' | 'delivered' | 'bounced' | 'complained';
export type DeliverySource = 'reminder' | 'broadcast' | 'invitation' | 'newsletter-confirmation' | 'newsletter-topic-change';
export type SuppressionReason = 'bounce' | 'complaint' | 'manual';
export type SubscriptionStatus = 'pending' | 'confirmed';

/** A list id: `renewal:<orderId>` or `newsletter:<topic>`. */
export type ListId = `renewal:${string}` | `newsletter:${string}`;

export interface Organization {
  id: string;
  name: string;
  timeZone: string;
  /** BCP 47 tag its emails are written in when the recipient chose none (null: `DEFAULT_LOCALE`); may name a locale not shipped (then it falls back). */
  locale?: string | null;
}

/** An order; its expiry dates are one field per reminder kind (see reminder-kinds.ts). */
export type Order = OrderExpiries & {
  id: string;
  organizationId: string;
  product: string;
  status: OrderStatus;
};

export function renewalListId(orderId: string): ListId {
  return `renewal:${orderId}`;
}

export function newsletterListId(topic: string): ListId {
  return `newsletter:${topic}`;
}

/**
 * The list a test send's unsubscribe link names, `test:<template>`: no one is on it, so leaving it
 * (one-click or the page) changes nothing. It is not a `ListId` on purpose.
 */
export function testListId(template: string): string {
  return `${TEST_LIST_PREFIX}${template}`;
}

export const TEST_LIST_PREFIX = 'test:';
