/**
 * `GET/POST /newsletter/confirm/:token`, for both kinds of link the sign-up mails: a confirm token
 * (a pending subscription: confirm it) and a topic-change token (a confirmed subscription: apply
 * exactly the change that email described). `GET` shows what would happen and changes nothing;
 * `POST` does it; repeats are harmless.
 */
import { readConfirmToken, readTopicChangeToken, topicLabel } from '@tickler/domain';
import type { SubscriptionRow } from '@tickler/db';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendInvalidLink } from './common';
import { html, type Html } from './html';
import { sendPage } from './layout';

type TokenParams = { Params: { token: string } };

/** Topic ids as their labels, comma-separated. */
export function topicLabels(deps: HttpDeps, topics: readonly string[]): string {
  return topics.map((id) => topicLabel(deps.config.newsletterTopics, id)).join(', ') || 'no topic';
}

function page(reply: FastifyReply, deps: HttpDeps, title: string, body: Html): FastifyReply {
  return sendPage(reply, 200, { title, supportEmail: deps.config.supportEmail, body });
}

function sendConfirmed(reply: FastifyReply, deps: HttpDeps, subscription: SubscriptionRow, heading: string): FastifyReply {
  return page(reply, deps, heading, html`<h1>${heading}</h1>
<p class="notice">${subscription.email} receives: ${topicLabels(deps, subscription.topics)}.</p>
<p class="muted">Every newsletter has an unsubscribe link at the bottom.</p>`);
}

/** The pending change a topic-change token names, with its subscription; null when that change is gone. */
async function findChange(deps: HttpDeps, claim: { email: string; changeId: number }) {
  const change = await deps.store.newsletter.getTopicChange(claim.changeId);
  return change && change.email === claim.email ? change : null;
}

export function registerConfirmRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const secrets = deps.config.tokenSecrets;

  app.get<TokenParams>('/newsletter/confirm/:token', async (request, reply) => {
    const changeClaim = readTopicChangeToken(secrets, request.params.token);
    const email = changeClaim?.email ?? readConfirmToken(secrets, request.params.token)?.email;
    const subscription = email ? await deps.store.newsletter.get(email) : null;
    // Change links are only mailed to confirmed subscribers.
    if (!subscription || (changeClaim && subscription.status !== 'confirmed')) return sendInvalidLink(reply, deps);
    if (changeClaim) {
      const change = await findChange(deps, changeClaim);
      if (!change) return sendConfirmed(reply, deps, subscription, 'Nothing to change');
      return page(reply, deps, 'Confirm your new topics', html`<h1>Confirm your new topics</h1>
<p>Change the newsletter topics of ${subscription.email} to: <strong>${topicLabels(deps, change.topics)}</strong>?</p>
<p class="muted">Right now: ${topicLabels(deps, subscription.topics)}. Nothing changes unless you confirm.</p>
<form method="post"><button type="submit">Confirm the change</button></form>`);
    }
    if (subscription.status === 'confirmed') return sendConfirmed(reply, deps, subscription, 'Your subscription is confirmed');
    return page(reply, deps, 'Confirm your subscription', html`<h1>Confirm your subscription</h1>
<p>Subscribe ${subscription.email} to: <strong>${topicLabels(deps, subscription.topics)}</strong>?</p>
<form method="post"><button type="submit">Confirm subscription</button></form>`);
  });

  app.post<TokenParams>('/newsletter/confirm/:token', async (request, reply) => {
    const changeClaim = readTopicChangeToken(secrets, request.params.token);
    if (changeClaim) {
      const change = await findChange(deps, changeClaim);
      const applied = change ? await deps.store.newsletter.applyTopicChange(change.id) : null;
      const subscription = applied ?? await deps.store.newsletter.get(changeClaim.email);
      if (!subscription || subscription.status !== 'confirmed') return sendInvalidLink(reply, deps);
      request.log.info({ subscriptionId: subscription.id, topicChangeId: changeClaim.changeId, applied: applied !== null }, 'newsletter topic change confirmed');
      return sendConfirmed(reply, deps, subscription, applied ? 'Your topics are updated' : 'Nothing to change');
    }
    const claim = readConfirmToken(secrets, request.params.token);
    const subscription = claim ? await deps.store.newsletter.confirm(claim.email, deps.now()) : null;
    if (!subscription) {
      request.log.info({ route: '/newsletter/confirm/:token' }, 'newsletter confirmation refused: invalid token');
      return sendInvalidLink(reply, deps);
    }
    request.log.info({ subscriptionId: subscription.id }, 'newsletter subscription confirmed');
    return sendConfirmed(reply, deps, subscription, 'Your subscription is confirmed');
  });
}
