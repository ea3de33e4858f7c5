/**
 * `POST /api/organizations/:orgId/invitations {email}`: an active member (rule 1) invites someone.
 * Creates the invitation — or renews the open one with a new link — valid for 7 days, and sends the
 * invitation email (again, when inviting again). 202 `{ invitationId, expiresAt }`.
 */
import { canInvite, createInvitationToken, sha256Hex } from '@tickler/domain';
import type { FastifyPluginAsync } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';
import { queueDelivery } from '../queue-jobs';
import { readEmailBody } from './body';

export const INVITATION_VALID_MS = 7 * 24 * 3600_000;

export const portalInvitationRoutes: FastifyPluginAsync<HttpDeps> = async (app, deps) => {
  const { directory, invitations } = deps.store;

  app.post<{ Params: { orgId: string } }>('/api/organizations/:orgId/invitations', async (request, reply) => {
    const input = readEmailBody(request.body);
    if (!input.ok) return sendError(reply, 400, input.code, input.message, input.field);
    const organization = await directory.getOrganization(request.params.orgId);
    if (!organization) return sendError(reply, 404, 'organization_not_found', `There is no organization ${request.params.orgId}.`);
    const rule = canInvite(await directory.getMembership(organization.id, request.actingUser));
    if (!rule.ok) return sendError(reply, rule.status, rule.code, rule.message);
    const existing = await directory.getMembership(organization.id, input.email);
    if (existing?.status === 'active') {
      return sendError(reply, 409, 'already_member', `${input.email} is already an active member of ${organization.name}.`);
    }
    const expiresAt = new Date(deps.now().getTime() + INVITATION_VALID_MS);
    const token = createInvitationToken(deps.config.tokenSecrets, { organizationId: organization.id, email: input.email, expiresAt });
    const invitation = await invitations.createOrRenew({
      organizationId: organization.id, email: input.email, invitedByEmail: request.actingUser, tokenHash: sha256Hex(token), expiresAt,
    });
    // A renewal replaced the link, so the earlier email's link no longer works: always (re)send.
    await queueDelivery(deps, request.log, { sourceType: 'invitation', sourceId: invitation.id, email: invitation.email, listId: null, orderId: null }, () => true);
    request.log.info({ organizationId: organization.id, invitationId: invitation.id }, 'invitation sent');
    return reply.code(202).send({ invitationId: invitation.id, expiresAt: invitation.expiresAt.toISOString() });
  });
};
