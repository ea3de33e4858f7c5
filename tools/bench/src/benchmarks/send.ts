/**
 * Send-path benchmark: one mailer process sends N newsletter emails end to end — BullMQ `send` jobs
 * on the real Redis, the SQLite delivery ledger, template rendering, the real SES v2 SDK — against a
 * minimal local SES-compatible HTTP stub. In the same run it measures a no-op BullMQ worker (the
 * queue's own ceiling on this machine) and template rendering alone.
 *
 * Targets: ≥ 1,500 emails/s end to end, ≤ 50 µs to render one email.
 * Run: `pnpm bench send [--emails N] [--concurrency N]` or `npx tsx tools/bench/src/benchmarks/send.ts [N] [concurrency]`.
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import pino from 'pino';
import { openStore, type Store } from '@tickler/db';
import { enqueueBulk, makeQueues, closeQueues, makeRedisConnection, queuePrefixFor, type Queues, type RedisConnection } from '@tickler/queues';
import { loadTemplates, makeSesTransport, renderEmail, startMailerRole, type MailerConfig, type TemplateSet } from '@tickler/mailer';
import { DEFAULT_REDIS_URL, DEFAULT_TEMPLATES_DIR } from '../config';

export interface BenchSendOptions {
  /** Emails to send (default 20,000). */
  emails?: number;
  /** Send worker concurrency (default 64: higher only adds garbage once the CPU is the limit). */
  concurrency?: number;
  redisUrl?: string;
  templatesDir?: string;
  /** Where figures are printed (default stdout). */
  print?: (line: string) => void;
}

export interface BenchSendResult {
  emails: number;
  concurrency: number;
  emailsPerSecond: number;
  /** CPU time of this (mailer) process per email, µs: the figure that does not depend on machine load. */
  cpuMicrosPerEmail: number;
  noopJobsPerSecond: number;
  renderMicrosPerEmail: number;
  sentOk: number;
}

const TOPIC = 'product-news';
const CONFIG: MailerConfig = {
  publicBaseUrl: 'https://tickler.example.com',
  tokenSecrets: ['bench-secret-0123456789'],
  fromReminders: 'reminders@tickler.example.com',
  fromNewsletter: 'news@tickler.example.com',
  supportEmail: 'support@tickler.example.com',
  newsletterTopics: [{ id: TOPIC, label: 'Product news' }],
};

/**
 * A minimal SES v2 endpoint, run in its own Node process (SES is remote; its CPU must not be
 * billed to the mailer): drains each request and answers SendEmail with a MessageId;
 * `GET /count` says how many it answered.
 */
const STUB_SOURCE = `
const http = require('node:http');
let count = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') { res.end(String(count)); return; }
  req.on('data', () => undefined);
  req.on('end', () => {
    count += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"MessageId":"bench-' + count + '"}');
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function startSesStub(): Promise<{ endpoint: string; requests: () => Promise<number>; close: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-e', STUB_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`SES stub exited with ${code}`)));
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    requests: async () => Number(await (await fetch(`${endpoint}/count`)).text()),
    close: async () => {
      child.removeAllListeners('exit');
      child.kill();
    },
  };
}

/** N confirmed subscribers of the topic, one broadcast, N queued deliveries; returns their ids. */
async function seed(store: Store, n: number): Promise<number[]> {
  for (let i = 0; i < n; i += 1) {
    const email = `reader-${i}@bench-corp.example`;
    await store.newsletter.subscribe(email, [TOPIC]);
    await store.newsletter.confirm(email, new Date());
  }
  const { id } = await store.newsletter.ensureBroadcast(TOPIC, 'product-news');
  const ids: number[] = [];
  for (let from = 0; from < n; from += 1_000) {
    const rows = await store.deliveries.upsertMany(Array.from({ length: Math.min(1_000, n - from) }, (_, k) => ({
      sourceType: 'broadcast' as const, sourceId: id, email: `reader-${from + k}@bench-corp.example`,
      listId: `newsletter:${TOPIC}` as const, orderId: null, status: 'queued' as const, reason: null,
    })));
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

async function enqueueSends(queues: Queues, ids: number[]): Promise<void> {
  for (let from = 0; from < ids.length; from += 1_000) {
    await enqueueBulk(queues, 'send', ids.slice(from, from + 1_000).map((deliveryId) => ({ data: { deliveryId } })));
  }
}

/** Resolves when `worker` has finished `n` jobs (completed or failed); returns elapsed ms from `start`. */
function whenFinished(worker: Worker, n: number, start: () => number): Promise<{ ms: number; failed: number }> {
  let done = 0;
  let failed = 0;
  return new Promise((resolve) => {
    const tick = () => {
      done += 1;
      if (done === n) resolve({ ms: performance.now() - start(), failed });
    };
    worker.on('completed', tick);
    worker.on('failed', () => {
      failed += 1;
      tick();
    });
  });
}

async function benchEndToEnd(connection: RedisConnection, prefix: string, store: Store, templates: TemplateSet, n: number, concurrency: number) {
  const stub = await startSesStub();
  const queues = makeQueues(connection, prefix);
  const ids = await seed(store, n);
  await enqueueSends(queues, ids);
  const transport = makeSesTransport({ region: 'eu-west-1', endpoint: stub.endpoint, maxSockets: concurrency });
  let startedAt = 0;
  const role = startMailerRole({
    connection, prefix, store, templates, transport, config: CONFIG, logger: pino({ level: 'warn' }),
    concurrency, maxSendRate: 1_000_000,
  });
  startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const { ms, failed } = await whenFinished(role.workers.send, n, () => startedAt);
  const cpu = process.cpuUsage(cpuBefore);
  await role.close();
  await transport.close?.();
  const counts = await store.deliveries.countByStatusAndReason();
  const sentOk = counts.filter((c) => c.status === 'sent').reduce((sum, c) => sum + c.count, 0);
  const requests = await stub.requests();
  for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
  await closeQueues(queues);
  await stub.close();
  return { emailsPerSecond: (n / ms) * 1000, cpuMicrosPerEmail: (cpu.user + cpu.system) / n, failed, sentOk, requests };
}

async function benchNoop(connection: RedisConnection, basePrefix: string, n: number, concurrency: number): Promise<number> {
  const prefix = queuePrefixFor('bench-noop', basePrefix, connection);
  const queue = new Queue('bench-noop', { connection, prefix });
  for (let from = 0; from < n; from += 1_000) {
    await queue.addBulk(Array.from({ length: Math.min(1_000, n - from) }, (_, k) => ({ name: 'noop', data: { i: from + k }, opts: { removeOnComplete: true } })));
  }
  const started = performance.now();
  const worker = new Worker('bench-noop', async () => undefined, { connection, prefix, concurrency });
  const { ms } = await whenFinished(worker, n, () => started);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return (n / ms) * 1000;
}

function benchRender(templates: TemplateSet, n: number): number {
  const reminder = templates.templates.get('license-reminder')!.definition.sample('before');
  const newsletter = templates.templates.get('newsletter-product-news')!.definition.sample('default');
  for (let i = 0; i < 2_000; i += 1) renderEmail(templates, 'license-reminder', reminder);
  // CPU time, so that other processes on the machine do not inflate the figure.
  const started = process.cpuUsage();
  for (let i = 0; i < n; i += 1) {
    if (i % 2 === 0) renderEmail(templates, 'license-reminder', { ...reminder, orderNumber: `ORD-${i}` });
    else renderEmail(templates, 'newsletter-product-news', { ...newsletter, recipientEmail: `reader-${i}@bench-corp.example` });
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
}

/** Runs the three measurements and prints them; see the file header. */
export async function benchSend(opts: BenchSendOptions = {}): Promise<BenchSendResult> {
  const n = opts.emails ?? 20_000;
  const concurrency = opts.concurrency ?? 64;
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-bench-send-'));
  const connection = makeRedisConnection(opts.redisUrl ?? DEFAULT_REDIS_URL);
  const prefix = `bench-send-${randomUUID().slice(0, 8)}`;
  const store = await openStore({ url: `file:${path.join(dir, 'bench.db')}` });
  try {
    const templates = await loadTemplates(opts.templatesDir ?? DEFAULT_TEMPLATES_DIR);
    print(`send bench: ${n} emails, concurrency ${concurrency}, Redis prefix ${prefix}, SQLite ${dir}`);
    const renderMicrosPerEmail = benchRender(templates, n);
    print(`  render:        ${renderMicrosPerEmail.toFixed(1)} µs CPU/email (target ≤ 50)`);
    const noopJobsPerSecond = await benchNoop(connection, prefix, n, concurrency);
    print(`  no-op BullMQ:  ${Math.round(noopJobsPerSecond)} jobs/s`);
    const e2e = await benchEndToEnd(connection, prefix, store, templates, n, concurrency);
    print(`  end to end:    ${Math.round(e2e.emailsPerSecond)} emails/s (target ≥ 1500); ${e2e.sentOk} sent, ${e2e.failed} failed, ${e2e.requests} SES requests`);
    print(`  mailer CPU:    ${Math.round(e2e.cpuMicrosPerEmail)} µs/email (= ${Math.round(1e6 / e2e.cpuMicrosPerEmail)} emails/s per fully available core); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    return {
      emails: n, concurrency, emailsPerSecond: e2e.emailsPerSecond, cpuMicrosPerEmail: e2e.cpuMicrosPerEmail, noopJobsPerSecond, renderMicrosPerEmail, sentOk: e2e.sentOk,
    };
  } finally {
    await store.close();
    connection.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [emails, concurrency] = process.argv.slice(2).map(Number);
  benchSend({ emails: emails || undefined, concurrency: concurrency || undefined }).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`send bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
