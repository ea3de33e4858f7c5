/**
 * The audit behind `GET /admin/deliveries`: everything that answers "why did (or didn't) this person
 * get this reminder" — reminders and their status, deliveries with a plain explanation, list
 * unsubscribes, suppression, contacts and inbound events — for one address or one order.
 */
import { renewalListId, type ListId } from '@tickler/domain';
import type { DeliveryRow, InboundEventRow, OrderWithZone, ReminderRow, Store } from '@tickler/db';

export interface ExplainedDelivery extends DeliveryRow { explanation: string }
export type AuditEvent = Omit<InboundEventRow, 'payload'>;

export interface EmailAudit {
  kind: 'email';
  email: string;
  suppression: { reason: string; detail: string | null; createdAt: Date } | null;
  unsubscribedFrom: ListId[];
  contactOf: Array<{ orderId: string; product: string; organizationName: string }>;
  deliveries: ExplainedDelivery[];
  events: AuditEvent[];
}

export interface OrderAudit {
  kind: 'order';
  /** null: not stored; its billing events, if any, say why (e.g. a cancel that came before the order). */
  order: OrderWithZone | null;
  contacts: Array<{ email: string; membershipStatus: string | null; unsubscribed: boolean; suppressed: string | null }>;
  reminders: Array<ReminderRow & { deliveries: ExplainedDelivery[] }>;
  deliveries: ExplainedDelivery[];
  events: AuditEvent[];
}

/** One sentence on what happened to a delivery. */
function explainDelivery(d: DeliveryRow): string {
  switch (d.status) {
    case 'sent': return `sent${d.sentAt ? ` at ${d.sentAt.toISOString()}` : ''}${d.providerMessageId ? ` (provider message ${d.providerMessageId})` : ''}`;
    case 'delivered': return 'delivered to the recipient\'s mail server';
    case 'bounced': return `bounced${d.reason ? `: ${d.reason}` : ''}; the address is suppressed if the bounce was permanent`;
    case 'complained': return 'recipient marked it as spam; the address is suppressed';
    case 'skipped': return `not sent: ${d.reason ?? 'skipped'}`;
    case 'failed': return `failed after ${d.attempts} attempt(s): ${d.lastError ?? d.reason ?? 'unknown error'}`;
    case 'sending': return `being sent (attempt ${d.attempts}); if this stays, the mailer stopped mid-send and reconciliation retries it`;
    case 'queued': return 'waiting in the send queue';
    default: return d.status;
  }
}

/**
 * A delivery in a reminder digest: which email carried it, with how many other reminders (the rows
 * sharing its digest — and, once sent, its provider message).
 */
function explainDigest(d: DeliveryRow, digests: ReadonlyMap<number, DeliveryRow[]>): string {
  if (d.digestId === null) return '';
  const together = (digests.get(d.digestId) ?? []).filter((o) => o.id !== d.id && o.status !== 'skipped');
  if (together.length === 0) return ` — its own email (reminder digest ${d.digestId} carried no other reminder)`;
  return ` — in reminder digest ${d.digestId} with ${together.length} other reminder(s): ${together.map((o) => `#${o.id}${o.orderId ? ` (order ${o.orderId})` : ''}`).join(', ')}`;
}

/** The deliveries with their explanation; the digests they were in are read (an order's audit holds only its own rows). */
async function explained(store: Store, rows: DeliveryRow[]): Promise<ExplainedDelivery[]> {
  const digestIds = [...new Set(rows.map((d) => d.digestId).filter((id): id is number => id !== null))];
  const digests = new Map<number, DeliveryRow[]>();
  for (const id of digestIds) digests.set(id, (await store.digests.get(id))?.deliveries ?? []);
  return rows.map((d) => ({ ...d, explanation: explainDelivery(d) + explainDigest(d, digests) }));
}
const withoutPayload = (rows: InboundEventRow[]): AuditEvent[] => rows.map(({ payload: _payload, ...rest }) => rest);

export async function auditEmail(store: Store, email: string): Promise<EmailAudit> {
  const [suppression, unsubscribedFrom, orders, deliveries, events] = await Promise.all([
    store.lists.getSuppression(email),
    store.lists.listUnsubscribed(email),
    store.directory.listOrdersForContact(email),
    store.deliveries.listByEmail(email),
    store.inboundEvents.listByEmail(email),
  ]);
  return {
    kind: 'email', email, suppression, unsubscribedFrom,
    contactOf: orders.map((o) => ({ orderId: o.id, product: o.product, organizationName: o.organizationName })),
    deliveries: await explained(store, deliveries), events: withoutPayload(events),
  };
}

export async function auditOrder(store: Store, orderId: string): Promise<OrderAudit> {
  const [order, contacts, reminders, deliveries, events] = await Promise.all([
    store.directory.getOrder(orderId),
    store.directory.listContacts(orderId),
    store.reminders.listForOrder(orderId),
    store.deliveries.listByOrder(orderId),
    store.inboundEvents.listByOrder(orderId),
  ]);
  const emails = contacts.map((c) => c.email);
  // Two set queries for every contact at once, not one round trip per contact.
  const [unsubscribed, suppressions] = await Promise.all([
    store.lists.unsubscribedAmong(renewalListId(orderId), emails),
    store.lists.suppressionsAmong(emails),
  ]);
  const all = await explained(store, deliveries);
  return {
    kind: 'order', order,
    contacts: contacts.map((c) => ({
      email: c.email, membershipStatus: c.membershipStatus, unsubscribed: unsubscribed.has(c.email), suppressed: suppressions.get(c.email)?.reason ?? null,
    })),
    reminders: reminders.map((r) => ({ ...r, deliveries: all.filter((d) => d.sourceType === 'reminder' && d.sourceId === r.id) })),
    deliveries: all, events: withoutPayload(events),
  };
}
