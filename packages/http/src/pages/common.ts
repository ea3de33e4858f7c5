/** Helpers shared by the recipient pages: form bodies, list descriptions, the neutral "not valid" and "not found" pages. */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { topicLabel, type ListId } from '@tickler/domain';
import type { HttpDeps } from '../deps';
import { html } from './html';
import { requestLanguage, type PageLanguage } from './i18n';
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

/** The list as its recipient knows it ("Renewal reminders for order ORD-1 (SDK)"), in the page's language. */
export async function describeList(deps: HttpDeps, listId: ListId, { locale, t }: PageLanguage): Promise<string> {
  if (listId.startsWith('renewal:')) {
    const orderId = listId.slice('renewal:'.length);
    const order = await deps.store.directory.getOrder(orderId);
    return order ? t('lists.renewalWithProduct', { orderNumber: orderId, product: order.product }) : t('lists.renewal', { orderNumber: orderId });
  }
  const topic = listId.slice('newsletter:'.length);
  return t('lists.newsletter', { topic: topicLabel(deps.config.newsletterTopics, topic, locale) });
}

/**
 * The same neutral answer for every forged, truncated, over-long or foreign token: nothing about
 * why, and nothing of the token. 400 by default; 404 for a path no page has.
 */
export function sendInvalidLink(reply: FastifyReply, deps: Pick<HttpDeps, 'config'>, status: 400 | 404 = 400): FastifyReply {
  // The token names no one we may trust: the browser's language.
  const { locale, t } = requestLanguage(deps, reply.request);
  return sendPage(reply, status, {
    title: t('invalid.heading'),
    supportEmail: deps.config.supportEmail,
    locale,
    body: html`<h1>${t('invalid.heading')}</h1>
<p>${t('invalid.body')}</p>
<p class="muted">${t('invalid.nothingChanged')}</p>`,
  });
}

/** 404 for a browser that asked for a page no route has (e.g. `/u` without its token): a page, in the browser's language. */
export function sendNotFoundPage(reply: FastifyReply, deps: Pick<HttpDeps, 'config'>): FastifyReply {
  const { locale, t } = requestLanguage(deps, reply.request);
  return sendPage(reply, 404, {
    title: t('notFound.title'),
    supportEmail: deps.config.supportEmail,
    locale,
    body: html`<h1>${t('notFound.heading')}</h1>
<p>${t('notFound.body')}</p>`,
  });
}
