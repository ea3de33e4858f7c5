/**
 * Admin routes (bearer ADMIN_TOKEN, else 401 JSON): the BullMQ dashboard, failed jobs and replay,
 * the send forecast, the delivery audit, lifting a suppression, template previews and test sends.
 * Pages are plain HTML; ask for JSON with
 * `Accept: application/json`. Query strings are parsed with zod (400 `invalid_query` naming the
 * parameter); routes that read Redis answer 503 `redis_unavailable` instead of waiting for it.
 */
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { forecastDayJson, isDomainError, normalizeEmail, parseDuration } from '@tickler/domain';
import { makeForecaster, makeSchedulerConfig } from '@tickler/scheduler';
import { deliveryReopenerOf, FailedJobsError, isQueueName, listFailedJobs, QUEUE_NAMES, replayFailedJobs } from '@tickler/queues';
import type { HttpDeps } from '../deps';
import { sendError } from '../errors';
import { queryText, readQuery } from '../query';
import { makeRedisGuard } from '../redis-guard';
import { auditEmail, auditOrder } from './audit';
import { renderEmailAudit, renderOrderAudit, searchForm } from './audit-page';
import { makeAdminAuth } from './auth';
import { registerBoard } from './board';
import { renderForecastPage } from './forecast-page';
import { registerTemplateRoutes } from './templates-routes';
import { crossSite } from './cross-site';
import { renderFailedJobsPage } from './failed-jobs-page';
import { page, wantsJson } from './html';

const replayBody = z.object({
  queue: z.string().refine(isQueueName, 'unknown queue').optional(),
  id: z.string().min(1).optional(),
  since: z.string().refine((text) => parseDuration(text) !== null, 'must be a duration like 30m, 2h or 1d').optional(),
}).strict();

const failedQuery = z.object({
  queue: queryText().refine(isQueueName, `must name a queue (${QUEUE_NAMES.join(', ')})`).optional(),
  replayed: queryText().regex(/^\d{1,7}$/, 'must be a count').transform(Number).optional(),
});
const forecastQuery = z.object({
  days: queryText().regex(/^\d{1,3}$/, 'must be a whole number from 1 to 366').transform(Number)
    .refine((n) => n >= 1 && n <= 366, 'must be a whole number from 1 to 366').optional(),
});
/**
 * One address or one order per audit. A "+" typed into `?email=` arrives as a space (form
 * decoding); an address never holds a space, so it is read back as the "+" the admin meant.
 */
const deliveriesQuery = z.object({
  email: queryText().max(320, 'is too long').transform((text) => text.replace(/ /g, '+')).optional(),
  orderId: queryText().max(200, 'is too long').optional(),
}).refine((q) => !(q.email && q.orderId), { path: ['orderId'], message: 'cannot be given together with email: ask about one address or one order' });

function sinceDate(text: string | undefined, now: Date): Date | undefined {
  const ms = text ? parseDuration(text) : null;
  return ms === null ? undefined : new Date(now.getTime() - ms);
}

function badRequest(reply: FastifyReply, message: string) {
  return sendError(reply, 400, 'bad_request', message);
}

export const adminRoutes: FastifyPluginAsync<HttpDeps> = async (app, deps) => {
  app.addHook('onRequest', makeAdminAuth({ adminToken: deps.config.adminToken, publicBaseUrl: deps.config.publicBaseUrl, now: deps.now }));
  const redis = makeRedisGuard(deps.queues, deps.config.redisTimeoutMs);
  await registerBoard(app, deps.queues, redis.probe);

  app.get('/admin/jobs/failed', { preHandler: redis.probe }, async (request, reply) => {
    const query = readQuery(failedQuery, request, reply);
    if (!query) return reply;
    let jobs;
    try {
      // Reading up to 1000 failed jobs takes longer than a probe; five probe timeouts bound it.
      jobs = await redis.bounded(listFailedJobs(deps.queues, { queue: query.queue, limit: 1000 }), 5);
    } catch (error) {
      if (redis.answer(error, reply)) return reply;
      throw error;
    }
    if (wantsJson(request.headers.accept) || !(request.headers.accept ?? '').includes('text/html')) return { jobs };
    return reply.type('text/html').send(renderFailedJobsPage(jobs, query.replayed ?? null));
  });

  /** Replays what `body` names; the answer, or null when `reply` was answered already (an error). */
  const replay = async (body: unknown, reply: FastifyReply) => {
    const parsed = replayBody.safeParse(body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      await sendError(reply, 400, 'invalid_replay', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), String(issue?.path[0] ?? 'body'));
      return null;
    }
    try {
      const filter = { ...parsed.data, queue: parsed.data.queue as never, since: sinceDate(parsed.data.since, deps.now()) };
      const result = await redis.bounded(replayFailedJobs(deps.queues, filter, deliveryReopenerOf(deps.store)), 5);
      deps.logger.info({ replayed: result.replayed, filter: parsed.data }, 'failed jobs replayed');
      return result;
    } catch (error) {
      if (error instanceof FailedJobsError) {
        await sendError(reply, 404, 'not_found', error.message);
        return null;
      }
      if (redis.answer(error, reply)) return null;
      throw error;
    }
  };

  app.post('/admin/jobs/replay', { preHandler: redis.probe }, async (request, reply) => (await replay(request.body, reply)) ?? reply);

  await app.register(async (forms) => {
    await forms.register(formbody, { bodyLimit: deps.config.bodyLimitBytes });
    // The failed-jobs page's buttons: same-site forms, back to the page with the count.
    forms.post('/admin/jobs/failed/replay', { preHandler: redis.probe }, async (request, reply) => {
      if (crossSite(request, deps.config.publicBaseUrl)) return sendError(reply, 403, 'cross_site', 'Jobs are replayed from the admin page itself, not from another site.');
      const result = await replay(request.body, reply);
      if (!result) return reply;
      return reply.code(303).header('location', `/admin/jobs/failed?replayed=${result.replayed}`).send();
    });
  });

  const forecaster = makeForecaster({ store: deps.store, config: makeSchedulerConfig({
    ...(deps.config.reminderOffsets ? { offsets: deps.config.reminderOffsets } : {}),
    ...(deps.config.sendCalendar ? { sendCalendar: deps.config.sendCalendar } : {}),
  }) });
  app.get('/admin/forecast', async (request, reply) => {
    const query = readQuery(forecastQuery, request, reply);
    if (!query) return reply;
    const days = query.days ?? 30;
    const now = deps.now();
    const forecast = await forecaster.forecast({ days, now });
    if (wantsJson(request.headers.accept)) return { from: now.toISOString(), days: forecast.map(forecastDayJson) };
    return reply.type('text/html').send(renderForecastPage(forecast, now));
  });

  app.delete('/admin/suppressions/:email', async (request, reply) => {
    let email: string;
    try {
      email = normalizeEmail((request.params as { email: string }).email);
    } catch (error) {
      if (isDomainError(error)) return badRequest(reply, error.message);
      throw error;
    }
    const lifted = await deps.store.lists.unsuppress(email);
    deps.logger.info({ email, lifted }, 'suppression lifted by admin');
    if (!lifted) return reply.code(404).send({ error: 'not_found', message: `${email} is not suppressed.` });
    return { email, lifted: true };
  });

  app.get('/admin/deliveries', async (request, reply) => {
    const query = readQuery(deliveriesQuery, request, reply);
    if (!query) return reply;
    const { email, orderId } = query;
    const json = wantsJson(request.headers.accept);
    if (email) {
      let normalized: string;
      try {
        normalized = normalizeEmail(email);
      } catch (error) {
        if (isDomainError(error)) return sendError(reply, 400, 'invalid_query', error.message, 'email');
        throw error;
      }
      const audit = await auditEmail(deps.store, normalized);
      return json ? audit : reply.type('text/html').send(renderEmailAudit(audit));
    }
    if (orderId) {
      const audit = await auditOrder(deps.store, orderId);
      // An order that billing named in events none of which created it (a cancel before its first
      // upsert, an older upsert after it) is still worth auditing: those events say why.
      const found = audit.order !== null || audit.events.length > 0;
      if (json) return found ? audit : reply.code(404).send({ error: 'not_found', message: `No order ${orderId}.` });
      return reply.code(found ? 200 : 404).type('text/html').send(renderOrderAudit(audit, orderId));
    }
    if (json) return sendError(reply, 400, 'invalid_query', 'Give ?email=<address> or ?orderId=<order id>.', 'email');
    return reply.type('text/html').send(page('Audit', `<p>Why did (or didn't) someone get an email?</p>${searchForm()}`));
  });

  await registerTemplateRoutes(app, deps);
};
