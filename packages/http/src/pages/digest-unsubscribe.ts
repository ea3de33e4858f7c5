/**
 * The unsubscribe link of a reminder digest (`/u/:token` with a digest token): it names the address
 * and the digest, and leaves every list that digest's email named — one renewal list per order. The
 * lists come from the ledger (the deliveries the digest carried), not from the token, so the link
 * stays short for any number of orders. Its pages are in the language the email was written in:
 * the recipient's choice, else the digest's organization's locale, else the browser's.
 */
import type { FastifyRequest } from 'fastify';
import { readDigestToken, type ListId } from '@tickler/domain';
import type { HttpDeps } from '../deps';
import { describeList, parseListId } from './common';
import { html, type Html } from './html';
import { pageLanguage, type PageLanguage } from './i18n';

export interface DigestClaim { email: string; organizationId: string; lists: ListId[] }

/** The address and the lists of a valid digest token; null when forged, or when the digest is not that address's. */
export async function readDigestClaim(deps: HttpDeps, token: string): Promise<DigestClaim | null> {
  const claim = readDigestToken(deps.config.tokenSecrets, token);
  if (!claim) return null;
  const digest = await deps.store.digests.get(claim.digestId);
  if (!digest || digest.digest.email !== claim.email) return null;
  // Deliveries that dropped out before sending were not in the email.
  const named = digest.deliveries.filter((d) => d.status !== 'skipped').map((d) => parseListId(d.listId ?? undefined));
  const lists = [...new Set(named.filter((l): l is ListId => l !== null))];
  return lists.length > 0 ? { email: claim.email, organizationId: digest.digest.organizationId, lists } : null;
}

/** The language of the digest's pages. */
export async function digestLanguage(deps: HttpDeps, request: FastifyRequest, claim: DigestClaim): Promise<PageLanguage> {
  const organization = await deps.store.directory.getOrganization(claim.organizationId);
  return pageLanguage(deps, request, { email: claim.email, organizationLocale: organization?.locale });
}

/**
 * Each list as its recipient knows it ("Renewal reminders for order ORD-1 (Product)"), as list
 * items; `left[i]` marks a list already left.
 */
async function digestListItems(deps: HttpDeps, claim: DigestClaim, lang: PageLanguage, left: readonly boolean[] = []): Promise<Html> {
  const labels = await Promise.all(claim.lists.map((listId) => describeList(deps, listId, lang)));
  const mark = html` <span class="muted">(${lang.t('preferences.left')})</span>`;
  return html`<ul>${labels.map((label, i) => html`<li><strong>${label}</strong>${left[i] ? mark : ''}</li>`)}</ul>`;
}

/** Whether the address already left each of the digest's lists, in `claim.lists` order. */
export function digestListsLeft(deps: HttpDeps, claim: DigestClaim): Promise<boolean[]> {
  return Promise.all(claim.lists.map((listId) => deps.store.lists.isUnsubscribed(claim.email, listId)));
}

/** `GET` while some list is not left yet: what the one click will do, the lists already left marked; changes nothing. */
export async function digestConfirmBody(deps: HttpDeps, claim: DigestClaim, left: readonly boolean[], lang: PageLanguage, preferencesLink: string): Promise<Html> {
  const { t } = lang;
  // "Your access to the licenses is not affected" only while the address is still a contact of every order (SPEC §2 rule 6).
  const contactOf = await Promise.all(claim.lists.map((listId) => deps.store.directory.isContact(listId.slice('renewal:'.length), claim.email)));
  return html`<h1>${t('digestUnsubscribe.question', { count: claim.lists.length })}</h1>
<p>${t('digestUnsubscribe.stops', { email: claim.email })}</p>
${await digestListItems(deps, claim, lang, left)}
<p>${t(contactOf.every(Boolean) ? 'digestUnsubscribe.note' : 'digestUnsubscribe.otherNote')}</p>
<form method="post"><button type="submit">${t('digestUnsubscribe.button')}</button></form>
<p class="muted"><a href="${preferencesLink}">${t('unsubscribe.manageAll')}</a></p>`;
}

/** `POST` (a click or RFC 8058 one-click): leaves every list; repeats are harmless. */
export async function leaveDigestLists(deps: HttpDeps, claim: DigestClaim, source: 'one-click' | 'link'): Promise<void> {
  for (const listId of claim.lists) await deps.store.lists.unsubscribe(claim.email, listId, source);
}

/** Every list is left (the `POST`'s answer, and any `GET` after it); rejoining is one list at a time, on the preferences page. */
export async function digestDoneBody(deps: HttpDeps, claim: DigestClaim, lang: PageLanguage, preferencesLink: string): Promise<Html> {
  const { t } = lang;
  return html`<h1>${t('unsubscribe.doneHeading')}</h1>
<p class="notice">${t('digestUnsubscribe.doneLead', { email: claim.email })}</p>
${await digestListItems(deps, claim, lang)}
<p class="muted"><a href="${preferencesLink}">${t('unsubscribe.changedMind')}</a></p>`;
}
