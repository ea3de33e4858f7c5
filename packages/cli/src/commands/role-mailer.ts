import { loadTemplates, makeTransportMetrics, serveMetrics, startMailerRole } from '@tickler/mailer';
import type { Env } from '../env';
import { makeLogger } from '../runtime/logger';
import { mailerConfigOf, makeTransport } from '../runtime/mailer';
import { waitForShutdown } from '../runtime/shutdown';
import { withRuntime } from '../runtime/with-runtime';

/** `tickler mailer`: reminders fan-out and sending, until SIGTERM/SIGINT (in-flight sends finish). */
export async function mailerCommand(env: Env): Promise<void> {
  const logger = makeLogger(env, 'stdout', 'tickler-mailer');
  const templates = await loadTemplates(env.templatesDir, { defaultLocale: env.defaultLocale });
  const metrics = makeTransportMetrics();
  await withRuntime(env, async ({ store, redis }) => {
    const server = env.metricsPort === null ? null : await serveMetrics([metrics.registry], env.metricsPort, env.httpHost);
    if (server) logger.info({ port: server.port }, 'mailer metrics listening');
    const transport = metrics.instrument(makeTransport(env));
    const role = startMailerRole({
      connection: redis, prefix: env.queuePrefix, store, logger, transport, templates,
      config: mailerConfigOf(env), concurrency: env.mailerConcurrency, maxSendRate: env.ses.maxSendRate,
    });
    const signal = await waitForShutdown();
    logger.info({ signal }, 'shutting down: finishing in-flight sends');
    await role.close();
    transport.close?.();
    await server?.close();
  }, { logger });
}
