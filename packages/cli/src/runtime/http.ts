/** HTTP edge wiring from the parsed env: config, deps (with the scheduler's forecaster) and listening. */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Store } from '@tickler/db';
import type { Queues } from '@tickler/queues';
import { makeHttpServer, makeRedisRateLimiter, type HttpConfig, type HttpServerDeps } from '@tickler/mailer';
import { makeForecaster, makeSchedulerConfig } from '@tickler/scheduler';
import type { Env } from '../env';

export function httpConfigOf(env: Env): HttpConfig {
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
    supportEmail: env.supportEmail,
    bodyLimitBytes: 64 * 1024,
    billingMaxClockSkewMs: env.billingMaxClockSkewMs,
    rateLimits: env.rateLimits,
    trustProxy: env.httpTrustProxy,
  };
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.text();
}

/** Builds the edge and starts listening on HTTP_HOST:HTTP_PORT. */
export async function startHttp(
  env: Env, parts: { store: Store; queues: Queues; redis: Redis; logger: Logger; extraMetrics?: HttpServerDeps['extraMetrics']; port?: number },
): Promise<ReturnType<typeof makeHttpServer>> {
  const forecaster = makeForecaster({ store: parts.store, config: makeSchedulerConfig({ offsets: env.offsets }) });
  const app = makeHttpServer({
    store: parts.store, queues: parts.queues, logger: parts.logger, config: httpConfigOf(env),
    now: () => new Date(), fetchText,
    // Beside the queues' keys, so every edge process on this Redis and QUEUE_PREFIX shares the counts.
    rateLimiter: makeRedisRateLimiter(parts.redis, `${env.queuePrefix}:rate-limit`),
    forecast: (days, now) => forecaster.forecast({ days, now }),
    extraMetrics: parts.extraMetrics,
  });
  await app.listen({ port: parts.port ?? env.httpPort, host: env.httpHost });
  return app;
}
