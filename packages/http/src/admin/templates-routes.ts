/**
 * Template previews and test sends (admin): `GET /admin/templates` (the page, or JSON), `POST
 * /admin/templates/test-send` (records a `test_sends` row and enqueues its `test-send` job; the
 * mailer sends it — this edge never sends mail), `GET /admin/test-sends/:id` (its status).
 *
 * CSRF: the admin cookie is SameSite=Strict, so another site's form carries no session; a browser
 * may still attach remembered HTTP Basic credentials, so a POST whose `Origin` is neither this host
 * nor PUBLIC_BASE_URL's, or
 * that the browser marks `Sec-Fetch-Site: cross-site`, is refused (403) before anything is written.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { normalizeEmail } from '@tickler/domain';
import { enqueue } from '@tickler/queues';
import type { HttpDeps, TemplatePreviews } from '../deps';
import { sendError } from '../errors';
import { queryText, readQuery } from '../query';
import { withinMs } from '../within-ms';
import { crossSite } from './cross-site';
import { esc, page, wantsJson } from './html';
import { renderTemplatesPage, TEMPLATES_PAGE_CSP, type PreviewSection } from './templates-page';

const DEFAULT_ENQUEUE_TIMEOUT_MS = 2000;
const RECENT = 20;

const pageQuery = z.object({
  sample: queryText().max(100, 'is too long').optional(),
  testSend: queryText().regex(/^\d{1,12}$/, 'must be a test send id').transform(Number).optional(),
  to: queryText().max(254, 'is too long').optional(),
});
const field = (name: string) => z.string({ error: `${name} is required` }).max(320, `${name} is too long`);
const testSendBody = z.object({
  template: field('template').min(1, 'template is required'),
  to: field('to').min(1, 'to (the address) is required'),
  locale: field('locale').optional(),
  sample: field('sample').optional(),
});

function sections(previews: TemplatePreviews, sample: string): PreviewSection[] {
  return previews.list().map((entry) => {
    const chosen = entry.samples.includes(sample) ? sample : 'default';
    try {
      return { ...entry, preview: previews.render({ template: entry.template, locale: entry.locale, sample: chosen }) };
    } catch (error) {
      return { ...entry, preview: { error: (error as Error).message } };
    }
  });
}

function refuse(request: FastifyRequest, reply: FastifyReply, status: number, error: string, message: string, fieldName?: string): FastifyReply {
  if (!(request.headers.accept ?? '').includes('text/html')) return sendError(reply, status, error, message, fieldName);
  return reply.code(status).type('text/html').send(page('Test send refused', `<p class="bad">${esc(message)}</p><p><a href="/admin/templates">Back to the templates</a></p>`));
}

export async function registerTemplateRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const previews = deps.templatePreviews;
  const unavailable = (request: FastifyRequest, reply: FastifyReply) =>
    refuse(request, reply, 503, 'previews_unavailable', 'Template previews are not available: this process was started without templates.');

  app.get('/admin/templates', async (request, reply) => {
    const query = readQuery(pageQuery, request, reply);
    if (!query) return reply;
    if (!previews) return unavailable(request, reply);
    const recent = await deps.store.testSends.recent(RECENT);
    if (wantsJson(request.headers.accept)) return { templates: previews.list(), testSends: recent };
    const sample = query.sample ?? 'default';
    const samples = [...new Set(previews.list().flatMap((s) => s.samples))];
    if (!samples.includes(sample)) return sendError(reply, 400, 'invalid_query', `sample "${sample.slice(0, 100)}" is not a sample (samples: ${samples.join(', ')})`, 'sample');
    const list = sections(previews, sample);
    const highlight = query.testSend === undefined ? null : await deps.store.testSends.get(query.testSend);
    return reply.type('text/html').header('content-security-policy', TEMPLATES_PAGE_CSP)
      .send(renderTemplatesPage({ sections: list, samples, sample, recent, highlight, to: query.to ?? highlight?.email ?? '' }));
  });

  app.get<{ Params: { id: string } }>('/admin/test-sends/:id', async (request, reply) => {
    const id = /^\d{1,12}$/.test(request.params.id) ? Number(request.params.id) : null;
    const row = id === null ? null : await deps.store.testSends.get(id);
    if (!row) return sendError(reply, 404, 'not_found', `No test send ${request.params.id}.`);
    return row;
  });

  await app.register(async (forms) => {
    await forms.register(formbody, { bodyLimit: deps.config.bodyLimitBytes });
    forms.post('/admin/templates/test-send', async (request, reply) => {
      if (crossSite(request, deps.config.publicBaseUrl)) return refuse(request, reply, 403, 'cross_site', 'Test sends are asked for from the admin page itself, not from another site.');
      if (!previews) return unavailable(request, reply);
      const parsed = testSendBody.safeParse(request.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return refuse(request, reply, 400, 'invalid_test_send', issue?.message ?? 'The test send is not valid.', String(issue?.path[0] ?? 'body'));
      }
      const input = { template: parsed.data.template, locale: parsed.data.locale ?? 'en', sample: parsed.data.sample ?? 'default', to: parsed.data.to };
      const problem = previews.problem(input);
      if (problem) return refuse(request, reply, 400, 'invalid_test_send', problem.message, problem.field);
      const row = await deps.store.testSends.create({ template: input.template, locale: input.locale, sample: input.sample, email: normalizeEmail(input.to), requestedBy: 'admin' }, deps.now());
      try {
        await withinMs(enqueue(deps.queues, 'test-send', { testSendId: row.id }), deps.config.enqueueTimeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS);
      } catch (error) {
        // Not accepted: the row says why, and the answer is not a success.
        await deps.store.testSends.markFailed(row.id, 'not enqueued: Redis did not take the job', deps.now());
        request.log.warn({ testSendId: row.id, err: (error as Error).message }, 'test send not enqueued');
        return refuse(request, reply, 503, 'redis_unavailable', `Test send #${row.id} was not queued: Redis did not answer in time. Try again.`);
      }
      request.log.info({ testSendId: row.id, template: row.template, locale: row.locale, sample: row.sample }, 'test send queued');
      if ((request.headers.accept ?? '').includes('text/html')) return reply.code(303).header('location', `/admin/templates?testSend=${row.id}#test-send-status`).send();
      return reply.code(202).send({ testSend: { ...row } });
    });
  });
}
