/** `GET /api/orders/:orderId/license`: license details, for the order's contacts only (rule 6). */
import { canSeeLicense } from '@tickler/domain';
import type { FastifyPluginAsync } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';

export const portalLicenseRoutes: FastifyPluginAsync<HttpDeps> = async (app, deps) => {
  app.get<{ Params: { orderId: string } }>('/api/orders/:orderId/license', async (request, reply) => {
    const order = await deps.store.directory.getOrder(request.params.orderId);
    if (!order) return sendError(reply, 404, 'order_not_found', `There is no order ${request.params.orderId}.`);
    const rule = canSeeLicense(await deps.store.directory.isContact(order.id, request.actingUser));
    if (!rule.ok) return sendError(reply, rule.status, rule.code, rule.message);
    return {
      orderId: order.id,
      product: order.product,
      licenseExpiresOn: order.licenseExpiresOn,
      maintenanceExpiresOn: order.maintenanceExpiresOn,
      status: order.status,
      organization: { id: order.organizationId, name: order.organizationName, timeZone: order.timeZone },
    };
  });
};
