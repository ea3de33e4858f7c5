/**
 * One answer for "does not exist" and "exists, but not for you" (SPEC §5 portal routes): an outsider
 * who could tell the two apart could probe order and organization ids. The same status and the same
 * bytes — no id echoed back — and the same queries in both cases.
 */
import { canSeeOrder, canSeeOrganization, type Organization } from '@tickler/domain';
import type { Membership, OrderWithZone } from '@tickler/db';
import type { FastifyReply } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';

export function sendOrderNotFound(reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'order_not_found',
    "No such order, or the acting user may not see it (only active members of the order's organization and the order's contacts can).");
}

export function sendOrganizationNotFound(reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'organization_not_found', 'No such organization, or the acting user is not an active member of it.');
}

export interface VisibleOrder { order: OrderWithZone; membership: Membership | null; isContact: boolean }

/** The order with the acting user's standing in it, or null when it does not exist or they may not see it. */
export async function findVisibleOrder(deps: HttpDeps, orderId: string, actingUser: string): Promise<VisibleOrder | null> {
  const { directory } = deps.store;
  const order = await directory.getOrder(orderId);
  // Both lookups run for a missing order too, so the two refusals also take the same work.
  const [membership, isContact] = await Promise.all([
    directory.getMembership(order?.organizationId ?? '', actingUser),
    directory.isContact(orderId, actingUser),
  ]);
  return order && canSeeOrder(membership, isContact) ? { order, membership, isContact } : null;
}

/** The organization if the acting user is an active member of it; null when it does not exist or they are not. */
export async function findVisibleOrganization(deps: HttpDeps, organizationId: string, actingUser: string): Promise<Organization | null> {
  const { directory } = deps.store;
  const [organization, membership] = await Promise.all([directory.getOrganization(organizationId), directory.getMembership(organizationId, actingUser)]);
  return organization && canSeeOrganization(membership) ? organization : null;
}
