/**
 * `POST /webhooks/billing`: verify the signature over the raw bytes (401; a compressed body 415, a
 * body that is not UTF-8 400 once its signature matched), parse the event (400,
 * naming the field; also an `occurredAt` ahead of now by more than the allowed clock skew), record
 * it once in the inbound ledger (200 duplicate, also when the sender re-serialised the same event;
 * 409 when the id came before with another event),
 * enqueue its `order-event` job and answer 202. Nothing is written for 400/401. A database that
 * cannot store the event makes the request fail (503, see errors.ts): the sender retries.
 */
import type { InboundEventRow } from '@tickler/db';
import { canonicalJson, parseBillingEvent, verifyBillingSignature } from '@tickler/domain';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { sendError } from '../errors';
import type { RoutesPlugin } from '../plugin';
import { makeBatcher } from '../batcher';
import { makeOrderEventEnqueuer } from '../queue-jobs';
import { acceptRawBodies, rawBodyOf, refuseContentEncoding, refuseNotUtf8, utf8Text } from './raw-body';

export const billingWebhookRoutes: RoutesPlugin = async (app, deps) => {
  acceptRawBodies(app, deps.config.bodyLimitBytes);
  const { inboundEvents } = deps.store;
  // Group commit: events arriving together are recorded in one transaction.
  const record = makeBatcher({
    many: (inputs: Parameters<typeof inboundEvents.record>[0][]) => inboundEvents.recordMany(inputs),
    one: (input) => inboundEvents.record(input),
  });
  const enqueueOrderEvent = makeOrderEventEnqueuer(deps);

  app.post('/webhooks/billing', async (request, reply) => {
    const encoded = refuseContentEncoding(request, reply);
    if (encoded) return encoded;
    const raw = rawBodyOf(request);
    const header = request.headers['tickler-signature'];
    const signature = verifyBillingSignature({
      header: Array.isArray(header) ? header.join(',') : header,
      rawBody: raw,
      secret: deps.config.billingWebhookSecret,
      now: deps.now(),
    });
    if (!signature.ok) {
      request.log.warn({ code: signature.code }, 'billing webhook refused: signature');
      return sendError(reply, 401, signature.code, signature.message);
    }
    const rawBody = utf8Text(raw);
    if (rawBody === null) {
      request.log.warn({ code: 'invalid_encoding' }, 'billing webhook refused: body');
      return refuseNotUtf8(reply);
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      request.log.warn({ code: 'invalid_json' }, 'billing webhook refused: body');
      return sendError(reply, 400, 'invalid_json', 'The body is not valid JSON.');
    }
    const parsed = parseBillingEvent(json, { now: deps.now(), maxClockSkewMs: deps.config.billingMaxClockSkewMs });
    if (!parsed.ok) {
      const eventId = typeof (json as { id?: unknown })?.id === 'string' ? (json as { id: string }).id.slice(0, 200) : undefined;
      request.log.warn({ code: parsed.code, field: parsed.field, eventId }, 'billing webhook refused: body');
      return sendError(reply, 400, parsed.code, parsed.message, parsed.field);
    }
    const event = parsed.event;
    const { row, duplicate, conflict } = await record({
      source: 'billing', eventId: event.id, type: event.type, status: 'pending', orderId: event.data.orderId,
      email: event.type === 'order.upserted' ? event.data.purchaserEmail : null, occurredAt: event.occurredAt, payload: rawBody,
      content: canonicalJson(json),
    });
    if (duplicate) {
      // Still pending (e.g. Redis was down the first time): enqueue again; the job id makes it a no-op otherwise.
      if (row.status === 'pending') await enqueueOrderEvent(request.log, row);
      return conflict ? answerConflict(request.log, reply, row) : answerDuplicate(request.log, reply, row);
    }
    await enqueueOrderEvent(request.log, row);
    request.log.info({ eventId: event.id, inboundEventId: row.id, orderId: event.data.orderId, type: event.type }, 'billing event accepted');
    return reply.code(202).send({ status: 'accepted', eventId: event.id });
  });
};

/** 200: the event was seen before (the same JSON value, however spelled); nothing is done again. */
function answerDuplicate(log: FastifyBaseLogger, reply: FastifyReply, row: InboundEventRow): FastifyReply {
  log.info({ eventId: row.eventId, inboundEventId: row.id, status: row.status }, 'billing event duplicate');
  return reply.code(200).send({ status: 'duplicate', eventId: row.eventId });
}

/**
 * 409: the sender reused an event id for other content, a bug on its side that a 200 would hide.
 * The first body stays the one applied; the row counts the conflict for the admin audit.
 */
function answerConflict(log: FastifyBaseLogger, reply: FastifyReply, row: InboundEventRow): FastifyReply {
  log.warn({ eventId: row.eventId, inboundEventId: row.id, conflicts: row.conflicts }, 'billing event id reused with a different body');
  return sendError(reply, 409, 'duplicate_event_conflict',
    `Event ${row.eventId} was already received (at ${row.receivedAt.toISOString()}) with a different event (other values, not only other spacing or key order); the first one is kept. `
    + 'Send changes as a new event with a new id.', 'id');
}
