/**
 * `POST /webhooks/ses`: SES events delivered by Amazon SNS over HTTP(S). The body is the SNS JSON
 * envelope (sent as text/plain). Checks, in order: envelope shape (400), topic allowed (403),
 * signing-certificate URL on an SNS host (403), signature (403). SubscriptionConfirmation fetches
 * SubscribeURL only when it is on an SNS host; Notification records the event once per SNS MessageId
 * and applies it.
 */
import { checkSigningCertUrl, checkSnsUrl, parseSesEvent, parseSnsMessage, verifySnsSignature, type SnsNotification } from '@tickler/domain';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';
import type { RoutesPlugin } from '../plugin';
import { acceptRawBodies } from './raw-body';
import { applySesEvent } from './ses-apply';
import { makeSnsCertStore } from './sns-certs';

async function handleNotification(deps: HttpDeps, log: FastifyBaseLogger, reply: FastifyReply, message: SnsNotification): Promise<FastifyReply> {
  const parsed = parseSesEvent(message.Message);
  if (!parsed.ok) {
    log.warn({ messageId: message.MessageId, field: parsed.field }, 'ses webhook refused: event');
    return sendError(reply, 400, 'invalid_ses_event', parsed.message, parsed.field);
  }
  const event = parsed.event;
  const recipients = event.type === 'other' ? [] : event.recipients;
  const { row, duplicate } = await deps.store.events.record({
    source: 'ses', eventId: message.MessageId, type: event.type === 'bounce' ? `bounce.${event.bounceType}` : event.type,
    status: 'pending', email: recipients[0] ?? null, payload: message.Message,
  });
  if (duplicate && row.status !== 'pending') {
    log.info({ messageId: message.MessageId, inboundEventId: row.id }, 'ses event duplicate');
    return reply.code(200).send({ status: 'duplicate' });
  }
  const result = await applySesEvent(deps.store, event);
  await deps.store.events.mark(row.id, result.status, result.reason, deps.now());
  log.info({ messageId: message.MessageId, sesMessageId: event.messageId, inboundEventId: row.id, deliveryId: result.deliveryId, type: row.type, status: result.status }, 'ses event processed');
  return reply.code(200).send({ status: result.status });
}

export const sesWebhookRoutes: RoutesPlugin = async (app, deps) => {
  acceptRawBodies(app, deps.config.bodyLimitBytes);
  const certs = makeSnsCertStore({ dir: deps.config.snsCertCacheDir, fetchText: deps.fetchText });
  const topics = new Set(deps.config.snsTopicArns);

  app.post('/webhooks/ses', async (request, reply) => {
    let json: unknown;
    try {
      json = JSON.parse(typeof request.body === 'string' ? request.body : '');
    } catch {
      request.log.warn({ code: 'invalid_json' }, 'ses webhook refused');
      return sendError(reply, 400, 'invalid_json', 'The body is not valid JSON.');
    }
    const envelope = parseSnsMessage(json);
    if (!envelope.ok) {
      request.log.warn({ code: 'invalid_sns_message', field: envelope.field }, 'ses webhook refused');
      return sendError(reply, 400, 'invalid_sns_message', envelope.message, envelope.field);
    }
    const message = envelope.message;
    const ids = { messageId: message.MessageId, topicArn: message.TopicArn, type: message.Type };
    if (!topics.has(message.TopicArn)) {
      request.log.warn({ ...ids, code: 'topic_not_allowed' }, 'ses webhook refused');
      return sendError(reply, 403, 'topic_not_allowed', `Messages from topic ${message.TopicArn} are not accepted.`);
    }
    const certUrl = checkSigningCertUrl(message.SigningCertURL);
    if (!certUrl.ok) {
      request.log.warn({ ...ids, code: 'untrusted_signing_cert', reason: certUrl.reason }, 'ses webhook refused');
      return sendError(reply, 403, 'untrusted_signing_cert', `SigningCertURL is not trusted: ${certUrl.reason}.`);
    }
    let pem: string;
    try {
      pem = await certs.load(certUrl.url.href);
    } catch (error) {
      request.log.warn({ ...ids, err: (error as Error).message }, 'ses webhook: signing certificate unavailable');
      return sendError(reply, 503, 'signing_cert_unavailable', 'The signing certificate could not be loaded; please retry.');
    }
    const signature = verifySnsSignature(message, pem, deps.now());
    if (!signature.ok) {
      request.log.warn({ ...ids, code: 'invalid_signature', reason: signature.reason }, 'ses webhook refused');
      return sendError(reply, 403, 'invalid_signature', `The SNS signature is not valid: ${signature.reason}.`);
    }
    if (message.Type === 'Notification') return handleNotification(deps, request.log, reply, message);
    if (message.Type === 'UnsubscribeConfirmation') {
      request.log.warn(ids, 'sns subscription ended');
      return reply.code(200).send({ status: 'noted' });
    }
    const subscribeUrl = checkSnsUrl(message.SubscribeURL);
    if (!subscribeUrl.ok) {
      request.log.warn({ ...ids, code: 'untrusted_subscribe_url', reason: subscribeUrl.reason }, 'ses webhook refused');
      return sendError(reply, 400, 'untrusted_subscribe_url', `SubscribeURL is not trusted: ${subscribeUrl.reason}.`);
    }
    try {
      await deps.fetchText(subscribeUrl.url.href);
    } catch (error) {
      request.log.warn({ ...ids, err: (error as Error).message }, 'sns subscription confirmation failed');
      return sendError(reply, 503, 'subscribe_failed', 'Confirming the subscription failed; please retry.');
    }
    request.log.info(ids, 'sns subscription confirmed');
    return reply.code(200).send({ status: 'subscribed' });
  });
};
