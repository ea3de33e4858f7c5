/**
 * The unsubscribe link of a reminder digest (`/u/:token` with a digest token): it names the address
 * and the digest, and leaves every list that digest's email named — one renewal list per order. The
 * lists come from the ledger (the deliveries the digest carried), not from the token, so the link
 * stays short for any number of orders.
 */
import { readDigestToken, type ListId } from '@tickler/domain';
import type { HttpDeps } from '../deps';
import { describeList, parseListId } from './common';
import { html, type Html } from './html';

export interface DigestClaim { email: string; lists: ListId[] }

/** The address and the lists of a valid digest token; null when forged, or when the digest is not that address's. */
export async function readDigestClaim(deps: HttpDeps, token: string): Promise<DigestClaim | null> {
  const claim = readDigestToken(deps.config.tokenSecrets, token);
  if (!claim) return null;
  const digest = await deps.store.digests.get(claim.digestId);
  if (!digest || digest.digest.email !== claim.email) return null;
  // Deliveries that dropped out before sending were not in the email.
  const named = digest.deliveries.filter((d) => d.status !== 'skipped').map((d) => parseListId(d.listId ?? undefined));
  const lists = [...new Set(named.filter((l): l is ListId => l !== null))];
  return lists.length > 0 ? { email: claim.email, lists } : null;
}

/** Each list as its recipient knows it ("Renewal reminders for order ORD-1 (Product)"), as list items. */
export async function digestListItems(deps: HttpDeps, claim: DigestClaim): Promise<Html> {
  const labels = await Promise.all(claim.lists.map((listId) => describeList(deps, listId)));
  return html`<ul>${labels.map((label) => html`<li><strong>${label}</strong></li>`)}</ul>`;
}

/** `GET`: what the one click will do; changes nothing. */
export async function digestConfirmBody(deps: HttpDeps, claim: DigestClaim, preferencesLink: string): Promise<Html> {
  const left = await Promise.all(claim.lists.map((listId) => deps.store.lists.isUnsubscribed(claim.email, listId)));
  return html`<h1>Unsubscribe from all ${claim.lists.length} lists of this email?</h1>
<p>Renewal reminders for ${claim.email} about each of these orders will stop:</p>
${await digestListItems(deps, claim)}
<p>Your access to the licenses is not affected, and other lists stay as they are. To stop one order only, use the "Stop reminders for this order" link next to it in the email.</p>
${left.every(Boolean) ? html`<p class="notice">You already left these lists.</p>` : ''}
<form method="post"><button type="submit">Unsubscribe from all of them</button></form>
<p class="muted"><a href="${preferencesLink}">Manage all your email preferences</a></p>`;
}

/** `POST` (a click or RFC 8058 one-click): leaves every list; repeats are harmless. */
export async function leaveDigestLists(deps: HttpDeps, claim: DigestClaim, source: 'one-click' | 'link'): Promise<void> {
  for (const listId of claim.lists) await deps.store.lists.unsubscribe(claim.email, listId, source);
}

export async function digestDoneBody(deps: HttpDeps, claim: DigestClaim, preferencesLink: string): Promise<Html> {
  return html`<h1>You are unsubscribed</h1>
<p class="notice">${claim.email} will no longer get renewal reminders about these orders:</p>
${await digestListItems(deps, claim)}
<p class="muted">Changed your mind? <a href="${preferencesLink}">Manage your email preferences</a> to rejoin.</p>`;
}
