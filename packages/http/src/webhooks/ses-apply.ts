/**
 * Applies one SES event to the store. Permanent bounce: suppress each bounced address, delivery
 * outcome `bounced`. Transient/undetermined bounce: recorded only. Complaint: suppress, leave the
 * delivery's list, outcome `complained`. Delivery: outcome `delivered`. Every step is idempotent,
 * so re-applying a half-applied event is safe. A reminder digest is one message carrying several
 * deliveries: the event applies to each of them (every list of a digest complained about is left).
 */
import type { SesEvent } from '@tickler/domain';
import type { DeliveryRow, Store } from '@tickler/db';

export interface SesApplyResult { status: 'applied' | 'ignored'; reason: string | null; deliveryId: number | null }

/** The deliveries the event's message carried: one, or every delivery of a digest sent as that message. */
async function carriedBy(store: Store, messageId: string | null | undefined): Promise<DeliveryRow[]> {
  const delivery = messageId ? await store.deliveries.findByProviderMessageId(messageId) : null;
  if (!delivery) return [];
  if (delivery.digestId === null) return [delivery];
  const digest = await store.digests.get(delivery.digestId);
  return digest?.deliveries.filter((d) => d.providerMessageId === messageId) ?? [delivery];
}

export async function applySesEvent(store: Store, event: SesEvent): Promise<SesApplyResult> {
  const carried = await carriedBy(store, event.messageId);
  const deliveryId = carried[0]?.id ?? null;
  const setOutcome = async (status: 'bounced' | 'complained' | 'delivered', detail: string | null) => {
    for (const d of carried) await store.deliveries.setOutcome(d.id, status, detail);
  };
  switch (event.type) {
    case 'bounce': {
      if (event.bounceType !== 'permanent') return { status: 'ignored', reason: `${event.bounceType} bounce: recorded only`, deliveryId };
      const detail = `permanent bounce${event.subType ? ` (${event.subType})` : ''} of SES message ${event.messageId}`;
      for (const email of event.recipients) await store.lists.suppress(email, 'bounce', detail);
      await setOutcome('bounced', detail);
      return { status: 'applied', reason: detail, deliveryId };
    }
    case 'complaint': {
      const detail = `complaint${event.feedbackType ? ` (${event.feedbackType})` : ''} about SES message ${event.messageId}`;
      for (const email of event.recipients) {
        await store.lists.suppress(email, 'complaint', detail);
        for (const d of carried) if (d.listId && d.email === email) await store.lists.unsubscribe(email, d.listId, 'complaint');
      }
      await setOutcome('complained', detail);
      return { status: 'applied', reason: detail, deliveryId };
    }
    case 'delivery': {
      if (carried.length === 0) return { status: 'ignored', reason: `no delivery for SES message ${event.messageId}`, deliveryId };
      await setOutcome('delivered', null);
      return { status: 'applied', reason: null, deliveryId };
    }
    default:
      return { status: 'ignored', reason: `${event.eventType} events are not used`, deliveryId };
  }
}
