/**
 * `GET/POST /newsletter/confirm/:token`, for both kinds of link the sign-up mails: a confirm token
 * (a pending subscription: confirm it) and a topic-change token (a confirmed subscription: apply
 * exactly the change that email described). `GET` shows what would happen and changes nothing;
 * `POST` does it; repeats are harmless. A test email's link (test-email-page.ts) gets a page saying so.
 */
import { readConfirmToken, readTopicChangeToken, receivedTopics } from '@tickler/domain';
import type { SubscriptionRow } from '@tickler/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendInvalidLink } from './common';
import { html, type Html } from './html';
import { pageLanguage, topicPhrase, type PageLanguage } from './i18n';
import { sendPage } from './layout';
import { sendTestEmailPage } from './test-email-page';

type TokenParams = { Params: { token: string } };

function page(reply: FastifyReply, deps: HttpDeps, lang: PageLanguage, title: string, body: Html): FastifyReply {
  return sendPage(reply, 200, { title, supportEmail: deps.config.supportEmail, body, locale: lang.locale });
}

function sendConfirmed(reply: FastifyReply, deps: HttpDeps, lang: PageLanguage, subscription: SubscriptionRow, headingKey: string): FastifyReply {
  const heading = lang.t(headingKey);
  return page(reply, deps, lang, heading, html`<h1>${heading}</h1>
<p class="notice">${lang.t('confirm.receives', { email: subscription.email, topics: topicPhrase(deps, lang, subscription.topics) })}</p>
<p class="muted">${lang.t('confirm.unsubscribeNote')}</p>`);
}

/** The subscriber's choice, else the language their browser sent at sign-up, else this browser's. */
const languageOf = (deps: HttpDeps, request: FastifyRequest, email: string) => pageLanguage(deps, request, { email, signUpCounts: true });

/** The pending change a topic-change token names, with its subscription; null when that change is gone. */
async function findChange(deps: HttpDeps, claim: { email: string; changeId: number }) {
  const change = await deps.store.newsletter.getTopicChange(claim.changeId);
  return change && change.email === claim.email ? change : null;
}

export function registerConfirmRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const secrets = deps.config.tokenSecrets;

  app.get<TokenParams>('/newsletter/confirm/:token', async (request, reply) => {
    const test = sendTestEmailPage(reply, deps, request.params.token, 'confirm');
    if (test) return test;
    const changeClaim = readTopicChangeToken(secrets, request.params.token);
    const email = changeClaim?.email ?? readConfirmToken(secrets, request.params.token)?.email;
    const subscription = email ? await deps.store.newsletter.get(email) : null;
    // Change links are only mailed to confirmed subscribers.
    if (!subscription || (changeClaim && subscription.status !== 'confirmed')) return sendInvalidLink(reply, deps);
    const lang = await languageOf(deps, request, subscription.email);
    const { t } = lang;
    if (changeClaim) {
      const change = await findChange(deps, changeClaim);
      if (!change) return sendConfirmed(reply, deps, lang, subscription, 'confirm.nothingToChange');
      return page(reply, deps, lang, t('confirm.changeTitle'), html`<h1>${t('confirm.changeTitle')}</h1>
<p>${t('confirm.changeQuestion', { email: subscription.email, topics: topicPhrase(deps, lang, change.topics) })}</p>
<p class="muted">${t('confirm.rightNow', { topics: topicPhrase(deps, lang, receivedTopics(subscription.topics, await deps.store.lists.listUnsubscribed(subscription.email))) })}</p>
<form method="post"><button type="submit">${t('confirm.changeButton')}</button></form>`);
    }
    if (subscription.status === 'confirmed') return sendConfirmed(reply, deps, lang, subscription, 'confirm.confirmed');
    return page(reply, deps, lang, t('confirm.subscribeTitle'), html`<h1>${t('confirm.subscribeTitle')}</h1>
<p>${t('confirm.subscribeQuestion', { email: subscription.email, topics: topicPhrase(deps, lang, subscription.topics) })}</p>
<form method="post"><button type="submit">${t('confirm.subscribeButton')}</button></form>`);
  });

  app.post<TokenParams>('/newsletter/confirm/:token', async (request, reply) => {
    const test = sendTestEmailPage(reply, deps, request.params.token, 'confirm');
    if (test) return test;
    const changeClaim = readTopicChangeToken(secrets, request.params.token);
    if (changeClaim) {
      const change = await findChange(deps, changeClaim);
      const applied = change ? await deps.store.newsletter.applyTopicChange(change.id) : null;
      const subscription = applied ?? await deps.store.newsletter.get(changeClaim.email);
      if (!subscription || subscription.status !== 'confirmed') return sendInvalidLink(reply, deps);
      request.log.info({ subscriptionId: subscription.id, topicChangeId: changeClaim.changeId, applied: applied !== null }, 'newsletter topic change confirmed');
      return sendConfirmed(reply, deps, await languageOf(deps, request, subscription.email), subscription, applied ? 'confirm.updated' : 'confirm.nothingToChange');
    }
    const claim = readConfirmToken(secrets, request.params.token);
    const subscription = claim ? await deps.store.newsletter.confirm(claim.email, deps.now()) : null;
    if (!subscription) {
      request.log.info({ route: '/newsletter/confirm/:token' }, 'newsletter confirmation refused: invalid token');
      return sendInvalidLink(reply, deps);
    }
    request.log.info({ subscriptionId: subscription.id }, 'newsletter subscription confirmed');
    return sendConfirmed(reply, deps, await languageOf(deps, request, subscription.email), subscription, 'confirm.confirmed');
  });
}
