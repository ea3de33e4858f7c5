/** `GET /api/orders/:orderId/license`: license details, for the order's contacts only (rule 6). */
import { canSeeLicense } from '@tickler/domain';
import type { FastifyPluginAsync } from 'fastify';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';
import { findVisibleOrder, sendOrderNotFound } from './visibility';

export const portalLicenseRoutes: FastifyPluginAsync<HttpDeps> = async (app, deps) => {
  app.get<{ Params: { orderId: string } }>('/api/orders/:orderId/license', async (request, reply) => {
    const visible = await findVisibleOrder(deps, request.params.orderId, request.actingUser);
    if (!visible) return sendOrderNotFound(reply);
    const rule = canSeeLicense(visible.isContact);
    if (!rule.ok) return sendError(reply, rule.status, rule.code, rule.message);
    const { order } = visible;
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
