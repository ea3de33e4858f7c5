/**
 * Applies one SES event to the store. Permanent bounce: suppress each bounced address, delivery
 * outcome `bounced`. Transient/undetermined bounce: recorded only. Complaint: suppress, leave the
 * delivery's list, outcome `complained`. Delivery: outcome `delivered`. Every step is idempotent,
 * so re-applying a half-applied event is safe.
 */
import type { SesEvent } from '@tickler/domain';
import type { Store } from '@tickler/db';

export interface SesApplyResult { status: 'applied' | 'ignored'; reason: string | null; deliveryId: number | null }

export async function applySesEvent(store: Store, event: SesEvent): Promise<SesApplyResult> {
  const delivery = event.messageId ? await store.deliveries.findByProviderMessageId(event.messageId) : null;
  const deliveryId = delivery?.id ?? null;
  switch (event.type) {
    case 'bounce': {
      if (event.bounceType !== 'permanent') return { status: 'ignored', reason: `${event.bounceType} bounce: recorded only`, deliveryId };
      const detail = `permanent bounce${event.subType ? ` (${event.subType})` : ''} of SES message ${event.messageId}`;
      for (const email of event.recipients) await store.lists.suppress(email, 'bounce', detail);
      if (delivery) await store.deliveries.setOutcome(delivery.id, 'bounced', detail);
      return { status: 'applied', reason: detail, deliveryId };
    }
    case 'complaint': {
      const detail = `complaint${event.feedbackType ? ` (${event.feedbackType})` : ''} about SES message ${event.messageId}`;
      for (const email of event.recipients) {
        await store.lists.suppress(email, 'complaint', detail);
        if (delivery?.listId && delivery.email === email) await store.lists.unsubscribe(email, delivery.listId, 'complaint');
      }
      if (delivery) await store.deliveries.setOutcome(delivery.id, 'complained', detail);
      return { status: 'applied', reason: detail, deliveryId };
    }
    case 'delivery': {
      if (!delivery) return { status: 'ignored', reason: `no delivery for SES message ${event.messageId}`, deliveryId };
      await store.deliveries.setOutcome(delivery.id, 'delivered', null);
      return { status: 'applied', reason: null, deliveryId };
    }
    default:
      return { status: 'ignored', reason: `${event.eventType} events are not used`, deliveryId };
  }
}
