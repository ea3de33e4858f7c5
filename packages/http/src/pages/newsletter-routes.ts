/**
 * Newsletter double opt-in (SPEC §2 rule 7): `GET /newsletter` form (topics + business email),
 * `POST /newsletter/subscriptions` refuses free-mail/disposable/invalid addresses with the reason and
 * the entered values kept, counts the sign-up against the abuse limits (429 + Retry-After), then
 * mails a link: for a new or pending address the subscription's confirmation, for a confirmed one
 * the confirmation of the requested topic change — whose topics stay as they are until then.
 * The answer is the same either way, so the form does not tell who is subscribed.
 */
import { checkBusinessEmail, topicLabel, type BusinessEmailCheck } from '@tickler/domain';
import { isStoreUnavailable } from '@tickler/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from '../deps';
import type { RoutesPlugin } from '../plugin';
import { queueDelivery } from '../queue-jobs';
import { formField, formFields, registerFormParsers } from './common';
import { html } from './html';
import { sendPage } from './layout';
import { requestLanguage, topicPhrase, type PageLanguage } from './i18n';
import { registerConfirmRoutes } from './newsletter-confirm-routes';
import { checkSignupLimits } from './newsletter-limits';

/** A pending subscriber may ask for the confirmation email again, but not sooner than this after the last one went out. */
const RESEND_AFTER_MS = 5 * 60_000;

/** A refusal shown above the form; `field` names the input it is about, if any (a rate limit is about none). */
interface Problem { text: string; field?: 'topics' | 'email' }

/** The error paragraph's id: the invalid field points at it (`aria-describedby`). */
const PROBLEM_ID = 'form-problem';

/**
 * The sign-up form, with the entered values kept. On a problem with one field, that field is
 * marked invalid, described by the message, and focused (`autofocus`: the pages run no script), so
 * a screen reader user lands on what to fix and hears why.
 */
function sendForm(reply: FastifyReply, deps: HttpDeps, lang: PageLanguage, status: number, values: { email: string; topics: string[] }, problem: Problem | null): FastifyReply {
  const { t } = lang;
  const invalid = (field: Problem['field']) => (problem?.field === field ? html` aria-invalid="true" aria-describedby="${PROBLEM_ID}"` : '');
  const topics = deps.config.newsletterTopics.map((topic, i) => {
    const focus = problem?.field === 'topics' && i === 0 ? html` autofocus` : '';
    return html`<label class="check"><input type="checkbox" name="topics" value="${topic.id}"${values.topics.includes(topic.id) ? html` checked` : ''}${focus}> ${topicLabel(deps.config.newsletterTopics, topic.id, lang.locale)}</label>`;
  });
  return sendPage(reply, status, {
    title: t('newsletter.title'),
    supportEmail: deps.config.supportEmail,
    locale: lang.locale,
    body: html`<h1>${t('newsletter.heading')}</h1>
${problem ? html`<p class="problem" role="alert" id="${PROBLEM_ID}">${problem.text}</p>` : ''}
<form method="post" action="/newsletter/subscriptions">
<fieldset${invalid('topics')}><legend>${t('newsletter.topics')}</legend>${topics}</fieldset>
<label for="email">${t('newsletter.email')}</label>
<input id="email" type="email" name="email" required autocomplete="email" value="${values.email}"${invalid('email')}${problem?.field === 'email' ? html` autofocus` : ''}>
<p class="muted">${t('newsletter.note')}</p>
<button type="submit">${t('newsletter.button')}</button>
</form>`,
  });
}

/** Why an address is refused, in the page's language. */
function refusal({ t }: PageLanguage, check: Extract<BusinessEmailCheck, { ok: false }>, email: string): string {
  const domain = email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase();
  if (check.code === 'disposable') return t('newsletter.disposable', { domain });
  if (check.code === 'free_mail') return t('newsletter.freeMail', { domain });
  return t('newsletter.invalidEmail');
}

export const newsletterRoutes: RoutesPlugin = async (app, deps) => {
  await registerFormParsers(app, deps);
  const known = new Set(deps.config.newsletterTopics.map((t) => t.id));

  // A public page: no token names its reader, so the browser's Accept-Language decides.
  app.get('/newsletter', async (request, reply) => sendForm(reply, deps, requestLanguage(deps, request), 200, { email: '', topics: [] }, null));

  app.post('/newsletter/subscriptions', async (request, reply) => {
    const lang = requestLanguage(deps, request);
    const { t } = lang;
    const values = { email: formField(request.body, 'email') ?? '', topics: formFields(request.body, 'topics') };
    const unknown = values.topics.filter((t) => !known.has(t));
    if (values.topics.length === 0 || unknown.length > 0) {
      const problem = unknown.length > 0 ? t('newsletter.unknownTopic', { topics: unknown.join(', ') }) : t('newsletter.pickTopic');
      return sendForm(reply, deps, lang, 400, { ...values, topics: values.topics.filter((t) => known.has(t)) }, { text: problem, field: 'topics' });
    }
    const check = checkBusinessEmail(values.email, { allowDomains: deps.config.emailDomainAllowlist });
    if (!check.ok) {
      request.log.info({ code: check.code }, 'newsletter subscription refused');
      return sendForm(reply, deps, lang, 400, values, { text: refusal(lang, check, values.email), field: 'email' });
    }
    const limited = await checkSignupLimits(deps, request, reply, check.email, lang);
    if ('status' in limited) return sendForm(reply, deps, lang, limited.status, values, { text: limited.problem });
    const topics = [...new Set(values.topics)];
    let stored: Awaited<ReturnType<typeof storeSignup>>;
    try {
      stored = await storeSignup(deps, request, check.email, topics, lang.locale);
    } catch (error) {
      // Nothing (or not all) was stored: the attempt does not count against the limits.
      await limited.release();
      if (!isStoreUnavailable(error)) throw error;
      request.log.error({ err: (error as Error).message }, 'newsletter subscription failed: the database is unavailable');
      reply.header('retry-after', String(STORE_RETRY_AFTER_S));
      return sendForm(reply, deps, lang, 503, values, { text: t('newsletter.unavailable') });
    }
    const { subscription, change, sending } = stored;
    request.log.info({ subscriptionId: subscription.id, topicChangeId: change?.id, sending }, 'newsletter subscription request stored');
    const chosen = topicPhrase(deps, lang, topics);
    return sendPage(reply, 200, {
      title: t('newsletter.checkInbox'),
      supportEmail: deps.config.supportEmail,
      locale: lang.locale,
      body: html`<h1>${t('newsletter.checkInbox')}</h1>
<p class="notice">${t(sending ? 'newsletter.sent' : 'newsletter.notResent', { email: check.email })}</p>
<p>${t(sending ? 'newsletter.sentNote' : 'newsletter.notResentNote', { topics: chosen })}</p>`,
    });
  });

  registerConfirmRoutes(app, deps);
};

/** How long a browser is asked to wait when the database cannot store a sign-up, s. */
const STORE_RETRY_AFTER_S = 30;

/** Stores a sign-up and queues its confirmation (or topic-change) email; whether an email goes out now. */
async function storeSignup(deps: HttpDeps, request: FastifyRequest, email: string, topics: string[], locale: string) {
  // The confirmation email follows the language of this page (kept for the address unless its owner chose one).
  await deps.store.lists.setLocale(email, locale, 'sign-up');
  const { subscription, change } = await deps.store.newsletter.subscribe(email, topics);
  const common = { email: subscription.email, listId: null, orderId: null };
  const { sending } = change
    ? await queueDelivery(deps, request.log, { ...common, sourceType: 'newsletter-topic-change', sourceId: change.id }, () => false)
    : await queueDelivery(deps, request.log, { ...common, sourceType: 'newsletter-confirmation', sourceId: subscription.id },
      (existing) => existing.sentAt === null || deps.now().getTime() - existing.sentAt.getTime() >= RESEND_AFTER_MS);
  return { subscription, change, sending };
}
