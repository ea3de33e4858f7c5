/** Helpers shared by the recipient pages: form bodies, list descriptions, the neutral "not valid" page. */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { newsletterListLabel, renewalListLabel, topicLabel, type ListId } from '@tickler/domain';
import type { HttpDeps } from '../deps';
import { html } from './html';
import { sendPage } from './layout';

/**
 * Form bodies as browsers and mailbox providers send them: urlencoded, or multipart (RFC 8058
 * one-click from some providers). Fields only; a file part is refused (413).
 */
export async function registerFormParsers(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  await app.register(formbody, { bodyLimit: deps.config.bodyLimitBytes });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { files: 0, fields: 50, fieldSize: 4096, parts: 50 },
  });
}

/** One field of a parsed form body (first value when repeated); undefined when absent. */
export function formField(body: unknown, name: string): string | undefined {
  const all = formFields(body, name);
  return all[0];
}

/** Every value of a (possibly repeated) form field. */
export function formFields(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const value = (body as Record<string, unknown>)[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : '')).filter((v) => v !== '');
}

/** A list id this system issues, or null. */
export function parseListId(text: string | undefined): ListId | null {
  if (!text) return null;
  return /^(renewal|newsletter):[^\s]{1,200}$/.test(text) ? (text as ListId) : null;
}

/** A sentence naming the list as its recipient knows it. */
export async function describeList(deps: HttpDeps, listId: ListId): Promise<string> {
  if (listId.startsWith('renewal:')) {
    const orderId = listId.slice('renewal:'.length);
    const order = await deps.store.directory.getOrder(orderId);
    return renewalListLabel(orderId, order?.product);
  }
  const topic = listId.slice('newsletter:'.length);
  return newsletterListLabel(topicLabel(deps.config.newsletterTopics, topic));
}

/**
 * The same neutral answer for every forged, truncated, over-long or foreign token: nothing about
 * why, and nothing of the token. 400 by default; 404 for a path no page has.
 */
export function sendInvalidLink(reply: FastifyReply, deps: Pick<HttpDeps, 'config'>, status: 400 | 404 = 400): FastifyReply {
  return sendPage(reply, status, {
    title: 'This link is not valid',
    supportEmail: deps.config.supportEmail,
    body: html`<h1>This link is not valid</h1>
<p>The link may be incomplete or changed. Open it again from the email, copying the whole address if you paste it.</p>
<p class="muted">Nothing was changed.</p>`,
  });
}
