/**
 * Newsletter double opt-in (SPEC §2 rule 7): `GET /newsletter` form (topics + business email),
 * `POST /newsletter/subscriptions` refuses free-mail/disposable/invalid addresses with the reason and
 * the entered values kept, else stores a pending subscription and sends the confirmation email;
 * `GET/POST /newsletter/confirm/:token` confirms.
 */
import { checkBusinessEmail, readConfirmToken } from '@tickler/domain';
import type { SubscriptionRow } from '@tickler/db';
import type { FastifyReply } from 'fastify';
import type { HttpDeps } from '../deps';
import type { RoutesPlugin } from '../plugin';
import { queueDelivery } from '../queue-jobs';
import { formField, formFields, registerFormParsers, sendInvalidLink } from './common';
import { html } from './html';
import { sendPage } from './layout';

type TokenParams = { Params: { token: string } };

/** A pending subscriber may ask for the confirmation email again, but not more often than this. */
const RESEND_AFTER_MS = 5 * 60_000;

function sendForm(reply: FastifyReply, deps: HttpDeps, status: number, values: { email: string; topics: string[] }, problem: string | null): FastifyReply {
  const topics = deps.config.newsletterTopics.map((t) => html`<label class="check"><input type="checkbox" name="topics" value="${t.id}"${values.topics.includes(t.id) ? html` checked` : ''}> ${t.label}</label>`);
  return sendPage(reply, status, {
    title: 'Newsletter',
    supportEmail: deps.config.supportEmail,
    body: html`<h1>Subscribe to our newsletter</h1>
${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
<form method="post" action="/newsletter/subscriptions">
<fieldset><legend>Topics you are interested in</legend>${topics}</fieldset>
<label for="email">Business email address</label>
<input id="email" type="email" name="email" required autocomplete="email" value="${values.email}">
<p class="muted">We send a confirmation link first; nothing else arrives until you click it.</p>
<button type="submit">Subscribe</button>
</form>`,
  });
}

function topicLabels(deps: HttpDeps, subscription: SubscriptionRow): string {
  return subscription.topics.map((id) => deps.config.newsletterTopics.find((t) => t.id === id)?.label ?? id).join(', ');
}

export const newsletterRoutes: RoutesPlugin = async (app, deps) => {
  await registerFormParsers(app, deps);
  const known = new Set(deps.config.newsletterTopics.map((t) => t.id));

  app.get('/newsletter', async (_request, reply) => sendForm(reply, deps, 200, { email: '', topics: [] }, null));

  app.post('/newsletter/subscriptions', async (request, reply) => {
    const values = { email: formField(request.body, 'email') ?? '', topics: formFields(request.body, 'topics') };
    const unknown = values.topics.filter((t) => !known.has(t));
    if (values.topics.length === 0 || unknown.length > 0) {
      const problem = unknown.length > 0 ? `Unknown topic: ${unknown.join(', ')}.` : 'Pick at least one topic.';
      return sendForm(reply, deps, 400, { ...values, topics: values.topics.filter((t) => known.has(t)) }, problem);
    }
    const check = checkBusinessEmail(values.email, { allowDomains: deps.config.emailDomainAllowlist });
    if (!check.ok) {
      request.log.info({ code: check.code }, 'newsletter subscription refused');
      return sendForm(reply, deps, 400, values, check.message);
    }
    const subscription = await deps.store.newsletter.subscribe(check.email, [...new Set(values.topics)]);
    if (subscription.status === 'pending') {
      const resend = (existing: { sentAt: Date | null }) => existing.sentAt !== null && deps.now().getTime() - existing.sentAt.getTime() >= RESEND_AFTER_MS;
      const input = { sourceType: 'newsletter-confirmation' as const, sourceId: subscription.id, email: subscription.email, listId: null, orderId: null };
      await queueDelivery(deps, request.log, input, resend);
    }
    request.log.info({ subscriptionId: subscription.id, status: subscription.status }, 'newsletter subscription stored');
    return sendPage(reply, 200, {
      title: 'Check your inbox',
      supportEmail: deps.config.supportEmail,
      body: html`<h1>Check your inbox</h1>
<p class="notice">We sent a confirmation link to ${check.email}.</p>
<p>Click the link in that email to confirm your subscription (${topicLabels(deps, subscription)}). Until then you will not receive any newsletter.</p>`,
    });
  });

  const lookup = async (token: string) => {
    const claim = readConfirmToken(deps.config.tokenSecrets, token);
    return claim ? deps.store.newsletter.get(claim.email) : null;
  };

  app.get<TokenParams>('/newsletter/confirm/:token', async (request, reply) => {
    const subscription = await lookup(request.params.token);
    if (!subscription) return sendInvalidLink(reply, deps);
    const confirmed = subscription.status === 'confirmed';
    return sendPage(reply, 200, {
      title: 'Confirm your subscription',
      supportEmail: deps.config.supportEmail,
      body: confirmed
        ? html`<h1>Your subscription is confirmed</h1><p class="notice">${subscription.email} receives: ${topicLabels(deps, subscription)}.</p>`
        : html`<h1>Confirm your subscription</h1>
<p>Subscribe ${subscription.email} to: <strong>${topicLabels(deps, subscription)}</strong>?</p>
<form method="post"><button type="submit">Confirm subscription</button></form>`,
    });
  });

  app.post<TokenParams>('/newsletter/confirm/:token', async (request, reply) => {
    const claim = readConfirmToken(deps.config.tokenSecrets, request.params.token);
    const subscription = claim ? await deps.store.newsletter.confirm(claim.email, deps.now()) : null;
    if (!subscription) {
      request.log.info({ route: '/newsletter/confirm/:token' }, 'newsletter confirmation refused: invalid token');
      return sendInvalidLink(reply, deps);
    }
    request.log.info({ subscriptionId: subscription.id }, 'newsletter subscription confirmed');
    return sendPage(reply, 200, {
      title: 'Subscription confirmed',
      supportEmail: deps.config.supportEmail,
      body: html`<h1>Your subscription is confirmed</h1>
<p class="notice">${subscription.email} receives: ${topicLabels(deps, subscription)}.</p>
<p class="muted">Every newsletter has an unsubscribe link at the bottom.</p>`,
    });
  });
};
