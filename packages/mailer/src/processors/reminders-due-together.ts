/**
 * Digest grouping (REMINDER_DIGEST=on): a reminder job fans out EVERY queued reminder of its
 * organization due at the same send time — and, late after an outage, every one whose time has come
 * — then sends each recipient one email.
 *
 * Why in the job and not in Redis: the database is the source of truth. All reminders of a group
 * stay `queued` until one job has fanned them all out, grouped and enqueued; only then are they
 * settled. Any other job of the group (on any mailer) either does the same work again (idempotent:
 * deliveries are unique per reminder and address, `digests.attach` names one digest per
 * (organization, send time, address) and never moves a delivery), or finds its reminder settled.
 * A job that reads the group after part of it was settled still converges: the deliveries it gets
 * back already name their digest. After Redis loss, reconciliation re-adds the queued reminders'
 * jobs and the unfinished deliveries' digest jobs.
 *
 * A group of one reminder (of any status): today's single `send` job per recipient. Otherwise each address's
 * deliveries are attached to its digest and one `digest` job sends them together (one delivery
 * left: the single-order email). That job waits a short settle time: reminders of the group planned
 * moments later (a catch-up scan plans one kind after the other) are attached meanwhile and go in
 * the same email — its job id stays the same; a member fanned out after the email went gets its own.
 */
import type { Logger } from 'pino';
import type { DeliveryRow, OrderWithZone, ReminderRow } from '@tickler/db';
import { enqueueBulk, type JobData } from '@tickler/queues';
import { fanOutReminder, settleReminder, type FanOut } from './reminder-fan-out';
import type { ReminderDeps, ReminderOutcome } from './reminder-processor';

/** How long a digest job waits for the rest of its group before sending, ms (see the header). */
export const DIGEST_SETTLE_MS = 15_000;

export async function processRemindersDueTogether(deps: ReminderDeps, reminder: ReminderRow, order: OrderWithZone, log: Logger): Promise<ReminderOutcome> {
  const { store, queues } = deps;
  const now = deps.now?.() ?? new Date();
  // The group: the reminders planned for this one's send time, and any other of the organization
  // whose time has come and that is still queued (the mailers were down or behind: after an outage
  // a person gets one email, not one per missed day). Its digests are named by the latest send time
  // among them, which every job of the group computes alike.
  const [sameTime, overdue] = await Promise.all([
    store.reminders.listDueAt(order.organizationId, reminder.sendAt),
    store.reminders.listQueuedDueBy(order.organizationId, now),
  ]);
  const all = uniqueById([...sameTime, ...overdue]);
  const group = all.filter((r) => r.status === 'queued');
  const sendAt = new Date(Math.max(reminder.sendAt.getTime(), ...group.map((r) => r.sendAt.getTime())));
  // The members' orders and cycles, read once for the whole group (not per member).
  const orderIds = [...new Set(group.map((r) => r.orderId))];
  const [active, cycles] = await Promise.all([
    orderIds.length > 1 ? store.directory.listActiveOrdersOfOrganization(order.organizationId) : Promise.resolve([]),
    store.reminders.listForOrders(orderIds),
  ]);
  const orders = new Map<string, OrderWithZone | null>([...active.map((o) => [o.id, o] as const), [order.id, order]]);
  const cycleOf = new Map<string, ReminderRow[]>();
  for (const r of cycles) cycleOf.set(r.orderId, [...(cycleOf.get(r.orderId) ?? []), r]);
  const fanOuts = new Map<number, FanOut>();
  for (const member of group) {
    // An order not among the active ones was cancelled (or moved) since: read it alone.
    if (!orders.has(member.orderId)) orders.set(member.orderId, await store.directory.getOrder(member.orderId));
    fanOuts.set(member.id, await fanOutReminder(store, member, orders.get(member.orderId) ?? null, now, cycleOf.get(member.orderId) ?? []));
  }
  const byEmail = new Map<string, DeliveryRow[]>();
  for (const result of fanOuts.values()) {
    if (result.status !== 'fanned-out') continue;
    for (const d of result.toSend) byEmail.set(d.email, [...(byEmail.get(d.email) ?? []), d]);
  }
  const singles: Array<{ data: JobData<'send'> }> = [];
  const digests: Array<{ data: JobData<'digest'>; delayMs: number }> = [];
  for (const [email, rows] of byEmail) {
    if (all.length === 1 && rows.length === 1 && rows[0]!.digestId === null) {
      singles.push({ data: { deliveryId: rows[0]!.id } });
      continue;
    }
    const attached = await store.digests.attach({ organizationId: order.organizationId, sendAt, email }, rows.map((d) => d.id));
    const pending = attached.deliveries.filter((d) => d.status === 'queued').map((d) => d.id);
    if (pending.length > 0) digests.push({ data: { digestId: attached.digest.id, firstDeliveryId: Math.min(...pending) }, delayMs: deps.digestSettleMs ?? DIGEST_SETTLE_MS });
  }
  await enqueueBulk(queues, 'send', singles);
  await enqueueBulk(queues, 'digest', digests);
  for (const [id, result] of fanOuts) if (result.status === 'fanned-out') await settleReminder(store, id, result);

  log.info({ organizationId: order.organizationId, reminders: group.length, singles: singles.length, digests: digests.length }, 'reminders due together fanned out');
  const own = fanOuts.get(reminder.id);
  if (!own) return { status: 'already-handled', previous: 'sent' };
  if (own.status === 'cancelled') return { status: 'cancelled', reason: own.reason };
  if (own.status === 'superseded') return { status: 'skipped', reason: 'superseded', by: own.by };
  if (own.recipients === 0) return { status: 'skipped', reason: 'no-recipients', skipped: own.skipped };
  return { status: 'sent', recipients: own.recipients, skipped: own.skipped };
}

function uniqueById(rows: ReminderRow[]): ReminderRow[] {
  return [...new Map(rows.map((r) => [r.id, r])).values()].sort((a, b) => a.id - b.id);
}
