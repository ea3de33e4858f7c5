/**
 * An order's contact list (rules 2 and 6): `GET` lists it, `POST {email}` adds an active member,
 * `DELETE …/:email[?force=true]` removes one. The acting user must be an active member of the order's
 * organization; an order they may not see is answered like one that does not exist.
 */
import { canBeContact, canManageContacts } from '@tickler/domain';
import type { OrderWithZone } from '@tickler/db';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';
import { readEmail, readEmailBody } from './body';
import { findVisibleOrder, sendOrderNotFound } from './visibility';

type OrderParams = { Params: { orderId: string } };

/** `?force=true` (or `false`) once; anything else is refused naming the parameter. */
const removeQuery = z.object({ force: z.enum(['true', 'false']).optional() });

export const portalContactRoutes: FastifyPluginAsync<HttpDeps> = async (app, deps) => {
  const { directory } = deps.store;

  /** The order if the acting user may manage its contacts; otherwise the refusal was sent and null returned. */
  async function orderForManager(request: FastifyRequest<OrderParams>, reply: FastifyReply): Promise<OrderWithZone | null> {
    const visible = await findVisibleOrder(deps, request.params.orderId, request.actingUser);
    if (!visible) {
      sendOrderNotFound(reply);
      return null;
    }
    const rule = canManageContacts(visible.membership);
    if (!rule.ok) {
      sendError(reply, rule.status, rule.code, rule.message);
      return null;
    }
    return visible.order;
  }

  app.get<OrderParams>('/api/orders/:orderId/contacts', async (request, reply) => {
    const order = await orderForManager(request, reply);
    if (!order) return reply;
    const contacts = await directory.listContacts(order.id);
    return {
      orderId: order.id,
      contacts: contacts.map((c) => ({ email: c.email, membershipStatus: c.membershipStatus, addedAt: c.addedAt.toISOString() })),
    };
  });

  app.post<OrderParams>('/api/orders/:orderId/contacts', async (request, reply) => {
    const input = readEmailBody(request.body);
    if (!input.ok) return sendError(reply, 400, input.code, input.message, input.field);
    const order = await orderForManager(request, reply);
    if (!order) return reply;
    const rule = canBeContact(await directory.getMembership(order.organizationId, input.email));
    if (!rule.ok) return sendError(reply, rule.status, rule.code, rule.message);
    const added = await directory.addContact(order.id, input.email, request.actingUser);
    request.log.info({ orderId: order.id, added }, 'contact added');
    return reply.code(added ? 201 : 200).send({ orderId: order.id, email: input.email, added });
  });

  app.delete<{ Params: { orderId: string; email: string } }>('/api/orders/:orderId/contacts/:email', async (request, reply) => {
    const input = readEmail(request.params.email);
    if (!input.ok) return sendError(reply, 400, input.code, input.message, input.field);
    const query = removeQuery.safeParse(request.query);
    if (!query.success) return sendError(reply, 400, 'invalid_query', 'force must be given once, as true or false.', 'force');
    const order = await orderForManager(request, reply);
    if (!order) return reply;
    const outcome = await directory.removeContact(order.id, input.email, { force: query.data.force === 'true' });
    if (outcome === 'not-a-contact') return sendError(reply, 404, 'not_a_contact', `${input.email} is not a contact of order ${order.id}.`);
    if (outcome === 'last-recipient') {
      request.log.info({ orderId: order.id }, 'contact removal refused: last recipient');
      return sendError(reply, 409, 'last_contact',
        `${input.email} is the last contact of order ${order.id} who is an active member of its organization; without them nobody could receive its renewal reminders. `
        + 'Add another contact first, or repeat the request with ?force=true to leave the order without recipients.');
    }
    request.log.info({ orderId: order.id, forced: query.data.force === 'true' }, 'contact removed');
    return reply.code(204).send();
  });
};
