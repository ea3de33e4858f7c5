/**
 * What the failover tests run on top of a Redis topology: the roles as a deployment runs them
 * (scheduler, mailer, HTTP edge, each with its own connection from the one factory), a SQLite store
 * in a throw-away folder, a counting mail transport, signed billing events and `/readyz` sampling.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createBillingSignatureHeader } from '@tickler/domain';
import { openStore, type Store } from '@tickler/db';
import { closeQueues, makeQueues, makeRedisConnection, type Queues, type RedisConnection } from '@tickler/queues';
import { loadTemplates, startMailerRole, type MailerConfig, type MailerRole, type MailTransport, type OutgoingEmail, type TemplateSet } from '@tickler/mailer';
import { startSchedulerRole, type SchedulerConfig, type SchedulerRole } from '@tickler/scheduler';
import { makeHttpServer, makeRedisRateLimiter, type HttpConfig } from '@tickler/http';
import { tempDir } from '@tickler/testkit';

type HttpEdge = ReturnType<typeof makeHttpServer>;

export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const TEMPLATES_DIR = path.resolve(__dirname, '../../../../templates');
const TOPIC = 'product-news';
const BILLING_SECRET = 'billing-secret-0123456789abcdef';

export const mailerConfig: MailerConfig = {
  publicBaseUrl: 'https://tickler.example.com',
  tokenSecrets: ['redis-ha-secret-0123456789'],
  fromReminders: 'Tickler Reminders <reminders@tickler.example.com>',
  fromNewsletter: 'Tickler News <news@tickler.example.com>',
  supportEmail: 'support@tickler.example.com',
  newsletterTopics: [{ id: TOPIC, label: 'Product news' }],
  throttleDelayMs: 300,
};

let templates: Promise<TemplateSet> | null = null;
export function repositoryTemplates(): Promise<TemplateSet> {
  templates ??= loadTemplates(TEMPLATES_DIR);
  return templates;
}

/** A migrated SQLite store in a throw-away folder (removed by the topology's stopAll). */
export async function makeStore(name: string): Promise<{ store: Store; url: string }> {
  const url = `file:${path.join(tempDir(`redis-ha-${name}`), 'tickler.db')}`;
  return { store: await openStore({ url }), url };
}

/** Remembers every accepted email with when it was accepted; `sendMs` simulates the provider's latency. */
export interface CountingTransport extends MailTransport {
  sent: Array<{ to: string; at: number }>;
  /** Accepted emails per recipient. */
  counts(): Map<string, number>;
}

export function countingTransport(sendMs = 2): CountingTransport {
  const self: CountingTransport = {
    sent: [],
    async send(message: OutgoingEmail) {
      await new Promise((r) => setTimeout(r, sendMs));
      self.sent.push({ to: message.to, at: Date.now() });
      return { messageId: `count-${self.sent.length}` };
    },
    counts() {
      const counts = new Map<string, number>();
      for (const { to } of self.sent) counts.set(to, (counts.get(to) ?? 0) + 1);
      return counts;
    },
  };
  return self;
}

/** `n` confirmed newsletter subscribers and one broadcast to them: `n` queued deliveries (no jobs yet). */
export async function seedBroadcast(store: Store, n: number): Promise<{ ids: number[]; emails: string[] }> {
  const emails = Array.from({ length: n }, (_, i) => `reader-${i}@subscriber-${i % 97}.example`);
  for (const email of emails) {
    await store.newsletter.subscribe(email, [TOPIC]);
    await store.newsletter.confirm(email, new Date());
  }
  const { id } = await store.newsletter.ensureBroadcast(TOPIC, 'product-news');
  const ids: number[] = [];
  for (let from = 0; from < n; from += 1000) {
    const rows = await store.deliveries.upsertMany(emails.slice(from, from + 1000).map((email) => ({
      sourceType: 'broadcast' as const, sourceId: id, email, listId: `newsletter:${TOPIC}` as const, orderId: null, status: 'queued' as const, reason: null,
    })));
    ids.push(...rows.map((r) => r.id));
  }
  return { ids, emails };
}

/** Each role as its own process would run it: its own connection from REDIS_URL through the factory. */
export interface Deployment {
  mailer?: MailerRole;
  schedulers: SchedulerRole[];
  http?: HttpEdge;
  /** Queues on a connection of the test's own (to enqueue and inspect). */
  queues: Queues;
  connections: RedisConnection[];
  close(): Promise<void>;
}

export interface DeploymentOptions {
  redisUrl: string;
  prefix: string;
  store: Store;
  transport?: MailTransport;
  mailer?: { concurrency: number; maxSendRate: number };
  /** `count` 2 adds a hot standby (the scan queue's global concurrency keeps their scans apart). */
  scheduler?: { scanEveryMs: number; config?: Partial<SchedulerConfig>; count?: number };
  http?: boolean;
}

export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const connections: RedisConnection[] = [];
  const connect = (name: string) => {
    const c = makeRedisConnection(options.redisUrl, { connectionName: `tickler-test:${name}` });
    c.on('error', () => undefined); // reconnects are expected here; the roles log their own errors
    connections.push(c);
    return c;
  };
  const common = { prefix: options.prefix, store: options.store, logger: quietLogger };
  const deployment: Deployment = {
    queues: makeQueues(connect('test'), options.prefix),
    schedulers: [],
    connections,
    async close() {
      // Each role as its own process: they stop side by side.
      await Promise.all([deployment.http?.close(), deployment.mailer?.close(), ...deployment.schedulers.map((s) => s.close())]);
      await closeQueues(deployment.queues);
      for (const c of connections) c.disconnect();
    },
  };
  for (let i = 0; options.scheduler && i < (options.scheduler.count ?? 1); i += 1) {
    deployment.schedulers.push(await startSchedulerRole({
      ...common, connection: connect(`scheduler-${i}`), scanEveryMs: options.scheduler.scanEveryMs, config: options.scheduler.config,
    }));
  }
  if (options.mailer) {
    deployment.mailer = startMailerRole({
      ...common, connection: connect('mailer'), transport: options.transport ?? countingTransport(), templates: await repositoryTemplates(), config: mailerConfig,
      concurrency: options.mailer.concurrency, maxSendRate: options.mailer.maxSendRate,
    });
  }
  if (options.http) {
    const connection = connect('http');
    const queues = makeQueues(connection, options.prefix);
    const app = makeHttpServer({
      store: options.store, queues, logger: quietLogger, config: httpConfig(), now: () => new Date(),
      fetchText: async () => { throw new Error('no fetching in this test'); },
      rateLimiter: makeRedisRateLimiter(connection, `${options.prefix}:rate-limit`),
    });
    app.addHook('onClose', () => closeQueues(queues));
    await app.listen({ host: '127.0.0.1', port: 0 });
    deployment.http = app;
  }
  return deployment;
}

function httpConfig(): HttpConfig {
  return {
    publicBaseUrl: 'https://tickler.example.com', tokenSecrets: mailerConfig.tokenSecrets, adminToken: 'admin-token-0123456789abcdef',
    portalApiKey: 'portal-key-0123456789abcdef', billingWebhookSecret: BILLING_SECRET, snsTopicArns: [],
    snsCertCacheDir: path.join(tempDir('redis-ha-sns'), 'certs'), newsletterTopics: [{ id: TOPIC, label: 'Product news' }], emailDomainAllowlist: [],
    supportEmail: 'support@tickler.example.com', bodyLimitBytes: 64 * 1024, enqueueTimeoutMs: 1000,
  };
}

export function baseUrlOf(app: HttpEdge): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('HTTP edge is not listening');
  return `http://127.0.0.1:${address.port}`;
}

/**
 * POSTs one signed `order.upserted` billing event for `orderId`, as a billing system does; returns
 * the status (0 = no answer). A retry passes the first attempt's `occurredAt`: the same body again
 * (another body under the same id is a conflict, 409).
 */
export async function postOrderEvent(baseUrl: string, eventId: string, orderId: string, occurredAt = new Date()): Promise<number> {
  const body = JSON.stringify({
    id: eventId, type: 'order.upserted', occurredAt: occurredAt.toISOString(),
    data: {
      orderId, organization: { id: `org-${orderId}`, name: `Org ${orderId}`, timeZone: 'UTC' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2031-01-31', maintenanceExpiresOn: null, purchaserEmail: `buyer@${orderId.toLowerCase()}.example`, purchaserName: null,
    },
  });
  const signature = createBillingSignatureHeader(BILLING_SECRET, Math.floor(Date.now() / 1000), body);
  try {
    const response = await fetch(`${baseUrl}/webhooks/billing`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'tickler-signature': signature }, body, signal: AbortSignal.timeout(10_000),
    });
    return response.status;
  } catch {
    return 0;
  }
}

/** `/readyz` answers over time: status code and, when 503, what it named as down. */
/** One `/readyz` request: asked `at`, answered (or failed) `doneAt`, ms since the epoch. */
export interface ReadinessSample { at: number; doneAt: number; status: number; body: string }

export function sampleReadiness(baseUrl: string, everyMs = 200): { samples: ReadinessSample[]; stop(): void } {
  const samples: ReadinessSample[] = [];
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const at = Date.now();
      try {
        const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
        const body = await response.text();
        samples.push({ at, doneAt: Date.now(), status: response.status, body });
      } catch (error) {
        samples.push({ at, doneAt: Date.now(), status: 0, body: (error as Error).message });
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { samples, stop: () => { stopped = true; } };
}

export function uniquePrefix(name: string): string {
  return `ha-${name}-${randomBytes(3).toString('hex')}`;
}

export async function waitUntil<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Deliveries per status, e.g. `{ sent: 1990, queued: 10 }`. */
export async function deliveryStatuses(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { status, count } of await store.deliveries.countByStatusAndReason()) out[status] = (out[status] ?? 0) + count;
  return out;
}

/** Scan jobs that ran (completed, oldest first) and whether any two of them overlapped in time. */
export async function scanRuns(queues: Queues): Promise<{ runs: number; overlaps: number }> {
  const jobs = (await queues.scan.getJobs(['completed'], 0, -1)).filter((j) => j?.processedOn && j.finishedOn);
  const spans = jobs.map((j) => [j.processedOn!, j.finishedOn!] as const).sort((a, b) => a[0] - b[0]);
  let overlaps = 0;
  for (let i = 1; i < spans.length; i += 1) if (spans[i]![0] < spans[i - 1]![1]) overlaps += 1;
  return { runs: spans.length, overlaps };
}
