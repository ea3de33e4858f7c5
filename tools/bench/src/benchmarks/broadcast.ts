/**
 * Broadcast benchmark and exactly-once check: N confirmed subscribers get one newsletter through
 * the real pipeline — `tickler newsletter send` (the real CLI, run as a child process the way an
 * operator runs it), BullMQ `send` jobs on the real Redis, the SQLite delivery ledger, the real SES
 * v2 SDK — against aws-ses-v2-local. The mailer (in this process) is interrupted gracefully (the
 * role's `close()`, what SIGTERM does) once ~40% are sent; then `newsletter send` is re-run (it
 * must add no job: sent deliveries are "already sent", queued ones keep their job id) and a fresh
 * mailer finishes the rest. Finally every subscriber must have exactly one email in the local SES
 * `/store`; missing or doubled addresses fail the bench.
 *
 * Wall time and emails/s exclude seeding: they run from the first `newsletter send` to the last
 * send, so they include both CLI runs' start-up (printed separately).
 * Run: `pnpm bench broadcast [--subscribers N]`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import sesServer from 'aws-ses-v2-local';
import pino from 'pino';
import { openStore, type Store } from '@tickler/db';
import { closeQueues, makeQueues, makeRedisConnection, type Queues, type RedisConnection } from '@tickler/queues';
import { loadTemplates, makeSesTransport, startMailerRole, type MailerConfig } from '@tickler/mailer';
import { DEFAULT_REDIS_URL, DEFAULT_TEMPLATES_DIR, REPO_ROOT } from '../config';
import { BenchFailure } from '../failure';

export interface BenchBroadcastOptions {
  /** Confirmed subscribers (default 10,000). */
  subscribers?: number;
  redisUrl?: string;
  templatesDir?: string;
  /** Fraction of the broadcast sent before the mailer is interrupted (default 0.4). */
  interruptAt?: number;
  /** Where figures are printed (default stdout). */
  print?: (line: string) => void;
}

export interface BenchBroadcastResult {
  subscribers: number;
  /** Deliveries sent when the first mailer had stopped. */
  sentBeforeInterrupt: number;
  /** Jobs the re-run of `newsletter send` added to the send queue (must be 0). */
  jobsAddedByRerun: number;
  emailsInSes: number;
  /** Extra emails beyond one per address (sum of count − 1). */
  duplicates: number;
  missing: number;
  wallMs: number;
  emailsPerSecond: number;
}

const TOPIC = 'product-news';
const TEMPLATE = 'newsletter-product-news';
const emailOf = (i: number) => `reader-${i}@firm-${i % 97}.example`;
const CLI_MAIN = path.join(REPO_ROOT, 'packages/cli/src/main.ts');
const MAILER: { config: MailerConfig; region: string; concurrency: number; maxSendRate: number } = {
  config: {
    publicBaseUrl: 'https://tickler.example.com', tokenSecrets: ['bench-broadcast-secret-0123456789'],
    fromReminders: 'reminders@tickler.example.com', fromNewsletter: 'news@tickler.example.com', supportEmail: 'support@tickler.example.com',
    newsletterTopics: [{ id: TOPIC, label: 'Product news' }],
  },
  region: 'eu-west-1', concurrency: 64, maxSendRate: 1_000_000,
};

/** Where one run lives: its SQLite file, Redis prefix, templates and local SES. */
interface Setup { databaseUrl: string; redisUrl: string; prefix: string; templatesDir: string; sesUrl: string }

interface Ses { url: string; close(): Promise<void> }

async function startLocalSes(): Promise<Ses> {
  const server: Server = await sesServer({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await fetch(`${url}/clear-store`, { method: 'POST' });
  const close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return { url, close };
}

/**
 * `tickler newsletter send --topic … --template …` as a child process, from the TS sources (`node
 * --conditions=development --import tsx packages/cli/src/main.ts …` from the repository root, so no
 * build is needed), configured only by the variables it needs.
 * Resolves with its summary line and how long the process took; a non-zero exit fails the bench.
 */
function newsletterSend(setup: Setup): Promise<{ summary: string; seconds: number }> {
  const started = performance.now();
  const env = {
    DATABASE_URL: setup.databaseUrl, REDIS_URL: setup.redisUrl, QUEUE_PREFIX: setup.prefix, TEMPLATES_DIR: setup.templatesDir,
    NEWSLETTER_TOPICS: `${TOPIC}:Product news`, LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', CLI_MAIN, 'newsletter', 'send', '--topic', TOPIC, '--template', TEMPLATE], {
    cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) return resolve({ summary: stdout.trim().split('\n').pop() ?? '', seconds });
      reject(new BenchFailure(`tickler newsletter send exited with ${signal ?? code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

async function seedSubscribers(store: Store, n: number): Promise<void> {
  const at = new Date();
  for (let i = 0; i < n; i += 1) {
    await store.newsletter.subscribe(emailOf(i), [TOPIC]);
    await store.newsletter.confirm(emailOf(i), at);
  }
}

/** Runs a mailer (as `tickler mailer` wires it) until `stopAfter` send jobs finished, then closes it gracefully. */
async function runMailer(setup: Setup, store: Store, connection: RedisConnection, stopAfter: number): Promise<number> {
  const templates = await loadTemplates(setup.templatesDir);
  const transport = makeSesTransport({ region: MAILER.region, endpoint: setup.sesUrl });
  const role = startMailerRole({
    connection, prefix: setup.prefix, store, templates, transport, config: MAILER.config, logger: pino({ level: 'warn' }),
    concurrency: MAILER.concurrency, maxSendRate: MAILER.maxSendRate,
  });
  let finished = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      finished += 1;
      if (finished >= stopAfter) resolve();
    };
    role.workers.send.on('completed', tick);
    role.workers.send.on('failed', tick);
  });
  await role.close();
  await transport.close?.();
  return finished;
}

async function countByStatus(store: Store): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const c of await store.deliveries.countByStatusAndReason()) counts.set(c.status, (counts.get(c.status) ?? 0) + c.count);
  return counts;
}

async function jobsInQueue(queues: Queues): Promise<number> {
  const counts = await queues.send.getJobCounts();
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** Emails per recipient in the local SES store, compared with the subscriber list. */
async function checkSesStore(sesUrl: string, n: number): Promise<{ emails: number; duplicates: number; missing: number; strangers: number }> {
  const { emails } = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] } }> };
  const perRecipient = new Map<string, number>();
  for (const email of emails) for (const to of email.destination.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
  let duplicates = 0;
  let missing = 0;
  for (let i = 0; i < n; i += 1) {
    const count = perRecipient.get(emailOf(i)) ?? 0;
    if (count === 0) missing += 1;
    else duplicates += count - 1;
    perRecipient.delete(emailOf(i));
  }
  return { emails: emails.length, duplicates, missing, strangers: perRecipient.size };
}

/** The broadcast, interrupted and resumed; returns figures measured from the first `newsletter send`. */
async function interruptedBroadcast(setup: Setup, store: Store, connection: RedisConnection, queues: Queues, n: number, interruptAt: number, print: (line: string) => void) {
  const started = performance.now();
  const first = await newsletterSend(setup);
  print(`  send:         tickler newsletter send, ${first.seconds.toFixed(1)} s: ${first.summary}`);
  await runMailer(setup, store, connection, Math.ceil(n * interruptAt));
  const sentBeforeInterrupt = (await countByStatus(store)).get('sent') ?? 0;
  print(`  interrupted:  mailer closed after ${sentBeforeInterrupt} sent (${((sentBeforeInterrupt / n) * 100).toFixed(0)}%); re-running newsletter send`);
  const jobsBefore = await jobsInQueue(queues);
  const rerun = await newsletterSend(setup);
  print(`  re-run:       tickler newsletter send, ${rerun.seconds.toFixed(1)} s: ${rerun.summary}`);
  const jobsAddedByRerun = (await jobsInQueue(queues)) - jobsBefore;
  const remaining = (await countByStatus(store)).get('queued') ?? 0;
  if (remaining > 0) await runMailer(setup, store, connection, remaining);
  const wallMs = performance.now() - started;
  return { sentBeforeInterrupt, jobsAddedByRerun, wallMs, cliSeconds: first.seconds + rerun.seconds };
}

/** Runs the interrupted broadcast, checks the SES store, prints figures; throws when an address is missing or doubled. */
export async function benchBroadcast(opts: BenchBroadcastOptions = {}): Promise<BenchBroadcastResult> {
  const n = opts.subscribers ?? 10_000;
  const interruptAt = opts.interruptAt ?? 0.4;
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-bench-broadcast-'));
  const prefix = `bench-broadcast-${randomUUID().slice(0, 8)}`;
  const ses = await startLocalSes();
  const setup: Setup = {
    databaseUrl: `file:${path.join(dir, 'broadcast.db')}`, redisUrl: opts.redisUrl ?? DEFAULT_REDIS_URL, prefix,
    templatesDir: opts.templatesDir ?? DEFAULT_TEMPLATES_DIR, sesUrl: ses.url,
  };
  const connection = makeRedisConnection(setup.redisUrl);
  const queues = makeQueues(connection, prefix);
  const store = await openStore({ url: setup.databaseUrl });
  try {
    print(`broadcast bench: ${n} subscribers, interrupt at ${Math.round(interruptAt * 100)}%, Redis prefix ${prefix}, SQLite ${dir}, local SES ${ses.url}`);
    await seedSubscribers(store, n);
    const run = await interruptedBroadcast(setup, store, connection, queues, n, interruptAt, print);
    const check = await checkSesStore(ses.url, n);
    const result: BenchBroadcastResult = {
      subscribers: n, sentBeforeInterrupt: run.sentBeforeInterrupt, jobsAddedByRerun: run.jobsAddedByRerun, emailsInSes: check.emails,
      duplicates: check.duplicates, missing: check.missing, wallMs: run.wallMs, emailsPerSecond: (check.emails / run.wallMs) * 1000,
    };
    print(`  subscribers:  ${n}; emails in SES ${check.emails}; duplicates ${check.duplicates}; missing ${check.missing}; other recipients ${check.strangers}`);
    print(`  re-run:       ${run.jobsAddedByRerun} jobs added to the send queue`);
    print(`  wall time:    ${(run.wallMs / 1000).toFixed(1)} s (both sends incl. ${run.cliSeconds.toFixed(1)} s of CLI processes, both mailers, no seeding) = ${Math.round(result.emailsPerSecond)} emails/s; `
      + `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    if (check.duplicates > 0 || check.missing > 0 || check.strangers > 0 || run.jobsAddedByRerun !== 0) {
      throw new BenchFailure(`broadcast was not exactly once: ${check.missing} missing, ${check.duplicates} duplicates, ${check.strangers} unexpected recipients, ${run.jobsAddedByRerun} jobs added by the re-run`);
    }
    return result;
  } finally {
    for (const queue of Object.values(queues)) await queue.obliterate({ force: true }).catch(() => undefined);
    await closeQueues(queues);
    await store.close();
    connection.disconnect();
    await ses.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
