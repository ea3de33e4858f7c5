/**
 * Newsletter double opt-in (SPEC §2 rule 7): `GET /newsletter` form (topics + business email),
 * `POST /newsletter/subscriptions` refuses free-mail/disposable/invalid addresses with the reason and
 * the entered values kept, counts the sign-up against the abuse limits (429 + Retry-After), then
 * mails a link: for a new or pending address the subscription's confirmation, for a confirmed one
 * the confirmation of the requested topic change — whose topics stay as they are until then.
 * The answer is the same either way, so the form does not tell who is subscribed.
 */
import { checkBusinessEmail } from '@tickler/domain';
import type { FastifyReply } from 'fastify';
import type { HttpDeps } from '../deps';
import type { RoutesPlugin } from '../plugin';
import { queueDelivery } from '../queue-jobs';
import { formField, formFields, registerFormParsers } from './common';
import { html } from './html';
import { sendPage } from './layout';
import { registerConfirmRoutes, topicLabels } from './newsletter-confirm-routes';
import { checkSignupLimits } from './newsletter-limits';

/** A pending subscriber may ask for the confirmation email again, but not sooner than this after the last one went out. */
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
<p class="muted">We send a confirmation link first; nothing changes until you click it.</p>
<button type="submit">Subscribe</button>
</form>`,
  });
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
    const refusal = await checkSignupLimits(deps, request, reply, check.email);
    if (refusal) return sendForm(reply, deps, refusal.status, values, refusal.problem);

    const topics = [...new Set(values.topics)];
    const { subscription, change } = await deps.store.newsletter.subscribe(check.email, topics);
    const common = { email: subscription.email, listId: null, orderId: null };
    const { sending } = change
      ? await queueDelivery(deps, request.log, { ...common, sourceType: 'newsletter-topic-change', sourceId: change.id }, () => false)
      : await queueDelivery(deps, request.log, { ...common, sourceType: 'newsletter-confirmation', sourceId: subscription.id },
        (existing) => existing.sentAt === null || deps.now().getTime() - existing.sentAt.getTime() >= RESEND_AFTER_MS);
    request.log.info({ subscriptionId: subscription.id, topicChangeId: change?.id, sending }, 'newsletter subscription request stored');
    const chosen = topicLabels(deps, topics);
    return sendPage(reply, 200, {
      title: 'Check your inbox',
      supportEmail: deps.config.supportEmail,
      body: sending
        ? html`<h1>Check your inbox</h1>
<p class="notice">We sent a link to ${check.email}.</p>
<p>Your choice (${chosen}) takes effect only when you click the link in that email. Until then nothing changes.</p>`
        : html`<h1>Check your inbox</h1>
<p class="notice">We sent a link to ${check.email} a few minutes ago, so we did not send another one yet.</p>
<p>The link in that email confirms your latest choice (${chosen}). Until you click it nothing changes.</p>`,
    });
  });

  registerConfirmRoutes(app, deps);
};
