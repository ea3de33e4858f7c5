/**
 * `POST /webhooks/ses`: SES events delivered by Amazon SNS over HTTP(S). The body is the SNS JSON
 * envelope (sent as text/plain). Checks, in order: envelope shape (400), topic allowed (403),
 * signing-certificate URL on an SNS host (403), signature (403). SubscriptionConfirmation fetches
 * SubscribeURL only when it is on an SNS host; Notification records the event once per SNS MessageId
 * and applies it.
 */
import {
  checkSigningCertUrl, checkSnsUrl, parseSesEvent, parseSnsMessage, verifySnsSignature, type SnsConfirmation, type SnsMessage, type SnsNotification,
} from '@tickler/domain';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';
import type { RoutesPlugin } from '../plugin';
import { acceptRawBodies, rawBodyOf, refuseContentEncoding, refuseNotUtf8, utf8Text } from './raw-body';
import { applySesEvent } from './ses-apply';
import { makeSnsCertStore, type SnsCertStore } from './sns-certs';

async function handleNotification(deps: HttpDeps, log: FastifyBaseLogger, reply: FastifyReply, message: SnsNotification): Promise<FastifyReply> {
  const parsed = parseSesEvent(message.Message);
  if (!parsed.ok) {
    log.warn({ messageId: message.MessageId, field: parsed.field }, 'ses webhook refused: event');
    return sendError(reply, 400, 'invalid_ses_event', parsed.message, parsed.field);
  }
  const event = parsed.event;
  const recipients = event.type === 'other' ? [] : event.recipients;
  const { row, duplicate } = await deps.store.inboundEvents.record({
    source: 'ses', eventId: message.MessageId, type: event.type === 'bounce' ? `bounce.${event.bounceType}` : event.type,
    status: 'pending', email: recipients[0] ?? null, payload: message.Message,
  });
  if (duplicate && row.status !== 'pending') {
    log.info({ messageId: message.MessageId, inboundEventId: row.id }, 'ses event duplicate');
    return reply.code(200).send({ status: 'duplicate' });
  }
  const result = await applySesEvent(deps.store, event);
  await deps.store.inboundEvents.mark(row.id, result.status, result.reason, deps.now());
  log.info({ messageId: message.MessageId, sesMessageId: event.messageId, inboundEventId: row.id, deliveryId: result.deliveryId, type: row.type, status: result.status }, 'ses event processed');
  return reply.code(200).send({ status: result.status });
}

type Refusal = { status: number; code: string; message: string; field?: string; log: Record<string, unknown> };
type Verified = { ok: true; message: SnsMessage } | ({ ok: false } & Refusal);

/** Everything that must hold before an SNS message is believed: shape, topic, certificate URL, signature. */
async function verifyEnvelope(deps: HttpDeps, certs: SnsCertStore, topics: Set<string>, body: string): Promise<Verified> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, status: 400, code: 'invalid_json', message: 'The body is not valid JSON.', log: {} };
  }
  const envelope = parseSnsMessage(json);
  if (!envelope.ok) return { ok: false, status: 400, code: 'invalid_sns_message', message: envelope.message, field: envelope.field, log: { field: envelope.field } };
  const message = envelope.message;
  const ids = { messageId: message.MessageId, topicArn: message.TopicArn, type: message.Type };
  if (!topics.has(message.TopicArn)) {
    return { ok: false, status: 403, code: 'topic_not_allowed', message: `Messages from topic ${message.TopicArn} are not accepted.`, log: ids };
  }
  const certUrl = checkSigningCertUrl(message.SigningCertURL);
  if (!certUrl.ok) {
    return { ok: false, status: 403, code: 'untrusted_signing_cert', message: `SigningCertURL is not trusted: ${certUrl.reason}.`, log: { ...ids, reason: certUrl.reason } };
  }
  let pem: string;
  try {
    pem = await certs.load(message.SigningCertURL); // the URL exactly as SNS sent it names the cache file
  } catch (error) {
    return { ok: false, status: 503, code: 'signing_cert_unavailable', message: 'The signing certificate could not be loaded; please retry.', log: { ...ids, err: (error as Error).message } };
  }
  const signature = verifySnsSignature(message, pem, deps.now());
  if (!signature.ok) {
    return { ok: false, status: 403, code: 'invalid_signature', message: `The SNS signature is not valid: ${signature.reason}.`, log: { ...ids, reason: signature.reason } };
  }
  return { ok: true, message };
}

async function confirmSubscription(deps: HttpDeps, log: FastifyBaseLogger, reply: FastifyReply, message: SnsConfirmation): Promise<FastifyReply> {
  const ids = { messageId: message.MessageId, topicArn: message.TopicArn, type: message.Type };
  if (message.Type === 'UnsubscribeConfirmation') {
    log.warn(ids, 'sns subscription ended');
    return reply.code(200).send({ status: 'noted' });
  }
  const subscribeUrl = checkSnsUrl(message.SubscribeURL);
  if (!subscribeUrl.ok) {
    log.warn({ ...ids, code: 'untrusted_subscribe_url', reason: subscribeUrl.reason }, 'ses webhook refused');
    return sendError(reply, 400, 'untrusted_subscribe_url', `SubscribeURL is not trusted: ${subscribeUrl.reason}.`);
  }
  try {
    await deps.fetchText(subscribeUrl.url.href);
  } catch (error) {
    log.warn({ ...ids, err: (error as Error).message }, 'sns subscription confirmation failed');
    return sendError(reply, 503, 'subscribe_failed', 'Confirming the subscription failed; please retry.');
  }
  log.info(ids, 'sns subscription confirmed');
  return reply.code(200).send({ status: 'subscribed' });
}

/** The largest SNS HTTP body this edge takes (SNS messages are at most 256 KB before escaping). */
export const SNS_BODY_LIMIT_BYTES = 1024 * 1024;

export const sesWebhookRoutes: RoutesPlugin = async (app, deps) => {
  // SNS delivers messages up to 256 KB, JSON-escaped inside its envelope: refusing one with a 4xx
  // would make SNS drop a bounce or complaint for good, so this route takes bodies up to 1 MiB.
  acceptRawBodies(app, Math.max(deps.config.bodyLimitBytes, SNS_BODY_LIMIT_BYTES));
  const certs = makeSnsCertStore({ dir: deps.config.snsCertCacheDir, fetchText: deps.fetchText, now: deps.now });
  const topics = new Set(deps.config.snsTopicArns);

  app.post('/webhooks/ses', { bodyLimit: Math.max(deps.config.bodyLimitBytes, SNS_BODY_LIMIT_BYTES) }, async (request, reply) => {
    const encoded = refuseContentEncoding(request, reply);
    if (encoded) return encoded;
    const body = utf8Text(rawBodyOf(request));
    if (body === null) return refuseNotUtf8(reply);
    const verified = await verifyEnvelope(deps, certs, topics, body);
    if (!verified.ok) {
      request.log.warn({ ...verified.log, code: verified.code }, 'ses webhook refused');
      return sendError(reply, verified.status, verified.code, verified.message, verified.field);
    }
    const message = verified.message;
    if (message.Type === 'Notification') return handleNotification(deps, request.log, reply, message);
    return confirmSubscription(deps, request.log, reply, message);
  });
};
