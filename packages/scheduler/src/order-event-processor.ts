/**
 * Applies one recorded billing event (an `inbound_events` row): creates or changes the order (and,
 * on first sight, the organization with the purchaser as first member and contact), or cancels it;
 * then removes the jobs of reminders that will not be sent, retimes those the organization's new
 * time zone moved, and plans the new cycle immediately.
 * Re-running an event that is no longer pending does nothing.
 */
import { expiryOf, parseBillingEvent, REMINDER_KINDS, type BillingEvent } from '@tickler/domain';
import type { InboundEventMark, InboundEventRow, OrderEventOutcome } from '@tickler/db';
import type { Processor } from '@tickler/queues';
import { UnrecoverableError } from 'bullmq';
import type { SchedulerDeps } from './config';
import { kindsPlannedNow, planOrderNow, type OrderPlanResult } from './plan-order';
import { removeReminderJobs, retimeReminderJobs } from './reminder-jobs';

export type OrderEventResult =
  | { outcome: 'applied' | 'partial'; orderId: string; cancelled: number; retimed: number; planned: OrderPlanResult; notApplied: string | null }
  | { outcome: 'ignored' | 'rejected'; reason: string }
  | { outcome: 'already-done'; status: InboundEventRow['status'] }
  | { outcome: 'not-this-row'; reason: string };

export function makeOrderEventProcessor(deps: SchedulerDeps): Processor<'order-event'> {
  return async ({ inboundEventId, jobKey }, job) => {
    const logger = deps.logger.child({ queue: 'order-events', jobId: job.id, inboundEventId });
    const row = await deps.store.inboundEvents.get(inboundEventId);
    if (!row) throw new UnrecoverableError(`inbound event ${inboundEventId} does not exist`);
    // The job of a row whose commit failed: the id now names another row, which has its own job.
    if (jobKey !== undefined && jobKey !== row.jobKey) {
      const reason = `job key ${jobKey} is not inbound event ${row.id}'s (${row.jobKey}): this job was added for a row that was never stored`;
      logger.warn({ reason }, 'order-event job skipped');
      return { outcome: 'not-this-row', reason } satisfies OrderEventResult;
    }
    if (row.status !== 'pending') return { outcome: 'already-done', status: row.status } satisfies OrderEventResult;
    const now = deps.now();
    const parsed = readBillingEvent(row);
    if (!parsed.ok) {
      await deps.store.inboundEvents.mark(row.id, 'rejected', parsed.reason, now);
      logger.error({ reason: parsed.reason }, 'billing event rejected');
      return { outcome: 'rejected', reason: parsed.reason } satisfies OrderEventResult;
    }
    const event = parsed.event;
    // A first attempt lets the store mark the row in the event's own transaction when nothing
    // follows it (no reminder to plan or remove); a retry replans everything, so it marks last.
    const mark = job.attemptsMade === 0 && event.type === 'order.upserted'
      ? { inboundEventId: row.id, at: now, plannedKinds: kindsPlannedNow(deps, { ...event.data, id: event.data.orderId, timeZone: event.data.organization.timeZone }, now) }
      : undefined;
    const outcome = await applyEvent(deps, event, mark);
    if (outcome.outcome === 'ignored') {
      await deps.store.inboundEvents.mark(row.id, 'ignored', outcome.reason, now);
      logger.warn({ orderId: event.data.orderId, reason: outcome.reason }, 'billing event ignored');
      return { outcome: 'ignored', reason: outcome.reason } satisfies OrderEventResult;
    }
    await removeReminderJobs(deps.queues, outcome.cancelledReminderIds, logger);
    // A new time zone moved open reminders in the ledger; their jobs follow (on a retry too: the
    // repeated upsert no longer sees the change).
    const retimed = outcome.retimed > 0 || job.attemptsMade > 0
      ? await retimeReminderJobs(deps.queues, await deps.store.reminders.listOpenForOrganization(outcome.order.organizationId), now, logger)
      : 0;
    // A retry may follow a crash after the order was applied but before planning; the repeated
    // upsert then reports no change, so plan every kind again (the ledger ignores known reminders).
    const kinds = job.attemptsMade > 0 ? REMINDER_KINDS.filter((k) => expiryOf(outcome.order, k) !== null) : outcome.changedKinds;
    // An expiry moved back to a date it had: that cycle's reminders cancelled meanwhile are planned again.
    for (const kind of kinds) {
      const expiresOn = expiryOf(outcome.order, kind);
      if (expiresOn !== null && outcome.order.status === 'active') await deps.store.reminders.forgetCancelledByExpiryChange(outcome.order.id, kind, expiresOn);
    }
    const planned = await planOrderNow(deps, outcome.order, kinds, now);
    // The organization's send times moved (new zone, or the order joined it): a reminder that was
    // beyond the scan's horizon may now fall before it, where no scan looks; plan every active order
    // of the organization again (the ledger ignores known reminders). On a retry too, as above.
    if (outcome.replanOrganization || job.attemptsMade > 0) {
      for (const order of await deps.store.directory.listActiveOrdersOfOrganization(outcome.order.organizationId)) {
        const more = await planOrderNow(deps, order, REMINDER_KINDS.filter((k) => expiryOf(order, k) !== null), now);
        planned.enqueued += more.enqueued;
        planned.skipped += more.skipped;
      }
    }
    // Marked last: a crash before this retries the job, and every step above is idempotent. The
    // status says `applied` only when all of the event was; `partial` names what was left out.
    const status = outcome.notApplied === null ? 'applied' : 'partial';
    if (!outcome.inboundMarked) await deps.store.inboundEvents.mark(row.id, status, outcome.notApplied, now);
    logger.info({ orderId: outcome.order.id, type: event.type, status, notApplied: outcome.notApplied, changedKinds: outcome.changedKinds,
      cancelled: outcome.cancelledReminderIds.length, retimed, ...planned }, 'billing event applied');
    return { outcome: status, orderId: outcome.order.id, cancelled: outcome.cancelledReminderIds.length, retimed, planned, notApplied: outcome.notApplied } satisfies OrderEventResult;
  };
}

/** The stored payload (the webhook's raw JSON body), parsed again with the edge's own parser. */
function readBillingEvent(row: InboundEventRow): { ok: true; event: BillingEvent } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(row.payload);
  } catch {
    return { ok: false, reason: 'invalid_payload: the stored payload is not JSON' };
  }
  const parsed = parseBillingEvent(json);
  return parsed.ok ? parsed : { ok: false, reason: `${parsed.code}: ${parsed.message}` };
}

function applyEvent(deps: SchedulerDeps, event: BillingEvent, mark: InboundEventMark | undefined): Promise<OrderEventOutcome> {
  if (event.type === 'order.cancelled') return deps.store.directory.applyOrderCancel(event.data.orderId, event.occurredAt);
  return deps.store.directory.applyOrderUpsert({ ...event.data, occurredAt: event.occurredAt, calendar: deps.config.sendCalendar }, mark);
}
