/** The customer-portal JSON API: every route behind the portal key and an acting user. */
import type { RoutesPlugin } from '../plugin';
import { requirePortalCaller } from './auth';
import { portalContactRoutes } from './contacts-routes';
import { portalInvitationRoutes } from './invitations-route';
import { portalLicenseRoutes } from './license-route';

export const portalRoutes: RoutesPlugin = async (app, deps) => {
  requirePortalCaller(app, deps.config.portalApiKey);
  await app.register(portalInvitationRoutes, deps);
  await app.register(portalContactRoutes, deps);
  await app.register(portalLicenseRoutes, deps);
};
