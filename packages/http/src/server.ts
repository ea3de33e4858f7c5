/**
 * The HTTP edge (`tickler http`): billing and SES webhooks, recipient pages, the portal API, and the
 * admin and ops routes — one fastify instance built from injected deps. It opens no connections
 * itself: the composition root owns the store, queues and their shutdown.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { MAX_TOKEN_LENGTH } from '@tickler/domain';
import { adminRoutes } from './admin';
import type { HttpDeps } from './deps';
import { handleError } from './errors';
import { makeMetricsRegistry, makeResponseCounter, opsRoutes, routeLabel } from './ops';
import { invitationRoutes } from './pages/invitation-routes';
import { newsletterRoutes } from './pages/newsletter-routes';
import { preferencesRoutes } from './pages/preferences-routes';
import { unsubscribeRoutes } from './pages/unsubscribe-routes';
import { portalRoutes } from './portal';
import { billingWebhookRoutes } from './webhooks/billing-route';
import { makeFrameworkErrorHandler, makeNotFoundHandler, trackRouteMethods } from './unrouted';
import { sesWebhookRoutes } from './webhooks/ses-route';

/** The edge's deps plus registries of in-process workers (e.g. the mailer's send metrics) to merge into /metrics. */
export type HttpServerDeps = HttpDeps & { extraMetrics?: Registry[] };

/** A hop count as fastify's typings take it (a function of the hop); other forms pass through. */
function trustProxyOption(trust: HttpDeps['config']['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust ?? false;
}

/** Builds the server with every route registered; call `listen` (or `inject` in tests) on it. */
export function makeHttpServer(deps: HttpServerDeps): FastifyInstance {
  const metrics = makeMetricsRegistry({ store: deps.store, queues: deps.queues }, deps.extraMetrics ?? []);
  const countResponse = makeResponseCounter(metrics);
  const refuseUnrouted = makeFrameworkErrorHandler(deps);
  const app = Fastify({
    loggerInstance: deps.logger,
    // Request URLs carry tokens: the per-request lines below log the route pattern instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.bodyLimitBytes,
    // Route parameters are tokens (the longest legal one is 526 characters, see MAX_TOKEN_LENGTH),
    // ids (≤ 100) and addresses (≤ 254); fastify's default of 100 refused ordinary links.
    routerOptions: { maxParamLength: MAX_TOKEN_LENGTH },
    // Fastify's own answers to these echo the URL, and with it the token. No hook runs for them, so
    // they are counted here, once the answer is written.
    frameworkErrors: (error, request, reply) => {
      reply.raw.once('finish', () => countResponse(request, reply.raw.statusCode));
      refuseUnrouted(error, request, reply);
    },
    // request.ip (the per-IP limits) comes from X-Forwarded-For only behind a proxy the operator names.
    trustProxy: trustProxyOption(deps.config.trustProxy),
  }) as unknown as FastifyInstance;

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(makeNotFoundHandler(deps, trackRouteMethods(app)));
  app.addHook('onResponse', async (request, reply) => {
    countResponse(request, reply.statusCode);
    const fields = { method: request.method, route: routeLabel(request), status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 500) request.log.error(fields, 'request done');
    else request.log.debug(fields, 'request done');
  });

  void app.register(billingWebhookRoutes, deps);
  void app.register(sesWebhookRoutes, deps);
  void app.register(unsubscribeRoutes, deps);
  void app.register(preferencesRoutes, deps);
  void app.register(invitationRoutes, deps);
  void app.register(newsletterRoutes, deps);
  void app.register(portalRoutes, deps);
  void app.register(adminRoutes, deps);
  void app.register(opsRoutes, { ...deps, metrics });
  return app;
}
