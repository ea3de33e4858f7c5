/**
 * `GET /preferences/:token` (address token) lists every list the address belongs to — each order it
 * is a contact of, each newsletter topic it subscribed — with leave/rejoin buttons; `POST` applies one
 * change (`listId` + `action`) to a list the address actually belongs to, then shows the page again.
 */
import {
  newsletterListId, newsletterListLabel, readAddressToken, renewalListId, renewalListLabel, topicLabel, type ListId,
} from '@tickler/domain';
import type { HttpDeps } from '../deps';
import type { RoutesPlugin } from '../plugin';
import { formField, registerFormParsers, sendInvalidLink } from './common';
import { html, type Html } from './html';
import { sendPage } from './layout';

type TokenParams = { Params: { token: string } };
interface ListEntry { listId: ListId; label: string; left: boolean }

async function listsOf(deps: HttpDeps, email: string): Promise<ListEntry[]> {
  const [orders, subscription, left] = await Promise.all([
    deps.store.directory.listOrdersForContact(email),
    deps.store.newsletter.get(email),
    deps.store.lists.listUnsubscribed(email),
  ]);
  const leftSet = new Set<string>(left);
  const entries: ListEntry[] = orders.map((o) => ({
    listId: renewalListId(o.id), label: renewalListLabel(o.id, o.product), left: false,
  }));
  for (const topic of subscription?.topics ?? []) {
    const pending = subscription?.status === 'pending' ? ' (awaiting your confirmation)' : '';
    entries.push({ listId: newsletterListId(topic), label: `${newsletterListLabel(topicLabel(deps.config.newsletterTopics, topic))}${pending}`, left: false });
  }
  return entries.map((e) => ({ ...e, left: leftSet.has(e.listId) }));
}

function renderPage(email: string, entries: ListEntry[], message: { kind: 'notice' | 'problem'; text: string } | null): Html {
  const rows = entries.map((e) => html`<li><span>${e.label}<br><span class="muted">${e.left ? 'You left this list' : 'Subscribed'}</span></span>
<form method="post"><input type="hidden" name="listId" value="${e.listId}"><input type="hidden" name="action" value="${e.left ? 'rejoin' : 'leave'}">
<button type="submit" class="${e.left ? '' : 'secondary'}">${e.left ? 'Rejoin' : 'Leave'}</button></form></li>`);
  return html`<h1>Email preferences</h1>
<p>For ${email}</p>
${message ? html`<p class="${message.kind}">${message.text}</p>` : ''}
${entries.length > 0 ? html`<ul class="lists">${rows}</ul>` : html`<p>This address is not on any list.</p>`}
<p class="muted">Leaving a renewal list stops that order's reminders only; your access to the license stays.</p>`;
}

export const preferencesRoutes: RoutesPlugin = async (app, deps) => {
  await registerFormParsers(app, deps);
  const secrets = deps.config.tokenSecrets;

  app.get<TokenParams>('/preferences/:token', async (request, reply) => {
    const claim = readAddressToken(secrets, request.params.token);
    if (!claim) return sendInvalidLink(reply, deps);
    const entries = await listsOf(deps, claim.email);
    return sendPage(reply, 200, { title: 'Email preferences', supportEmail: deps.config.supportEmail, body: renderPage(claim.email, entries, null) });
  });

  app.post<TokenParams>('/preferences/:token', async (request, reply) => {
    const claim = readAddressToken(secrets, request.params.token);
    if (!claim) return sendInvalidLink(reply, deps);
    const listId = formField(request.body, 'listId');
    const action = formField(request.body, 'action');
    const entries = await listsOf(deps, claim.email);
    const entry = entries.find((e) => e.listId === listId);
    if (!entry || (action !== 'leave' && action !== 'rejoin')) {
      request.log.info({ listId, action }, 'preferences change refused');
      const text = !entry ? 'That list is not one of yours; nothing was changed.' : 'Choose Leave or Rejoin; nothing was changed.';
      return sendPage(reply, 400, { title: 'Email preferences', supportEmail: deps.config.supportEmail, body: renderPage(claim.email, entries, { kind: 'problem', text }) });
    }
    if (action === 'leave') await deps.store.lists.unsubscribe(claim.email, entry.listId, 'preferences');
    else await deps.store.lists.resubscribe(claim.email, entry.listId);
    request.log.info({ listId: entry.listId, action }, 'preferences changed');
    const updated = await listsOf(deps, claim.email);
    const text = action === 'leave' ? `You left: ${entry.label}.` : `You rejoined: ${entry.label}.`;
    return sendPage(reply, 200, { title: 'Email preferences', supportEmail: deps.config.supportEmail, body: renderPage(claim.email, updated, { kind: 'notice', text }) });
  });
};
