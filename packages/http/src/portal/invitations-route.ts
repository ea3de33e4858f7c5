/**
 * `POST /api/organizations/:orgId/invitations {email}`: an active member (rule 1) invites someone.
 * Creates the invitation — or renews the open one with a new link — valid for 7 days, and sends the
 * invitation email (again, when inviting again): at most `rateLimits.invitationsPerAddress` emails
 * per (organization, address), else 429 with Retry-After and the earlier link left working. An
 * organization the acting user may not invite to is answered like one that does not exist.
 */
import { createInvitationToken, sha256Hex } from '@tickler/domain';
import type { FastifyPluginAsync } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';
import { queueDelivery } from '../queue-jobs';
import { describeWait, describeWindow } from '../rate-limit/describe';
import { DEFAULT_RATE_LIMITS, retryAfterSeconds } from '../rate-limit/rate-limiter';
import { readEmailBody } from './body';
import { findVisibleOrganization, sendOrganizationNotFound } from './visibility';

const INVITATION_VALID_MS = 7 * 24 * 3600_000;

export const portalInvitationRoutes: FastifyPluginAsync<HttpDeps> = async (app, deps) => {
  const { directory, invitations } = deps.store;
  const limit = deps.config.rateLimits?.invitationsPerAddress ?? DEFAULT_RATE_LIMITS.invitationsPerAddress;

  app.post<{ Params: { orgId: string } }>('/api/organizations/:orgId/invitations', async (request, reply) => {
    const input = readEmailBody(request.body);
    if (!input.ok) return sendError(reply, 400, input.code, input.message, input.field);
    const organization = await findVisibleOrganization(deps, request.params.orgId, request.actingUser);
    if (!organization) return sendOrganizationNotFound(reply);
    const existing = await directory.getMembership(organization.id, input.email);
    if (existing?.status === 'active') {
      return sendError(reply, 409, 'already_member', `${input.email} is already an active member of ${organization.name}.`);
    }
    const now = deps.now();
    const expiresAt = new Date(now.getTime() + INVITATION_VALID_MS);
    const token = createInvitationToken(deps.config.tokenSecrets, { organizationId: organization.id, email: input.email, expiresAt });
    const result = await invitations.createOrRenewWithinLimit({
      organizationId: organization.id, email: input.email, invitedByEmail: request.actingUser, tokenHash: sha256Hex(token), expiresAt,
    }, now, limit);
    if (!result.ok) {
      const seconds = retryAfterSeconds(result.retryAfterMs);
      request.log.info({ organizationId: organization.id, retryAfterSeconds: seconds }, 'invitation refused: rate limit');
      reply.header('retry-after', String(seconds));
      return sendError(reply, 429, 'too_many_invitations',
        `${input.email} was already sent ${limit.max} invitation emails for this organization in the last ${describeWindow(limit.windowMs)}; `
        + `the link in the latest one still works. Try again in ${describeWait(seconds)}.`);
    }
    const { invitation } = result;
    // A renewal replaced the link, so the earlier email's link no longer works: always (re)send.
    await queueDelivery(deps, request.log, { sourceType: 'invitation', sourceId: invitation.id, email: invitation.email, listId: null, orderId: null }, () => true);
    request.log.info({ organizationId: organization.id, invitationId: invitation.id }, 'invitation sent');
    return reply.code(202).send({ invitationId: invitation.id, expiresAt: invitation.expiresAt.toISOString() });
  });
};
