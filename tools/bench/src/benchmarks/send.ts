/**
 * Send-path benchmark: one mailer process sends N newsletter emails end to end — BullMQ `send` jobs
 * on the real Redis, the SQLite delivery ledger, template rendering, the real SES v2 SDK — against a
 * minimal local SES-compatible HTTP stub. In the same run it measures a no-op BullMQ worker (the
 * queue's own ceiling on this machine) and template rendering alone.
 *
 * The mailers run in child processes (1 by default; `--mailers 1,2` measures each count in turn),
 * each a real `startMailerRole` on its own store connection, reporting its own CPU time; each
 * measurement gets a fresh database (`--store sqlite|postgres|both`, see stores.ts). `--redis cluster`
 * runs the same on a private Redis Cluster, `--redis both` on REDIS_URL and a cluster side by side
 * (see redis-topologies.ts).
 *
 * Targets: ≥ 1,500 emails/s end to end, ≤ 50 µs to render one email; 2 mailers ≥ 1 mailer in
 * emails per CPU-second.
 * Run: `pnpm bench send [--emails N] [--concurrency N] [--mailers 1,2] [--store sqlite|postgres|both] [--redis single|cluster|both]` or `npx tsx --conditions=development tools/bench/src/benchmarks/send.ts [N] [concurrency]`.
 */
import fs from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import pino from 'pino';
import { openStore, type Store } from '@tickler/db';
import { enqueueBulk, makeQueues, closeQueues, makeRedisConnection, queuePrefixFor, type Queues, type RedisConnection } from '@tickler/queues';
import { printSendRun, printSendSummary, type SendRun } from './send-report';
import { benchDigestRender, benchRender, printDigestRender, type DigestRenderFigure } from './render';
import { loadTemplates, makeSesTransport, startMailerRole, type MailerConfig } from '@tickler/mailer';
import { DEFAULT_REDIS_URL, DEFAULT_TEMPLATES_DIR } from '../config';
import { redisConnection } from './events-processes';
import { backendCpuBetween, serverCpu } from './server-cpu';
import { createPgDatabase, storesOf, type StoreChoice } from './stores';
import { startSesStub } from './ses-stub';
import { redisKindsOf, withRedis, type RedisChoice } from './redis-topologies';

export interface BenchSendOptions {
  /** Emails to send (default 20,000). */
  emails?: number;
  /** Send worker concurrency (default 64: higher only adds garbage once the CPU is the limit). */
  concurrency?: number;
  redisUrl?: string;
  templatesDir?: string;
  /** Where figures are printed (default stdout). */
  print?: (line: string) => void;
  store?: StoreChoice;
  pgUrl?: string;
  /** Mailer process counts to measure in turn (default [1]). */
  mailers?: number[];
  /** REDIS_URL (`single`, default), a private cluster, or both in turn. */
  redis?: RedisChoice;
}


export interface BenchSendResult {
  emails: number;
  concurrency: number;
  emailsPerSecond: number;
  /** CPU time of this (mailer) process per email, µs: the figure that does not depend on machine load. */
  cpuMicrosPerEmail: number;
  noopJobsPerSecond: number;
  renderMicrosPerEmail: number;
  /** Render CPU µs per email of reminder digests of 1 (the single-order email), 5 and 20 orders. */
  digestRender: DigestRenderFigure[];
  sentOk: number;
  runs: SendRun[];
}

const TOPIC = 'product-news';
export const MAILER_CONFIG: MailerConfig = {
  publicBaseUrl: 'https://tickler.example.com',
  tokenSecrets: ['bench-secret-0123456789'],
  fromReminders: 'reminders@tickler.example.com',
  fromNewsletter: 'news@tickler.example.com',
  supportEmail: 'support@tickler.example.com',
  newsletterTopics: [{ id: TOPIC, label: 'Product news' }],
};

/** N confirmed subscribers of the topic, one broadcast, N queued deliveries; returns their ids. */
export async function seedDeliveries(store: Store, n: number): Promise<number[]> {
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

const CHILD_FLAG = '--bench-send-mailer-child';
interface MailerChildSetup { databaseUrl: string; redisUrl: string; prefix: string; endpoint: string; concurrency: number; templatesDir: string }

/** Child half: one mailer process; answers 'stat' with jobs finished and CPU ms; exits on 'stop'. */
async function runMailerChild(setup: MailerChildSetup): Promise<void> {
  const store = await openStore({ url: setup.databaseUrl, migrate: false });
  const templates = await loadTemplates(setup.templatesDir);
  const transport = makeSesTransport({ region: 'eu-west-1', endpoint: setup.endpoint, maxSockets: setup.concurrency });
  const role = startMailerRole({
    connection: redisConnection(setup.redisUrl), prefix: setup.prefix, store, templates, transport, config: MAILER_CONFIG,
    logger: pino({ level: 'warn' }), concurrency: setup.concurrency, maxSendRate: 1_000_000,
  });
  let done = 0;
  let failed = 0;
  role.workers.send.on('completed', () => (done += 1));
  role.workers.send.on('failed', () => ((done += 1), (failed += 1)));
  await role.workers.send.waitUntilReady();
  process.send?.({ ready: true });
  process.on('message', (m) => {
    if (m === 'stat') {
      const u = process.cpuUsage();
      process.send?.({ done, failed, cpuMs: (u.user + u.system) / 1000 });
      return;
    }
    void role.close().then(() => transport.close?.()).then(() => store.close()).then(() => process.exit(0));
  });
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m: T) => resolve(m));
    child.send(message);
  });
}

function startMailerChild(setup: MailerChildSetup): Promise<ChildProcess> {
  const child = fork(__filename, [CHILD_FLAG, JSON.stringify(setup)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`mailer child exited early (code ${code})`)));
  });
}

/** N emails through `mailers` mailer processes on a fresh database of `store`. */
async function benchEndToEnd(
  connection: RedisConnection, redisUrl: string, prefix: string, databaseUrl: string, templatesDir: string, n: number, concurrency: number, mailers: number,
) {
  const stub = await startSesStub();
  const queues = makeQueues(connection, prefix);
  const store = await openStore({ url: databaseUrl });
  const children: ChildProcess[] = [];
  try {
    const ids = await seedDeliveries(store, n);
    for (let i = 0; i < mailers; i += 1) children.push(await startMailerChild({ databaseUrl, redisUrl, prefix, endpoint: stub.endpoint, concurrency, templatesDir }));
    type Stat = { done: number; failed: number; cpuMs: number };
    const before = await Promise.all(children.map((c) => ask<Stat>(c, 'stat')));
    const serversBefore = await serverCpu(databaseUrl, redisUrl);
    const startedAt = performance.now();
    await enqueueSends(queues, ids);
    let after: Stat[] = before;
    const deadline = Date.now() + 300_000;
    while (after.reduce((sum, a) => sum + a.done, 0) < n) {
      if (Date.now() > deadline) throw new Error('send bench: emails still unsent after 300 s');
      await new Promise((r) => setTimeout(r, 25));
      after = await Promise.all(children.map((c) => ask<Stat>(c, 'stat')));
    }
    const ms = performance.now() - startedAt;
    const serversAfter = await serverCpu(databaseUrl, redisUrl);
    const postgresMs = backendCpuBetween(serversBefore.postgres, serversAfter.postgres);
    const serverMicrosPerEmail = { postgres: postgresMs === null ? null : (postgresMs * 1000) / n, redis: ((serversAfter.redis - serversBefore.redis) * 1000) / n };
    const cpuByMailer = after.map((a, i) => ((a.cpuMs - before[i]!.cpuMs) * 1000) / n);
    const counts = await store.deliveries.countByStatusAndReason();
    const sentOk = counts.filter((c) => c.status === 'sent').reduce((sum, c) => sum + c.count, 0);
    return {
      emailsPerSecond: (n / ms) * 1000, cpuMicrosPerEmail: cpuByMailer.reduce((x, y) => x + y, 0), cpuMicrosPerEmailByMailer: cpuByMailer,
      failed: after.reduce((sum, a) => sum + a.failed, 0), sentOk, requests: await stub.requests(), serverMicrosPerEmail,
    };
  } finally {
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.send('stop');
    })));
    await store.close();
    for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
    await closeQueues(queues);
    await stub.close();
  }
}

async function benchNoop(connection: RedisConnection, queuePrefix: string, n: number, concurrency: number): Promise<number> {
  const prefix = queuePrefixFor('bench-noop', queuePrefix, connection);
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

/** Runs the measurements and prints them; see the file header. */
export async function benchSend(opts: BenchSendOptions = {}): Promise<BenchSendResult> {
  const n = opts.emails ?? 20_000;
  const concurrency = opts.concurrency ?? 64;
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const templatesDir = opts.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-bench-send-'));
  const prefix = `bench-send-${randomUUID().slice(0, 8)}`;
  const stores = storesOf(opts.store);
  const mailerCounts = opts.mailers ?? [1];
  const kinds = redisKindsOf(opts.redis);
  try {
    const templates = await loadTemplates(templatesDir);
    print(`send bench: ${n} emails, concurrency ${concurrency} per mailer, mailers ${mailerCounts.join(', ')}, stores ${stores.join(', ')}, Redis ${kinds.join(', ')}, prefix ${prefix}`);
    const renderMicrosPerEmail = benchRender(templates, n);
    print(`  render:        ${renderMicrosPerEmail.toFixed(1)} µs CPU/email (target ≤ 50)`);
    const digestRender = printDigestRender(benchDigestRender(templates, Math.min(n, 5_000)), print);
    const runs: SendRun[] = [];
    let noopJobsPerSecond = 0;
    for (const redis of kinds) {
      await withRedis(redis, opts.redisUrl ?? DEFAULT_REDIS_URL, async (redisUrl) => {
        const connection = makeRedisConnection(redisUrl);
        try {
          const noop = await benchNoop(connection, prefix, n, concurrency);
          noopJobsPerSecond ||= noop;
          print(`  ${redis} Redis: no-op BullMQ ${Math.round(noop)} jobs/s`);
          for (const mailers of mailerCounts) {
            for (const store of stores) {
              const pg = store === 'postgres' ? createPgDatabase(opts.pgUrl, 'send') : undefined;
              const databaseUrl = pg?.url ?? `file:${path.join(dir, `bench-${redis}-${store}-${mailers}.db`)}`;
              try {
                const e2e = await benchEndToEnd(connection, redisUrl, `${prefix}-${store}-${mailers}`, databaseUrl, templatesDir, n, concurrency, mailers);
                runs.push({ redis, store, mailers, ...e2e });
                printSendRun(print, runs[runs.length - 1]!, e2e.requests);
              } finally {
                pg?.drop();
              }
            }
          }
        } finally {
          connection.disconnect();
        }
      });
    }
    printSendSummary(print, runs);
    const first = runs[0]!;
    return {
      emails: n, concurrency, emailsPerSecond: first.emailsPerSecond, cpuMicrosPerEmail: first.cpuMicrosPerEmail, noopJobsPerSecond, renderMicrosPerEmail, digestRender, sentOk: first.sentOk, runs,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  runMailerChild(JSON.parse(process.argv[3] ?? '{}') as MailerChildSetup).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
} else if (require.main === module) {
  const [emails, concurrency] = process.argv.slice(2).map(Number);
  benchSend({ emails: emails || undefined, concurrency: concurrency || undefined }).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`send bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
