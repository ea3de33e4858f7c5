/**
 * Operations routes: `/healthz` (the process answers), `/readyz` (the database answers and takes a
 * write, Redis answers for every queue; 503 naming what is down) and `/metrics` (Prometheus text,
 * answered within a few seconds even while Redis or the database is down: see metrics.ts). No
 * credentials: bind the edge so that only your network reaches /metrics, or scrape through the load
 * balancer's private side.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { HttpDeps } from '../deps';
import { withinMs } from '../within-ms';

export { makeMetricsRegistry } from './metrics';
export { makeResponseCounter, routeLabel } from './http-metrics';

/** Null when `probe` answers within `timeoutMs`, else what went wrong, named. */
async function check(name: string, probe: () => Promise<unknown>, timeoutMs: number): Promise<string | null> {
  try {
    await withinMs(probe(), timeoutMs);
    return null;
  } catch (error) {
    return `${name}: ${(error as Error).message}`;
  }
}

/** Options: the edge's deps, plus the registry /metrics serves (built by the server, which also counts answers into it). */
export type OpsRoutesOptions = HttpDeps & { metrics: Registry };

export const opsRoutes: FastifyPluginAsync<OpsRoutesOptions> = async (app, deps) => {

  app.get('/healthz', async () => ({ status: 'ok' }));

  // A database that still reads but refuses writes (full disk, read-only file) would let every
  // webhook fail: readiness needs a committed write, not only a read.
  const database = async () => {
    await deps.store.ping();
    try {
      await deps.store.probeWrite(deps.now());
    } catch (error) {
      throw new Error(`readable but not writable (${(error as Error).message})`);
    }
  };

  app.get('/readyz', async (_request, reply) => {
    const problems = (await Promise.all([
      check('database', database, 2000),
      // Every queue, not one: on a Redis Cluster each queue lives on the master serving its slot, and
      // a failed master takes down only the queues it serves (the edge's webhooks use order-events).
      check('redis', () => Promise.all(Object.values(deps.queues).map((q) => q.getJobCounts('waiting'))), 2000),
    ])).filter((p): p is string => p !== null);
    if (problems.length > 0) {
      deps.logger.warn({ problems }, 'not ready');
      return reply.code(503).send({ status: 'unavailable', error: 'not_ready', message: `not ready: ${problems.join('; ')}` });
    }
    return { status: 'ready', database: 'ok', redis: 'ok' };
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.metrics();
    return reply.header('content-type', deps.metrics.contentType).send(text);
  });
};
