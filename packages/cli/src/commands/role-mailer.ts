import { loadTemplates, makeTransportMetrics, serveMetrics, startMailerRole } from '@tickler/mailer';
import type { Env } from '../env';
import { closeWithin } from '../runtime/bounded-close';
import { listenFailure } from '../runtime/listen-failure';
import { makeLogger } from '../runtime/logger';
import { mailerConfigOf, makeTransport } from '../runtime/mailer';
import { waitForShutdown } from '../runtime/shutdown';
import { readableTemplatesDir } from '../runtime/templates-dir';
import { withRuntime } from '../runtime/with-runtime';

/**
 * `tickler mailer`: reminders fan-out and sending, until SIGTERM/SIGINT. In-flight sends get
 * SHUTDOWN_TIMEOUT to finish. A job still running then (Redis does not answer to acknowledge it, or
 * SES is slow) is let go as a crash would leave it: active in Redis until its lock expires, then run
 * again (or re-added by the scan's reconciliation), and the delivery's claim in the ledger decides
 * what that run does (send-processor.ts: nothing for an email recorded as sent).
 */
export async function mailerCommand(env: Env): Promise<void> {
  const logger = makeLogger(env, 'stdout', 'tickler-mailer');
  const templates = await loadTemplates(await readableTemplatesDir(env), { defaultLocale: env.defaultLocale });
  const metrics = makeTransportMetrics();
  await withRuntime(env, async ({ store, redis }) => {
    const { metricsPort } = env;
    const server = metricsPort === null ? null : await serveMetrics([metrics.registry], metricsPort, env.httpHost).catch((error: unknown) => {
      throw listenFailure(error, { port: metricsPort, host: env.httpHost, portSetting: 'METRICS_PORT' });
    });
    if (server) logger.info({ port: server.port }, 'mailer metrics listening');
    const transport = metrics.instrument(makeTransport(env));
    const role = startMailerRole({
      connection: redis, prefix: env.queuePrefix, store, logger, transport, templates,
      config: mailerConfigOf(env), concurrency: env.mailerConcurrency, maxSendRate: env.ses.maxSendRate,
    });
    const signal = await waitForShutdown();
    logger.info({ signal }, 'shutting down: finishing in-flight sends');
    await closeWithin({ what: 'mailer role', close: () => role.close() }, env.shutdownTimeoutMs, logger);
    transport.close?.();
    await server?.close();
  }, { logger });
}
