/** The reasons order events give for what they did not apply: the same words from every store. */
import type { OrderUpsert } from './repositories/types';

/** Why an event older than the order's last applied one changes nothing. */
export function outOfOrderReason(occurredAt: Date, lastEventAt: Date): string {
  return `out-of-order: event occurred at ${occurredAt.toISOString()}, before the last applied event at ${lastEventAt.toISOString()}`;
}

/** The `notApplied` of an event whose organization change lost to a newer event of another order. */
export function organizationNotChanged(event: OrderUpsert, before: { name: string; time_zone: string; locale: string | null }, newestMs: number): string {
  const { id, name, timeZone } = event.organization;
  const locale = event.organization.locale ?? null;
  const kept = [
    ...(before.name !== name ? [`name ${JSON.stringify(before.name)} (not ${JSON.stringify(name)})`] : []),
    ...(before.time_zone !== timeZone ? [`time zone ${before.time_zone} (not ${timeZone})`] : []),
    ...(before.locale !== locale ? [`locale ${before.locale ?? 'none'} (not ${locale ?? 'none'})`] : []),
  ];
  return `organization-out-of-order: organization ${id} keeps its ${kept.join(' and ')}: this event occurred at `
    + `${event.occurredAt.toISOString()}, before its newest applied event at ${new Date(newestMs).toISOString()}; the order itself was applied`;
}

/** Why a cancel of an order not seen yet changes nothing now: it is remembered (newest at `cancelledAt`) for the order's late upsert. */
export function unseenCancelReason(orderId: string, cancelledAt: Date): string {
  return `order-not-found: order ${orderId} is unknown; remembered as cancelled at ${cancelledAt.toISOString()}, so an upsert of it that occurred no later is ignored`;
}

/** Why an upsert no newer than the cancel of its order, which came before the order was seen, changes nothing. */
export function cancelledBeforeSeenReason(occurredAt: Date, cancelledAt: Date): string {
  return `out-of-order: event occurred at ${occurredAt.toISOString()}, not after the order's cancellation at ${cancelledAt.toISOString()} (received before the order was first seen)`;
}
