/**
 * `GET /u/:token` shows which list the recipient is about to leave and changes nothing (link
 * scanners fetch links); `POST /u/:token` leaves exactly that list. Once left, both show the done
 * state, with a Rejoin button (posting to the preferences page) while the list is still the
 * address's own. RFC 8058 one-click
 * (`List-Unsubscribe=One-Click`, urlencoded or multipart) gets a plain 200: no redirect, no cookie.
 * A reminder digest's token leaves every list of that email (digest-unsubscribe.ts).
 * The link of a test send (list `test:<template>`) answers both with a page saying it changes nothing.
 */
import { createAddressToken, readListToken, type ListId } from '@tickler/domain';
import type { FastifyRequest } from 'fastify';
import type { HttpDeps } from '../deps';
import type { RoutesPlugin } from '../plugin';
import { canRejoin } from './address-lists';
import { describeList, formField, parseListId, registerFormParsers, sendInvalidLink } from './common';
import { digestConfirmBody, digestDoneBody, digestLanguage, digestListsLeft, leaveDigestLists, readDigestClaim } from './digest-unsubscribe';
import { html, type Html } from './html';
import { pageLanguage, type PageLanguage } from './i18n';
import { sendPage } from './layout';
import { sendTestEmailPage } from './test-email-page';

type TokenParams = { Params: { token: string } };
interface ListClaim { email: string; listId: ListId }

/**
 * Whether leaving keeps the address's access to a license (SPEC §2 rules 5, 6): only a renewal list
 * of an order it is still a contact of — removal from the contacts took the access away already.
 */
async function keepsLicenseAccess(deps: HttpDeps, claim: ListClaim): Promise<boolean> {
  if (!claim.listId.startsWith('renewal:')) return false;
  return deps.store.directory.isContact(claim.listId.slice('renewal:'.length), claim.email);
}

/** `GET` before leaving: the list, what leaving does, the button. */
async function confirmBody(deps: HttpDeps, claim: ListClaim, list: string, { t }: PageLanguage, preferencesLink: string): Promise<Html> {
  const note = await keepsLicenseAccess(deps, claim) ? 'unsubscribe.renewalNote' : 'unsubscribe.otherNote';
  return html`<h1>${t('unsubscribe.question')}</h1>
<p><strong>${list}</strong></p>
<p>${t('unsubscribe.stops', { email: claim.email })} ${t(note)}</p>
<form method="post"><button type="submit">${t('unsubscribe.button')}</button></form>
<p class="muted"><a href="${preferencesLink}">${t('unsubscribe.manageAll')}</a></p>`;
}

/**
 * The list is left (the `POST`'s answer, and any `GET` after it): no second Unsubscribe button, but
 * Rejoin — the preferences page's own change, so it is refused there like any other list that is
 * not the address's (e.g. after its removal from the order's contacts, when no Rejoin is offered).
 */
async function doneBody(deps: HttpDeps, claim: ListClaim, list: string, lang: PageLanguage, preferencesLink: string): Promise<Html> {
  const { t } = lang;
  const rejoin = await canRejoin(deps, claim.email, claim.listId, lang)
    ? html`<form method="post" action="${preferencesLink}"><input type="hidden" name="listId" value="${claim.listId}"><input type="hidden" name="action" value="rejoin">
<button type="submit" class="secondary">${t('unsubscribe.rejoin')}</button></form>`
    : '';
  return html`<h1>${t('unsubscribe.doneHeading')}</h1>
<p class="notice">${t('unsubscribe.doneLead', { email: claim.email })} <strong>${list}</strong></p>
${rejoin}
<p class="muted"><a href="${preferencesLink}">${t('unsubscribe.manageAll')}</a></p>`;
}

export const unsubscribeRoutes: RoutesPlugin = async (app, deps) => {
  await registerFormParsers(app, deps);
  const { config } = deps;

  const read = (token: string): ListClaim | null => {
    const claim = readListToken(config.tokenSecrets, token);
    const listId = parseListId(claim?.listId);
    return claim && listId ? { email: claim.email, listId } : null;
  };
  const preferencesLink = (email: string) => `/preferences/${createAddressToken(config.tokenSecrets, email)}`;
  /** The recipient's choice, else the organization's locale for an order's list, else the browser's. */
  const languageOf = async (request: FastifyRequest, claim: { email: string; listId: string }) => {
    const order = claim.listId.startsWith('renewal:') ? await deps.store.directory.getOrder(claim.listId.slice('renewal:'.length)) : null;
    return pageLanguage(deps, request, { email: claim.email, organizationLocale: order?.organizationLocale, signUpCounts: claim.listId.startsWith('newsletter:') });
  };

  app.get<TokenParams>('/u/:token', async (request, reply) => {
    const test = sendTestEmailPage(reply, deps, request.params.token, 'unsubscribe');
    if (test) return test;
    const claim = read(request.params.token);
    if (!claim) {
      const digest = await readDigestClaim(deps, request.params.token);
      if (!digest) return sendInvalidLink(reply, deps);
      const lang = await digestLanguage(deps, request, digest);
      const left = await digestListsLeft(deps, digest);
      const done = left.every(Boolean);
      return sendPage(reply, 200, {
        title: lang.t(done ? 'unsubscribe.doneTitle' : 'unsubscribe.title'), supportEmail: config.supportEmail, locale: lang.locale,
        body: done ? await digestDoneBody(deps, digest, lang, preferencesLink(digest.email)) : await digestConfirmBody(deps, digest, left, lang, preferencesLink(digest.email)),
      });
    }
    const lang = await languageOf(request, claim);
    const list = await describeList(deps, claim.listId, lang);
    const left = await deps.store.lists.isUnsubscribed(claim.email, claim.listId);
    return sendPage(reply, 200, {
      title: lang.t(left ? 'unsubscribe.doneTitle' : 'unsubscribe.title'),
      supportEmail: config.supportEmail,
      locale: lang.locale,
      body: left ? await doneBody(deps, claim, list, lang, preferencesLink(claim.email)) : await confirmBody(deps, claim, list, lang, preferencesLink(claim.email)),
    });
  });

  app.post<TokenParams>('/u/:token', async (request, reply) => {
    const test = sendTestEmailPage(reply, deps, request.params.token, 'unsubscribe');
    if (test) return test;
    const claim = read(request.params.token);
    const oneClick = formField(request.body, 'List-Unsubscribe') === 'One-Click';
    if (!claim) {
      const digest = await readDigestClaim(deps, request.params.token);
      if (!digest) {
        request.log.info({ route: '/u/:token' }, 'unsubscribe refused: invalid token');
        return sendInvalidLink(reply, deps);
      }
      await leaveDigestLists(deps, digest, oneClick ? 'one-click' : 'link');
      request.log.info({ lists: digest.lists.length, oneClick }, 'unsubscribed from a digest\'s lists');
      const lang = await digestLanguage(deps, request, digest);
      return sendPage(reply, 200, {
        title: lang.t('unsubscribe.doneTitle'), supportEmail: config.supportEmail, locale: lang.locale,
        body: await digestDoneBody(deps, digest, lang, preferencesLink(digest.email)),
      });
    }
    await deps.store.lists.unsubscribe(claim.email, claim.listId, oneClick ? 'one-click' : 'link');
    request.log.info({ listId: claim.listId, oneClick }, 'unsubscribed');
    const lang = await languageOf(request, claim);
    const list = await describeList(deps, claim.listId, lang);
    return sendPage(reply, 200, {
      title: lang.t('unsubscribe.doneTitle'),
      supportEmail: config.supportEmail,
      locale: lang.locale,
      body: await doneBody(deps, claim, list, lang, preferencesLink(claim.email)),
    });
  });
};
