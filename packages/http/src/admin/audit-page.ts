/** HTML rendering of the audit (see audit.ts). */
import type { EmailAudit, ExplainedDelivery, OrderAudit } from './audit';
import { esc, page, table } from './html';

/** Which email carried the delivery: its reminder digest (several reminders in one email), or its own. */
const emailOf = (d: ExplainedDelivery) => (d.digestId === null ? 'own email' : `digest ${d.digestId}`);
const deliveryRows = (rows: ExplainedDelivery[]) => rows.map((d) => [d.id, d.sourceType, d.orderId ?? '', d.email, d.listId ?? '', emailOf(d), d.providerMessageId ?? '', d.status, d.explanation, d.createdAt]);
const DELIVERY_HEADERS = ['#', 'source', 'order', 'email', 'list', 'sent in', 'message', 'status', 'why', 'created'];

/** A sender that reused the event id for another body has a bug; the first body is the one kept. */
const conflictNote = (e: EmailAudit['events'][number]) =>
  e.conflicts === 0 ? '' : `id came again ${e.conflicts}× with a different body (not applied), last at ${e.lastConflictAt?.toISOString() ?? '?'}`;

function eventsTable(events: EmailAudit['events']): string {
  return table(['received', 'source', 'type', 'event id', 'status', 'reason', 'conflicts'],
    events.map((e) => [e.receivedAt, e.source, e.type, e.eventId, e.status, e.reason ?? '', conflictNote(e)]));
}

export function searchForm(email = '', orderId = ''): string {
  return `<form method="get"><label>Email <input name="email" type="email" value="${esc(email)}"></label>
 or <label>Order <input name="orderId" value="${esc(orderId)}"></label> <button>Look up</button></form>`;
}

export function renderEmailAudit(a: EmailAudit): string {
  const status = a.suppression
    ? `<p class="bad">Suppressed (${esc(a.suppression.reason)}${a.suppression.detail ? `: ${esc(a.suppression.detail)}` : ''}) since ${esc(a.suppression.createdAt.toISOString())}: gets no mail at all.
 Lift it with <code>DELETE /admin/suppressions/${esc(encodeURIComponent(a.email))}</code>.</p>`
    : '<p class="good">Not suppressed.</p>';
  return page(`Audit: ${a.email}`, searchForm(a.email) + status
    + `<h2>Left these lists</h2>${a.unsubscribedFrom.length ? `<ul>${a.unsubscribedFrom.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : '<p class="muted">None.</p>'}`
    + `<h2>Contact of these orders</h2>${table(['order', 'product', 'organization'], a.contactOf.map((o) => [o.orderId, o.product, o.organizationName]))}`
    + `<h2>Emails</h2>${table(DELIVERY_HEADERS, deliveryRows(a.deliveries), [0])}`
    + `<h2>Events</h2>${eventsTable(a.events)}`);
}

export function renderOrderAudit(a: OrderAudit, orderId: string): string {
  if (!a.order && a.events.length === 0) return page(`Audit: order ${orderId}`, `${searchForm('', orderId)}<p class="bad">No order ${esc(orderId)}.</p>`);
  if (!a.order) {
    return page(`Audit: order ${orderId}`, `${searchForm('', orderId)}<p class="bad">No order ${esc(orderId)}: none of its billing events created it (see why below).</p>`
      + `<h2>Billing events</h2>${eventsTable(a.events)}`);
  }
  const o = a.order;
  const head = `<p>${esc(o.product)} for ${esc(o.organizationName)} (${esc(o.timeZone)}), status ${esc(o.status)};
 license expires ${esc(o.licenseExpiresOn ?? '—')}, maintenance expires ${esc(o.maintenanceExpiresOn ?? '—')}.</p>`;
  const contacts = table(['email', 'membership', 'left renewal list', 'suppressed'], a.contacts.map((c) => [c.email, c.membershipStatus ?? 'not a member', c.unsubscribed ? 'yes' : 'no', c.suppressed ?? 'no']));
  const reminders = table(['#', 'kind', 'expires', 'offset (days)', 'send at', 'status', 'reason', 'emails'],
    a.reminders.map((r) => [r.id, r.kind, r.expiresOn, r.offsetDays, r.sendAt, r.status, r.reason ?? '', r.deliveries.map((d) => `${d.email}: ${d.explanation}`).join('; ')]), [0, 3]);
  return page(`Audit: order ${o.id}`, searchForm('', o.id) + head
    + `<h2>Contacts now</h2>${contacts}<h2>Reminders</h2>${reminders}`
    + `<h2>Emails</h2>${table(DELIVERY_HEADERS, deliveryRows(a.deliveries), [0])}<h2>Billing events</h2>${eventsTable(a.events)}`);
}
