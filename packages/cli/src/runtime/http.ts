/** HTTP edge wiring from the parsed env: config, deps and listening. */
import type { Logger } from 'pino';
import type { Store } from '@tickler/db';
import type { Queues, RedisConnection } from '@tickler/queues';
import { makeFetchText, makeHttpServer, makeRedisRateLimiter, type HttpConfig, type HttpServerDeps } from '@tickler/http';
import { loadTemplates, makeTemplatePreviews, type TemplatePreviews } from '@tickler/mailer';
import type { Env } from '../env';
import { listenFailure } from './listen-failure';

function httpConfigOf(env: Env): HttpConfig {
  return {
    publicBaseUrl: env.publicBaseUrl,
    tokenSecrets: env.tokenSecrets,
    adminToken: env.adminToken,
    portalApiKey: env.portalApiKey,
    billingWebhookSecret: env.billingWebhookSecret,
    snsTopicArns: env.snsTopicArns,
    snsCertCacheDir: env.snsCertCacheDir,
    newsletterTopics: env.newsletterTopics,
    emailDomainAllowlist: env.emailDomainAllowlist,
    reminderOffsets: env.offsets,
    sendCalendar: env.sendCalendar,
    supportEmail: env.supportEmail,
    defaultLocale: env.defaultLocale,
    bodyLimitBytes: 64 * 1024,
    billingMaxClockSkewMs: env.billingMaxClockSkewMs,
    rateLimits: env.rateLimits,
    trustProxy: env.httpTrustProxy,
  };
}

/**
 * The admin page's template previews (rendered by the mailer's code, shown by the edge). Templates
 * that do not compile leave the page answering 503 and are logged; the edge still starts, the
 * mailer refuses them at its own start.
 */
async function loadPreviews(env: Env, logger: Logger): Promise<TemplatePreviews | undefined> {
  try {
    return makeTemplatePreviews(await loadTemplates(env.templatesDir));
  } catch (error) {
    logger.warn({ templatesDir: env.templatesDir, err: (error as Error).message }, 'templates not loaded; /admin/templates is unavailable');
    return undefined;
  }
}

/** Builds the edge and starts listening on HTTP_HOST:HTTP_PORT. */
export async function startHttp(
  env: Env, parts: { store: Store; queues: Queues; redis: RedisConnection; logger: Logger; extraMetrics?: HttpServerDeps['extraMetrics']; port?: number },
): Promise<ReturnType<typeof makeHttpServer>> {
  const app = makeHttpServer({
    store: parts.store, queues: parts.queues, logger: parts.logger, config: httpConfigOf(env),
    // SNS certificates and SubscribeURL: no redirects, 5 s, 64 KiB at most.
    now: () => new Date(), fetchText: makeFetchText(),
    // Beside the queues' keys, so every edge process on this Redis and QUEUE_PREFIX shares the counts.
    rateLimiter: makeRedisRateLimiter(parts.redis, `${env.queuePrefix}:rate-limit`),
    extraMetrics: parts.extraMetrics,
    templatePreviews: await loadPreviews(env, parts.logger),
  });
  const port = parts.port ?? env.httpPort;
  try {
    await app.listen({ port, host: env.httpHost });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw listenFailure(error, { port, host: env.httpHost, portSetting: 'HTTP_PORT' });
  }
  return app;
}
