/**
 * `GET /invitations/:token` shows the organization and who invited; `POST` accepts (the invitee
 * becomes an active member). Forged and unknown links get the neutral "not valid" page; a genuine
 * link replaced by a newer invitation email, and an expired one, get a page saying so in the
 * organization's language; all of them change nothing. Accepting twice is harmless. A test email's
 * link (test-email-page.ts) gets a page saying so.
 */
import { readInvitationToken, sha256Hex, type InvitationClaim } from '@tickler/domain';
import type { InvitationRow } from '@tickler/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from '../deps';
import type { RoutesPlugin } from '../plugin';
import { registerFormParsers, sendInvalidLink } from './common';
import { html } from './html';
import { displayInstant, pageLanguage, type PageLanguage } from './i18n';
import { sendPage } from './layout';
import { sendTestEmailPage } from './test-email-page';

type TokenParams = { Params: { token: string } };
/** Who was invited where: enough for the pages that need no invitation row. */
interface Invitee { email: string; organization: string; organizationLocale: string | null }
interface Found extends Invitee { invitation: InvitationRow; timeZone: string; inviter: string }
type Lookup = { kind: 'invalid' } | ({ kind: 'replaced' } & Invitee) | ({ kind: 'member' } & Invitee) | ({ kind: 'expired' | 'accepted' | 'open' } & Found);

async function lookup(deps: HttpDeps, token: string): Promise<Lookup> {
  const claim = readInvitationToken(deps.config.tokenSecrets, token);
  if (!claim) return { kind: 'invalid' };
  const invitation = await deps.store.invitations.findByTokenHash(sha256Hex(token));
  if (!invitation) return lookupReplaced(deps, claim);
  if (invitation.revokedAt || invitation.organizationId !== claim.organizationId || invitation.email !== claim.email) {
    return { kind: 'invalid' };
  }
  const [organization, inviter] = await Promise.all([
    deps.store.directory.getOrganization(invitation.organizationId),
    deps.store.directory.getUserByEmail(invitation.invitedByEmail),
  ]);
  if (!organization) return { kind: 'invalid' };
  const names = { invitation, email: invitation.email, organization: organization.name, organizationLocale: organization.locale ?? null, timeZone: organization.timeZone, inviter: inviter?.name ? `${inviter.name} (${inviter.email})` : invitation.invitedByEmail };
  if (invitation.acceptedAt) return { kind: 'accepted', ...names };
  if (invitation.expiresAt.getTime() <= deps.now().getTime()) return { kind: 'expired', ...names };
  return { kind: 'open', ...names };
}

/**
 * A token we signed whose hash no invitation holds any more: inviting the address again gave the
 * open invitation a new token (`createOrRenew`), so this link was replaced by a newer email — or,
 * when the invitee has since become an active member (through the newer link), there is nothing
 * left to do. Without the organization or any membership of the address in it, nothing vouches for
 * the story: the neutral "not valid" page.
 */
async function lookupReplaced(deps: HttpDeps, claim: InvitationClaim): Promise<Lookup> {
  const [organization, membership] = await Promise.all([
    deps.store.directory.getOrganization(claim.organizationId),
    deps.store.directory.getMembership(claim.organizationId, claim.email),
  ]);
  if (!organization || !membership) return { kind: 'invalid' };
  const invitee = { email: membership.email, organization: organization.name, organizationLocale: organization.locale ?? null };
  return membership.status === 'active' ? { kind: 'member', ...invitee } : { kind: 'replaced', ...invitee };
}

/** The invitee's choice, else the inviting organization's locale, else the browser's. */
function languageOf(deps: HttpDeps, request: FastifyRequest, invitee: Invitee): Promise<PageLanguage> {
  return pageLanguage(deps, request, { email: invitee.email, organizationLocale: invitee.organizationLocale });
}

/** 410 like an expired link: this one is gone for good, and the newest email holds the one that works. */
function sendReplaced(reply: FastifyReply, deps: HttpDeps, invitee: Invitee, { locale, t }: PageLanguage): FastifyReply {
  return sendPage(reply, 410, {
    title: t('invitation.replacedTitle'),
    supportEmail: deps.config.supportEmail,
    locale,
    body: html`<h1>${t('invitation.replacedHeading')}</h1>
<p>${t('invitation.replacedBody', { organization: invitee.organization, email: invitee.email })}</p>`,
  });
}

function sendExpired(reply: FastifyReply, deps: HttpDeps, found: Found, { locale, t }: PageLanguage): FastifyReply {
  return sendPage(reply, 410, {
    title: t('invitation.expiredTitle'),
    supportEmail: deps.config.supportEmail,
    locale,
    body: html`<h1>${t('invitation.expiredHeading')}</h1>
<p>${t('invitation.expiredBody', { organization: found.organization, expiresAt: displayInstant(locale, found.invitation.expiresAt, found.timeZone) })}</p>
<p>${t('invitation.askAgain', { inviter: found.inviter })}</p>`,
  });
}

function sendMember(reply: FastifyReply, deps: HttpDeps, invitee: Invitee, justNow: boolean, { locale, t }: PageLanguage): FastifyReply {
  const organization = invitee.organization;
  return sendPage(reply, 200, {
    title: t('invitation.acceptedTitle'),
    supportEmail: deps.config.supportEmail,
    locale,
    body: html`<h1>${justNow ? t('invitation.welcome', { organization }) : t('invitation.alreadyMember', { organization })}</h1>
<p class="notice">${t('invitation.nowMember', { email: invitee.email, organization })}</p>
<p>${t('invitation.colleagues')}</p>`,
  });
}

export const invitationRoutes: RoutesPlugin = async (app, deps) => {
  await registerFormParsers(app, deps);

  app.get<TokenParams>('/invitations/:token', async (request, reply) => {
    const test = sendTestEmailPage(reply, deps, request.params.token, 'invitation');
    if (test) return test;
    const found = await lookup(deps, request.params.token);
    if (found.kind === 'invalid') return sendInvalidLink(reply, deps);
    const lang = await languageOf(deps, request, found);
    if (found.kind === 'replaced') return sendReplaced(reply, deps, found, lang);
    if (found.kind === 'member' || found.kind === 'accepted') return sendMember(reply, deps, found, false, lang);
    if (found.kind === 'expired') return sendExpired(reply, deps, found, lang);
    const { locale, t } = lang;
    const organization = found.organization;
    return sendPage(reply, 200, {
      title: t('invitation.joinTitle', { organization }),
      supportEmail: deps.config.supportEmail,
      locale,
      body: html`<h1>${t('invitation.joinTitle', { organization })}</h1>
<p>${t('invitation.invited', { inviter: found.inviter, email: found.invitation.email, organization })}</p>
<p class="muted">${t('invitation.validUntil', { expiresAt: displayInstant(locale, found.invitation.expiresAt, found.timeZone) })}</p>
<form method="post"><button type="submit">${t('invitation.button')}</button></form>`,
    });
  });

  app.post<TokenParams>('/invitations/:token', async (request, reply) => {
    const test = sendTestEmailPage(reply, deps, request.params.token, 'invitation');
    if (test) return test;
    const found = await lookup(deps, request.params.token);
    if (found.kind === 'invalid') {
      request.log.info({ route: '/invitations/:token' }, 'invitation refused: invalid token');
      return sendInvalidLink(reply, deps);
    }
    const lang = await languageOf(deps, request, found);
    if (found.kind === 'replaced') {
      request.log.info({ route: '/invitations/:token' }, 'invitation refused: replaced by a newer one');
      return sendReplaced(reply, deps, found, lang);
    }
    if (found.kind === 'member' || found.kind === 'accepted') return sendMember(reply, deps, found, false, lang);
    if (found.kind === 'expired') return sendExpired(reply, deps, found, lang);
    await deps.store.invitations.accept(found.invitation.id, deps.now());
    request.log.info({ invitationId: found.invitation.id, organizationId: found.invitation.organizationId }, 'invitation accepted');
    return sendMember(reply, deps, found, true, lang);
  });
};
