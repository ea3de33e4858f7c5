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
 * (see redis-topologies.ts). Each mailer warms up first (`--warmup N` emails each, not measured).
 * By default the mailers send as fast as they can (saturated: on a small machine they then compete
 * for its cores with Redis, the SES stub and each other); `--rate N` runs them at SES_MAX_SEND_RATE
 * N instead, as a deployment does, so that one and two mailers are compared at the same load.
 *
 * Targets: ≥ 1,500 emails/s end to end, ≤ 50 µs to render one email; 2 mailers ≥ 1 mailer in
 * emails per CPU-second.
 * Run: `pnpm bench send [--emails N] [--concurrency N] [--mailers 1,2] [--warmup N] [--rate N] [--store sqlite|postgres|both] [--redis single|cluster|both]` or `npx tsx --conditions=development tools/bench/src/benchmarks/send.ts [N] [concurrency]`.
 */
import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { openStore, type Store } from '@tickler/db';
import { enqueueBulk, makeQueues, closeQueues, makeRedisConnection, queuePrefixFor, type Queues, type RedisConnection } from '@tickler/queues';
import { allMicrosPerEmail, printSendRun, printSendSummary, type SendRun } from './send-report';
import { printScalingSummary } from './scaling-summary';
import { benchDigestRender, benchRender, printDigestRender, type DigestRenderFigure } from './render';
import { loadTemplates } from '@tickler/mailer';
import { DEFAULT_REDIS_URL, DEFAULT_TEMPLATES_DIR } from '../config';
import { BENCH_TOPIC, startMailerChild, statOf, stopMailerChild, type MailerChildSetup, type MailerStat } from './send-mailer';
import { backendCpuBetween, serverCpu } from './server-cpu';
import { createPgDatabase, storesOf, type StoreChoice } from './stores';
import { startSesStub } from './ses-stub';
import { redisKindsOf, withRedis, type RedisChoice } from './redis-topologies';
import { sampleLockWaits, type WorkFigures } from './work-counters';

export interface BenchSendOptions {
  /** Emails to send (default 20,000). */
  emails?: number;
  /** Send worker concurrency (default 128, the role's MAILER_CONCURRENCY default; on PostgreSQL it sets how many calls share a statement). */
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
  /** Emails each mailer sends before the measured ones, left out of the figures (default 2,000). */
  warmupPerMailer?: number;
  /**
   * SES_MAX_SEND_RATE of the mailers (emails/s across all of them, the shared SES budget in Redis). Unset:
   * no limit, the mailers send as fast as the machine allows (saturated).
   */
  rate?: number;
  /** Rounds (default 1): each measures every mailer count and store in turn; see scaling-summary.ts. */
  rounds?: number;
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

/** N confirmed subscribers of the topic, one broadcast, N queued deliveries; returns their ids. */
export async function seedDeliveries(store: Store, n: number): Promise<number[]> {
  for (let i = 0; i < n; i += 1) {
    const email = `reader-${i}@bench-corp.example`;
    await store.newsletter.subscribe(email, [BENCH_TOPIC]);
    await store.newsletter.confirm(email, new Date());
  }
  const { id } = await store.newsletter.ensureBroadcast(BENCH_TOPIC, 'product-news');
  const ids: number[] = [];
  for (let from = 0; from < n; from += 1_000) {
    const rows = await store.deliveries.upsertMany(Array.from({ length: Math.min(1_000, n - from) }, (_, k) => ({
      sourceType: 'broadcast' as const, sourceId: id, email: `reader-${from + k}@bench-corp.example`,
      listId: `newsletter:${BENCH_TOPIC}` as const, orderId: null, status: 'queued' as const, reason: null,
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

/** How the end-to-end runs are driven; see `BenchSendOptions`. */
interface Drive { n: number; concurrency: number; mailers: number; warmupPerMailer: number; maxSendRate: number }

/** Enqueues `ids` and waits until the mailers have finished `target` jobs in all; returns their stats then. */
async function sendAndWait(queues: Queues, children: ChildProcess[], ids: number[], target: number): Promise<MailerStat[]> {
  await enqueueSends(queues, ids);
  const deadline = Date.now() + 300_000;
  for (;;) {
    const stats = await Promise.all(children.map(statOf));
    if (stats.reduce((sum, a) => sum + a.done, 0) >= target) return stats;
    if (Date.now() > deadline) throw new Error('send bench: emails still unsent after 300 s');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * N emails through `mailers` mailer processes on a fresh database of `store`. Each mailer first sends
 * about `warmupPerMailer` emails that are left out of the figures: a new process spends its first
 * thousands of jobs compiling (V8 tiers hot code up per process) and touching fresh memory, which
 * a long-running mailer does once, not per email (a second process would otherwise pay it twice in
 * the window).
 */
async function benchEndToEnd(connection: RedisConnection, redisUrl: string, prefix: string, databaseUrl: string, templatesDir: string, drive: Drive) {
  const { n, mailers } = drive;
  const stub = await startSesStub();
  const queues = makeQueues(connection, prefix);
  const store = await openStore({ url: databaseUrl });
  const children: ChildProcess[] = [];
  try {
    const warmup = drive.warmupPerMailer * mailers;
    const ids = await seedDeliveries(store, warmup + n);
    const setup: MailerChildSetup = { databaseUrl, redisUrl, prefix, endpoint: stub.endpoint, concurrency: drive.concurrency, templatesDir, maxSendRate: drive.maxSendRate };
    for (let i = 0; i < mailers; i += 1) children.push(await startMailerChild(setup));
    const before = await sendAndWait(queues, children, ids.slice(0, warmup), warmup);
    const serversBefore = await serverCpu(databaseUrl, redisUrl);
    const locks = sampleLockWaits(databaseUrl);
    const startedAt = performance.now();
    const after = await sendAndWait(queues, children, ids.slice(warmup), warmup + n).finally(() => locks.stop());
    const ms = performance.now() - startedAt;
    const lockWaits = await locks.stop();
    const serversAfter = await serverCpu(databaseUrl, redisUrl);
    const postgresMs = backendCpuBetween(serversBefore.postgres, serversAfter.postgres);
    const serverMicrosPerEmail = { postgres: postgresMs === null ? null : (postgresMs * 1000) / n, redis: ((serversAfter.redis - serversBefore.redis) * 1000) / n };
    const cpuByMailer = after.map((a, i) => ((a.cpuMs - before[i]!.cpuMs) * 1000) / n);
    const perEmail = (pick: (s: MailerStat) => number) => after.reduce((sum, a, i) => sum + pick(a) - pick(before[i]!), 0) / n;
    const work: WorkFigures = {
      pgStatements: databaseUrl.startsWith('postgres') ? perEmail((s) => s.pgStatements) : null, postgresMicros: serverMicrosPerEmail.postgres,
      redisCommands: (serversAfter.redisCommands - serversBefore.redisCommands) / n, redisMicros: serverMicrosPerEmail.redis, lockWaits,
    };
    const counts = await store.deliveries.countByStatusAndReason();
    const sentOk = counts.filter((c) => c.status === 'sent').reduce((sum, c) => sum + c.count, 0);
    return {
      emailsPerSecond: (n / ms) * 1000, cpuMicrosPerEmail: cpuByMailer.reduce((x, y) => x + y, 0), cpuMicrosPerEmailByMailer: cpuByMailer,
      failed: after.reduce((sum, a) => sum + a.failed, 0), sentOk, requests: await stub.requests(), serverMicrosPerEmail,
      switchesPerEmail: { voluntary: perEmail((s) => s.voluntarySwitches), involuntary: perEmail((s) => s.involuntarySwitches) },
      pageFaultsPerEmail: perEmail((s) => s.pageFaults), work,
    };
  } finally {
    await Promise.all(children.map(stopMailerChild));
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
  const concurrency = opts.concurrency ?? 128;
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const templatesDir = opts.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-bench-send-'));
  const prefix = `bench-send-${randomUUID().slice(0, 8)}`;
  const drive = { n, concurrency, warmupPerMailer: opts.warmupPerMailer ?? 2_000, maxSendRate: opts.rate ?? 1_000_000 };
  const stores = storesOf(opts.store);
  const mailerCounts = opts.mailers ?? [1];
  const kinds = redisKindsOf(opts.redis);
  const rounds = opts.rounds ?? 1;
  try {
    const templates = await loadTemplates(templatesDir);
    const pace = opts.rate ? `at SES_MAX_SEND_RATE ${opts.rate}/s` : 'saturated (no send rate limit)';
    print(`send bench: ${n} emails after ${drive.warmupPerMailer} per mailer of warm-up, ${pace}, concurrency ${concurrency} per mailer, mailers ${mailerCounts.join(', ')}, stores ${stores.join(', ')}, Redis ${kinds.join(', ')}, ${rounds} round(s), prefix ${prefix}`);
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
          for (let round = 1; round <= rounds; round += 1) {
            for (const mailers of mailerCounts) {
              for (const store of stores) {
                const pg = store === 'postgres' ? createPgDatabase(opts.pgUrl, 'send') : undefined;
                const databaseUrl = pg?.url ?? `file:${path.join(dir, `bench-${redis}-${store}-${mailers}-${round}.db`)}`;
                try {
                  const e2e = await benchEndToEnd(connection, redisUrl, `${prefix}-${store}-${mailers}-${round}`, databaseUrl, templatesDir, { ...drive, mailers });
                  runs.push({ redis, store, mailers, round, ...e2e });
                  printSendRun(print, runs[runs.length - 1]!, e2e.requests);
                } finally {
                  pg?.drop();
                }
              }
            }
          }
        } finally {
          connection.disconnect();
        }
      });
    }
    printSendSummary(print, runs);
    printScalingSummary(print, 'email', runs.map((r) => ({ group: `${r.redis} ${r.store}`, processes: r.mailers, round: r.round, perCpuSecond: 1e6 / allMicrosPerEmail(r), work: r.work })));
    const first = runs[0]!;
    return {
      emails: n, concurrency, emailsPerSecond: first.emailsPerSecond, cpuMicrosPerEmail: first.cpuMicrosPerEmail, noopJobsPerSecond, renderMicrosPerEmail, digestRender, sentOk: first.sentOk, runs,
    };
  } finally {
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
