/**
 * An order's contact list (rules 2 and 6): `GET` lists it, `POST {email}` adds an active member,
 * `DELETE …/:email` removes one. The acting user must be an active member of the order's organization.
 */
import { canBeContact, canManageContacts } from '@tickler/domain';
import type { OrderWithZone } from '@tickler/db';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';
import { readEmail, readEmailBody } from './body';

type OrderParams = { Params: { orderId: string } };

export const portalContactRoutes: FastifyPluginAsync<HttpDeps> = async (app, deps) => {
  const { directory } = deps.store;

  /** The order if the acting user may manage its contacts; otherwise the refusal was sent and null returned. */
  async function orderForManager(request: FastifyRequest<OrderParams>, reply: FastifyReply): Promise<OrderWithZone | null> {
    const order = await directory.getOrder(request.params.orderId);
    if (!order) {
      sendError(reply, 404, 'order_not_found', `There is no order ${request.params.orderId}.`);
      return null;
    }
    const rule = canManageContacts(await directory.getMembership(order.organizationId, request.actingUser));
    if (!rule.ok) {
      sendError(reply, rule.status, rule.code, rule.message);
      return null;
    }
    return order;
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
    const order = await orderForManager(request, reply);
    if (!order) return reply;
    const removed = await directory.removeContact(order.id, input.email);
    if (!removed) return sendError(reply, 404, 'not_a_contact', `${input.email} is not a contact of order ${order.id}.`);
    request.log.info({ orderId: order.id }, 'contact removed');
    return reply.code(204).send();
  });
};
