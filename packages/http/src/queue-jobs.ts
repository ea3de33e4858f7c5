/**
 * Enqueueing from request handlers. The database row is written first and is the truth; if Redis
 * does not take the job within `enqueueTimeoutMs` the request still succeeds and the scheduler's
 * reconciliation re-enqueues the pending row later. A warning is logged.
 */
import { type DeliveryRow, type InboundEventRow, type NewDelivery } from '@tickler/db';
import { enqueue, enqueueBulk, orderEventJobData, type JobData } from '@tickler/queues';
import type { FastifyBaseLogger } from 'fastify';
import { makeBatcher } from './batcher';
import { withinMs } from './within-ms';
import type { HttpDeps } from './deps';

const DEFAULT_ENQUEUE_TIMEOUT_MS = 2000;

/**
 * Enqueues the `order-event` job of a recorded billing event; false (logged) when Redis did not take
 * it in time. Concurrent requests share one `addBulk` round trip.
 */
export function makeOrderEventEnqueuer(deps: HttpDeps): (log: FastifyBaseLogger, event: InboundEventRow) => Promise<boolean> {
  const add = makeBatcher<JobData<'order-event'>, void>({
    many: async (jobs) => {
      await enqueueBulk(deps.queues, 'order-event', jobs.map((data) => ({ data })));
      return jobs.map(() => undefined);
    },
    one: (data) => enqueue(deps.queues, 'order-event', data),
  });
  return async (log, event) => {
    try {
      await withinMs(add(orderEventJobData(event)), deps.config.enqueueTimeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS);
      return true;
    } catch (error) {
      log.warn({ inboundEventId: event.id, err: (error as Error).message }, 'order event recorded but not enqueued; reconciliation will retry');
      return false;
    }
  };
}

/**
 * Writes a delivery row and enqueues its `send` job. When the row already exists and finished
 * (sent, skipped, failed), it is sent again only if `resend(existing)` says so — then under a fresh job id,
 * since BullMQ keeps finished job ids for a day and would ignore the same id.
 */
export async function queueDelivery(
  deps: HttpDeps,
  log: FastifyBaseLogger,
  input: Omit<NewDelivery, 'status' | 'reason'>,
  resend: (existing: DeliveryRow) => boolean,
): Promise<{ delivery: DeliveryRow; sending: boolean }> {
  const [delivery] = await deps.store.deliveries.upsertMany([{ ...input, status: 'queued', reason: null }]);
  if (!delivery) throw new Error('deliveries.upsertMany returned no row');
  let jobId: string | undefined;
  if (delivery.status !== 'queued' && delivery.status !== 'sending') {
    if (!resend(delivery) || !(await deps.store.deliveries.requeue(delivery.id))) return { delivery, sending: false };
    jobId = `delivery-${delivery.id}-resend-${deps.now().getTime()}`;
  }
  try {
    await withinMs(enqueue(deps.queues, 'send', { deliveryId: delivery.id }, jobId ? { jobId } : {}), deps.config.enqueueTimeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS);
  } catch (error) {
    log.warn({ deliveryId: delivery.id, err: (error as Error).message }, 'delivery recorded but not enqueued; reconciliation will retry');
  }
  return { delivery, sending: true };
}
