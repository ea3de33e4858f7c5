/**
 * `tickler start` (`pnpm start`): every role in one process on embedded defaults — SQLite under
 * ./data, the local SES with its web inbox, Redis from REDIS_URL or a private redis-server, demo
 * data on first run, a scan right away (before the scheduler role starts) — then prints where to look. Ctrl-C stops everything.
 */
import { loadTemplates, makeTransportMetrics, startMailerRole } from '@tickler/mailer';
import { makeScanner, startSchedulerRole } from '@tickler/scheduler';
import { loadEnv, type Env } from '../env';
import { closeWithin, drainDeadline } from '../runtime/bounded-close';
import { startHttp } from '../runtime/http';
import { makeLogger } from '../runtime/logger';
import { mailerConfigOf, makeTransport } from '../runtime/mailer';
import { planningConfigOf, schedulerDepsOf } from '../runtime/scheduler-deps';
import { waitForShutdown } from '../runtime/shutdown';
import { readableTemplatesDir } from '../runtime/templates-dir';
import { withRuntime, type Runtime } from '../runtime/with-runtime';
import { loadDemoData, type DemoSummary } from '../start/demo-data';
import { dataDirOf, embeddedSecrets, embeddedSource } from '../start/embedded-env';
import { freeLocalhostPort } from '../start/free-port';
import { startLocalSes } from '../start/local-ses';
import { ensureRedis } from '../start/private-redis';

function banner(env: Env, sesUrl: string, redis: { url: string; private: boolean }, demo: DemoSummary | null, scanned: number): string {
  const base = `http://localhost:${env.httpPort}`;
  return [
    '',
    'Tickler is running (embedded mode). Ctrl-C stops it.',
    `  App (newsletter sign-up):  ${base}/newsletter`,
    `  Inbox (local SES):         ${sesUrl}/`,
    `  Dashboard (BullMQ):        ${base}/admin/queues?token=${encodeURIComponent(env.adminToken)}`,
    `  Forecast / audit:          ${base}/admin/forecast   ${base}/admin/deliveries   (Authorization: Bearer ${env.adminToken})`,
    `  Health / metrics:          ${base}/readyz   ${base}/metrics`,
    `  Admin token:               ${env.adminToken}`,
    `  Database:                  ${env.databaseUrl}`,
    `  Redis:                     ${redis.url}${redis.private ? ' (private redis-server, stopped on exit)' : ''}, queue prefix "${env.queuePrefix}"`,
    demo ? `  Demo data loaded:          ${demo.organizations} organizations, ${demo.orders} orders, ${demo.invitations * 2} invitations (one per organization not accepted yet)` : '  Demo data:                 already loaded earlier',
    `  First scan:                ${scanned} reminders enqueued; they appear in the inbox within a minute.`,
    '',
  ].join('\n');
}

async function runAll(rt: Runtime, sesUrl: string, redis: { url: string; private: boolean }): Promise<void> {
  const { env, store, redis: connection, queues, logger } = rt;
  const now = new Date();
  const demo = await loadDemoData(store, queues, env.tokenSecrets, now);
  // The first scan, before the scheduler role starts: what it enqueued is what the banner reports.
  // (Started first, the role's own scan would take everything due and leave this one an empty window.)
  const firstScan = await makeScanner(schedulerDepsOf(rt, env, now)).scan({ now });
  const templates = await loadTemplates(await readableTemplatesDir(env), { defaultLocale: env.defaultLocale });
  const scheduler = await startSchedulerRole({ connection, prefix: env.queuePrefix, store, logger, scanEveryMs: env.scanEveryMs, config: planningConfigOf(env) });
  const metrics = makeTransportMetrics();
  const transport = metrics.instrument(makeTransport(env));
  const mailer = startMailerRole({
    connection, prefix: env.queuePrefix, store, logger, transport, templates,
    config: mailerConfigOf(env), concurrency: env.mailerConcurrency, maxSendRate: env.ses.maxSendRate,
  });
  const app = await startHttp(env, { store, queues, redis: connection, logger, extraMetrics: [metrics.registry] });
  try {
    process.stdout.write(banner(env, sesUrl, redis, demo, firstScan.totals.enqueued));
    const signal = await waitForShutdown();
    process.stdout.write(`\n${signal}: stopping (finishing in-flight jobs)…\n`);
  } finally {
    // One SHUTDOWN_TIMEOUT for all three: the edge first (no new webhooks), then both workers' in-flight jobs.
    const left = drainDeadline(env.shutdownTimeoutMs);
    await closeWithin({ what: 'http server', close: () => app.close(), force: () => app.server.closeAllConnections() }, left(), logger);
    await Promise.all([
      closeWithin({ what: 'mailer role', close: () => mailer.close() }, left(), logger),
      closeWithin({ what: 'scheduler role', close: () => scheduler.close() }, left(), logger),
    ]);
    transport.close?.();
  }
}

export async function startCommand(user: Record<string, string | undefined>): Promise<void> {
  // Parse what the user set first, so a bad variable is reported before anything starts.
  const userEnv = loadEnv(user, 'base');
  const secrets = embeddedSecrets(dataDirOf(userEnv.databaseUrl));
  const redis = await ensureRedis(userEnv.redisUrl);
  const ses = await startLocalSes();
  try {
    const httpPort = user.HTTP_PORT ? userEnv.httpPort : await freeLocalhostPort(3000);
    const env = loadEnv(embeddedSource(user, { redisUrl: redis.url, sesEndpoint: ses.url, httpPort, secrets }), 'all');
    const logger = makeLogger({ logLevel: env.logLevel ?? 'warn' }, 'stdout', 'tickler');
    await withRuntime(env, (rt) => runAll(rt, ses.url, redis), { logger });
  } finally {
    await ses.stop();
    await redis.stop();
  }
}
