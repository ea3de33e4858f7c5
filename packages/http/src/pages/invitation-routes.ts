/**
 * `GET /invitations/:token` shows the organization and who invited; `POST` accepts (the invitee
 * becomes an active member). Forged, unknown (e.g. replaced by a newer invitation) and expired
 * links get a clear page and change nothing; accepting twice is harmless.
 */
import { readInvitationToken, sha256Hex } from '@tickler/domain';
import type { InvitationRow } from '@tickler/db';
import type { FastifyReply } from 'fastify';
import type { HttpDeps } from '../deps';
import type { RoutesPlugin } from '../plugin';
import { registerFormParsers, sendInvalidLink } from './common';
import { html } from './html';
import { sendPage } from './layout';

type TokenParams = { Params: { token: string } };
interface Found { invitation: InvitationRow; organization: string; inviter: string }
type Lookup = { kind: 'invalid' } | ({ kind: 'expired' | 'accepted' | 'open' } & Found);

async function lookup(deps: HttpDeps, token: string): Promise<Lookup> {
  const claim = readInvitationToken(deps.config.tokenSecrets, token);
  if (!claim) return { kind: 'invalid' };
  const invitation = await deps.store.invitations.findByTokenHash(sha256Hex(token));
  if (!invitation || invitation.revokedAt || invitation.organizationId !== claim.organizationId || invitation.email !== claim.email) {
    return { kind: 'invalid' };
  }
  const [organization, inviter] = await Promise.all([
    deps.store.directory.getOrganization(invitation.organizationId),
    deps.store.directory.getUserByEmail(invitation.invitedByEmail),
  ]);
  if (!organization) return { kind: 'invalid' };
  const names = { invitation, organization: organization.name, inviter: inviter?.name ? `${inviter.name} (${inviter.email})` : invitation.invitedByEmail };
  if (invitation.acceptedAt) return { kind: 'accepted', ...names };
  if (invitation.expiresAt.getTime() <= deps.now().getTime()) return { kind: 'expired', ...names };
  return { kind: 'open', ...names };
}

function sendExpired(reply: FastifyReply, deps: HttpDeps, found: Found): FastifyReply {
  return sendPage(reply, 410, {
    title: 'Invitation expired',
    supportEmail: deps.config.supportEmail,
    body: html`<h1>This invitation has expired</h1>
<p>The invitation to join <strong>${found.organization}</strong> was valid until ${found.invitation.expiresAt.toUTCString()}.</p>
<p>Ask ${found.inviter} to invite you again. Nothing was changed.</p>`,
  });
}

function sendMember(reply: FastifyReply, deps: HttpDeps, organization: string, email: string, justNow: boolean): FastifyReply {
  return sendPage(reply, 200, {
    title: 'Invitation accepted',
    supportEmail: deps.config.supportEmail,
    body: html`<h1>${justNow ? `Welcome to ${organization}` : `You are already a member of ${organization}`}</h1>
<p class="notice">${email} is now a member of ${organization}.</p>
<p>Colleagues can now add you to orders' contact lists, so you receive their renewal reminders.</p>`,
  });
}

export const invitationRoutes: RoutesPlugin = async (app, deps) => {
  await registerFormParsers(app, deps);

  app.get<TokenParams>('/invitations/:token', async (request, reply) => {
    const found = await lookup(deps, request.params.token);
    if (found.kind === 'invalid') return sendInvalidLink(reply, deps);
    if (found.kind === 'expired') return sendExpired(reply, deps, found);
    if (found.kind === 'accepted') return sendMember(reply, deps, found.organization, found.invitation.email, false);
    return sendPage(reply, 200, {
      title: `Join ${found.organization}`,
      supportEmail: deps.config.supportEmail,
      body: html`<h1>Join ${found.organization}</h1>
<p>${found.inviter} invited ${found.invitation.email} to join <strong>${found.organization}</strong>.</p>
<p class="muted">The invitation is valid until ${found.invitation.expiresAt.toUTCString()}.</p>
<form method="post"><button type="submit">Accept invitation</button></form>`,
    });
  });

  app.post<TokenParams>('/invitations/:token', async (request, reply) => {
    const found = await lookup(deps, request.params.token);
    if (found.kind === 'invalid') {
      request.log.info({ route: '/invitations/:token' }, 'invitation refused: invalid token');
      return sendInvalidLink(reply, deps);
    }
    if (found.kind === 'expired') return sendExpired(reply, deps, found);
    if (found.kind === 'accepted') return sendMember(reply, deps, found.organization, found.invitation.email, false);
    await deps.store.invitations.accept(found.invitation.id, deps.now());
    request.log.info({ invitationId: found.invitation.id, organizationId: found.invitation.organizationId }, 'invitation accepted');
    return sendMember(reply, deps, found.organization, found.invitation.email, true);
  });
};
