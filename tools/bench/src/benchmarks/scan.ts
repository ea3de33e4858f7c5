/**
 * Scan benchmark: seeds N orders (default 1,000,000) into a temporary SQLite file, then, per round
 * (default 3), on a fresh copy of it: times ONE reminder scan of one day's reminders (the steady
 * state: horizon = now, window (now, now + 24 h]) enqueuing on the real Redis, then times raw BullMQ
 * `addBulk` of the same number of jobs (same ids, options, delays, chunk size) into a fresh queue.
 * It prints every round and the medians: on a small shared machine one round's ratio swings by
 * ±20 points. Queues are obliterated and copies deleted.
 *
 * Before anything is timed, a warm-up `addBulk` into a scratch queue JIT-compiles the BullMQ and
 * ioredis code and loads Redis's scripts, as in a scheduler that has been up for a while; without
 * it the first timed run alone would pay for that. Seeding runs in a child process so the peak RSS
 * reported (process.resourceUsage().maxRSS) is the scan's own, not the seeder's.
 *
 * With `--store postgres` (or `both`: the two stores side by side, each round's pair on the same
 * seeded data) each round's fresh copy is a new PostgreSQL database filled from the seeded SQLite
 * file by `copySqliteToPostgres` (what `tickler db copy --to` runs); its time is reported as the copy
 * figure. The database is dropped after the round.
 *
 * Targets: scan ≤ 10 s, peak RSS ≤ 300 MB, enqueue rate ≥ 70 % of raw addBulk.
 * Run: `pnpm bench scan [--orders N] [--rounds N] [--database FILE] [--store sqlite|postgres|both] [--pg-url URL]` or `npx tsx --conditions=development tools/bench/src/benchmarks/scan.ts [N]`.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { copySqliteToPostgres, openStore } from '@tickler/db';
import { closeQueues, jobCatalog, makeQueues, type Queues } from '@tickler/queues';
import { HORIZON_KEY, makeScanner, makeSchedulerConfig } from '@tickler/scheduler';
import { DEFAULT_REDIS_URL } from '../config';
import { BenchFailure } from '../failure';
import { seedDatabase } from '../seed/seed';
import { createPgDatabase, storesOf, type StoreChoice, type StoreKind } from './stores';
import { sampleAnonRss } from './memory';

export interface BenchScanOptions {
  /** Orders to seed (default 1,000,000). */
  orders?: number;
  redisUrl?: string;
  /** The scan instant; the seed spreads expiries over the year after it (default: now). */
  now?: Date;
  /** Reuse this already seeded SQLite file instead of seeding: temporary copies are scanned, the file stays as it is. */
  databaseFile?: string;
  /** Scan + raw pairs to run, each on a fresh copy (default 3). */
  rounds?: number;
  /** Where figures are printed (default stdout). */
  print?: (line: string) => void;
  /** Which store(s) to scan (default sqlite). */
  store?: StoreChoice;
  /** PostgreSQL server for `postgres` rounds (a fresh database per round). */
  pgUrl?: string;
  /** Days over which the seed spreads expiry dates (default 365): 10× the orders over 10× the days keeps the reminders due per day fixed. */
  spreadDays?: number;
  /** Time the first scan after loading (no horizon yet: catch-up of what is due now, then the day ahead) instead of a steady-state day. */
  firstScan?: boolean;
}

export interface BenchScanRound {
  store: StoreKind;
  /** PostgreSQL: seconds `copySqliteToPostgres` took to fill this round's database. */
  copySeconds?: number;
  remindersEnqueued: number;
  scanSeconds: number;
  rawAddBulkSeconds: number;
  /** Scan enqueue rate ÷ raw addBulk rate (1 = as fast as raw). */
  ratio: number;
}

export interface BenchScanResult {
  orders: number;
  seedSeconds: number | null;
  rounds: BenchScanRound[];
  /** Medians over the rounds. */
  scanSeconds: number;
  rawAddBulkSeconds: number;
  ratio: number;
  /** Medians per store (scanSeconds, rawAddBulkSeconds, ratio, copySeconds). */
  byStore: Partial<Record<StoreKind, { scanSeconds: number; rawAddBulkSeconds: number; ratio: number; copySeconds?: number; enqueued: number }>>;
  /** Peak over the rounds, MB. */
  peakRssMb: number;
  /** Peak resident memory without file-backed pages (sampled every 20 ms), MB. */
  peakAnonRssMb: number;
}

const SEED_CHILD_FLAG = '--bench-scan-seed-child';
const DAY_MS = 86_400_000;
/** Jobs added before anything is timed (see the warm-up in {@link benchScan}). */
const WARMUP_JOBS = 10_000;

/** Copies a seeded database (and its WAL, if any) so the scan's ledger rows do not end up in it. */
function copyDatabase(from: string, to: string): void {
  fs.copyFileSync(from, to);
  if (fs.existsSync(`${from}-wal`)) fs.copyFileSync(`${from}-wal`, `${to}-wal`);
}

/** Seeds in a child process (its memory is not ours); resolves with the seconds it took. */
function seedInChild(url: string, orders: number, now: Date, spreadDays: number | undefined): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [SEED_CHILD_FLAG, url, String(orders), now.toISOString(), String(spreadDays ?? '')], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`seeding failed (exit ${code})`))));
  });
}

const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

async function obliterate(queues: Queue[]): Promise<void> {
  for (const queue of queues) await queue.obliterate({ force: true });
}

/** One scan of one day's reminders at `now`; returns what it enqueued and how long it took. */
async function timeScan(url: string, queues: Queues, now: Date, firstScan: boolean): Promise<{ enqueued: number; seconds: number; sendAts: number[] }> {
  const store = await openStore({ url });
  try {
    if (!firstScan) await store.state.set(HORIZON_KEY, now.toISOString());
    const config = makeSchedulerConfig();
    const scanner = makeScanner({ store, queues, logger: pino({ level: 'warn' }), now: () => now, config });
    const started = performance.now();
    const report = await scanner.scan({ now });
    const seconds = (performance.now() - started) / 1000;
    const sendAts = (await store.reminders.listQueued(new Date(now.getTime() + DAY_MS), report.totals.enqueued + 1)).map((r) => r.sendAt.getTime());
    return { enqueued: report.totals.enqueued, seconds, sendAts };
  } finally {
    await store.close();
  }
}

/**
 * Raw BullMQ: the same jobs (ids, options, delays) straight into a fresh queue with `addBulk`, in
 * the scheduler's chunk size with the same number of chunks in flight.
 */
async function timeRawAddBulk(queue: Queue, sendAts: number[], now: Date): Promise<number> {
  const { enqueueChunk: chunk, enqueueInFlight: maxInFlight } = makeSchedulerConfig();
  const inFlight: Array<Promise<unknown>> = [];
  const started = performance.now();
  for (let i = 0; i < sendAts.length; i += chunk) {
    while (inFlight.length >= maxInFlight) await inFlight.shift();
    inFlight.push(queue.addBulk(sendAts.slice(i, i + chunk).map((at, j) => ({
      name: 'reminder', data: { reminderId: i + j + 1 },
      opts: { ...jobCatalog.reminder.options, jobId: `reminder-${i + j + 1}`, delay: Math.max(0, at - now.getTime()) },
    }))));
  }
  await Promise.all(inFlight);
  return (performance.now() - started) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const rate = (n: number, seconds: number) => Math.round(n / seconds);

/** One round on a fresh copy of `base`: the scan, then raw addBulk of the same jobs; both timed. */
async function runRound(base: string, dir: string, connection: Redis, prefix: string, now: Date, print: (line: string) => void, store: StoreKind, opts: BenchScanOptions) {
  const file = path.join(dir, `${prefix}.db`);
  let url = `file:${file}`;
  let dropPg: (() => void) | undefined;
  let copySeconds: number | undefined;
  if (store === 'postgres') {
    const pg = createPgDatabase(opts.pgUrl, 'scan');
    dropPg = pg.drop;
    url = pg.url;
    const copyStarted = performance.now();
    await copySqliteToPostgres(`file:${base}`, url);
    copySeconds = (performance.now() - copyStarted) / 1000;
  } else copyDatabase(base, file);
  const queues = makeQueues(connection, `${prefix}-scan`);
  const raw = new Queue('reminders', { connection, prefix: `${prefix}-raw` });
  try {
    // CPU seconds of this process as well: on a shared machine wall time swings with other load.
    const cpuBefore = process.cpuUsage();
    const anon = sampleAnonRss();
    const scan = await timeScan(url, queues, now, opts.firstScan === true);
    const peakAnonMb = anon.stop();
    const scanCpu = cpuSeconds(process.cpuUsage(cpuBefore));
    const cpuBeforeRaw = process.cpuUsage();
    const rawAddBulkSeconds = await timeRawAddBulk(raw, scan.sendAts, now);
    const rawCpu = cpuSeconds(process.cpuUsage(cpuBeforeRaw));
    const round: BenchScanRound = { store, copySeconds, remindersEnqueued: scan.enqueued, scanSeconds: scan.seconds, rawAddBulkSeconds, ratio: rawAddBulkSeconds / scan.seconds };
    const copied = copySeconds === undefined ? '' : `copy into PostgreSQL ${copySeconds.toFixed(1)} s; `;
    print(`  ${prefix.split('-').pop()} ${store}: ${copied}scan ${scan.enqueued} reminders in ${scan.seconds.toFixed(2)} s (${rate(scan.enqueued, scan.seconds)}/s, ${scanCpu.toFixed(2)} s CPU, ${peakAnonMb.toFixed(0)} MB anon RSS); `
      + `raw addBulk ${rawAddBulkSeconds.toFixed(2)} s (${rate(scan.sendAts.length, rawAddBulkSeconds)}/s, ${rawCpu.toFixed(2)} s CPU); ratio ${(round.ratio * 100).toFixed(0)} %`);
    return { round, peakAnonMb };
  } finally {
    await obliterate([...Object.values(queues), raw]);
    await closeQueues(queues);
    await raw.close();
    dropPg?.();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
  }
}

/** Runs the benchmark and prints the figures; see the file header. */
export async function benchScan(opts: BenchScanOptions = {}): Promise<BenchScanResult> {
  const orders = opts.orders ?? 1_000_000;
  if (!Number.isSafeInteger(orders) || orders < 1) throw new BenchFailure(`--orders must be a whole number ≥ 1 (got ${String(orders)})`);
  const roundCount = opts.rounds ?? 3;
  if (!Number.isSafeInteger(roundCount) || roundCount < 1) throw new BenchFailure(`--rounds must be a whole number ≥ 1 (got ${String(roundCount)})`);
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = opts.now ?? new Date();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-bench-scan-'));
  const base = opts.databaseFile ?? path.join(dir, 'seeded.db');
  if (opts.databaseFile && !fs.existsSync(opts.databaseFile)) throw new BenchFailure(`--database ${opts.databaseFile} does not exist`);
  const prefix = `bench-scan-${randomUUID().slice(0, 8)}`;
  const connection = new Redis(opts.redisUrl ?? DEFAULT_REDIS_URL, { maxRetriesPerRequest: null });
  const warm = new Queue('reminders', { connection, prefix: `${prefix}-warm` });
  try {
    const source = opts.databaseFile ? `copies of ${opts.databaseFile}` : `${orders} seeded orders`;
    const which = opts.firstScan ? 'the first scan after loading (no horizon)' : 'a steady-state day';
    const spread = opts.spreadDays ? `, expiries spread over ${opts.spreadDays} days` : '';
    print(`scan bench: ${source}${spread}, ${which}, ${roundCount} round(s), now ${now.toISOString()}, Redis prefix ${prefix}, SQLite files in ${dir}`);
    const seedSeconds = opts.databaseFile ? null : await seedInChild(`file:${base}`, orders, now, opts.spreadDays);
    if (seedSeconds !== null) print(`  seed:      ${seedSeconds.toFixed(1)} s (child process)`);
    const warmSeconds = await timeRawAddBulk(warm, Array.from({ length: WARMUP_JOBS }, (_, i) => now.getTime() + (i * DAY_MS) / WARMUP_JOBS), now);
    print(`  warm-up:   raw addBulk of ${WARMUP_JOBS} jobs into a scratch queue, ${warmSeconds.toFixed(2)} s (not counted)`);
    const baselineRssMb = process.memoryUsage().rss / 1024 / 1024;
    const rounds: BenchScanRound[] = [];
    let peakAnonRssMb = 0;
    const stores = storesOf(opts.store);
    for (let r = 1; r <= roundCount; r++) {
      for (const store of stores) {
        const { round, peakAnonMb } = await runRound(base, dir, connection, `${prefix}-round${r}`, now, print, store, opts);
        rounds.push(round);
        peakAnonRssMb = Math.max(peakAnonRssMb, peakAnonMb);
      }
    }
    const byStore: BenchScanResult['byStore'] = {};
    for (const store of stores) {
      const mine = rounds.filter((r) => r.store === store);
      const copies = mine.flatMap((r) => (r.copySeconds === undefined ? [] : [r.copySeconds]));
      byStore[store] = {
        enqueued: mine[0]!.remindersEnqueued, scanSeconds: median(mine.map((r) => r.scanSeconds)),
        rawAddBulkSeconds: median(mine.map((r) => r.rawAddBulkSeconds)), ratio: median(mine.map((r) => r.ratio)),
        copySeconds: copies.length ? median(copies) : undefined,
      };
    }
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const result: BenchScanResult = {
      orders, seedSeconds, rounds, peakRssMb, peakAnonRssMb, byStore,
      scanSeconds: median(rounds.map((r) => r.scanSeconds)),
      rawAddBulkSeconds: median(rounds.map((r) => r.rawAddBulkSeconds)),
      ratio: median(rounds.map((r) => r.ratio)),
    };
    const enqueued = rounds[0]!.remindersEnqueued;
    print(`  scan:      ${enqueued} reminders enqueued in ${result.scanSeconds.toFixed(2)} s, median (${rate(enqueued, result.scanSeconds)}/s; target ≤ 10 s)`);
    print(`  peak RSS:  ${peakRssMb.toFixed(0)} MB incl. the memory-mapped database file; ${peakAnonRssMb.toFixed(0)} MB without it (target ≤ 300; ${baselineRssMb.toFixed(0)} MB before the scans)`);
    print(`  raw addBulk of ${enqueued} jobs: ${result.rawAddBulkSeconds.toFixed(2)} s, median (${rate(enqueued, result.rawAddBulkSeconds)}/s)`);
    print(`  ratio:     scan enqueue rate = ${(result.ratio * 100).toFixed(0)} % of raw addBulk, median of ${rounds.length} (rounds ${rounds.map((r) => (r.ratio * 100).toFixed(0)).join(', ')} %; target ≥ 70 %)`);
    if (stores.length > 1 || stores[0] !== 'sqlite') {
      print(`  per store (medians of ${roundCount}):  ${stores.map((s) => s.padStart(12)).join('')}`);
      const row = (label: string, f: (v: NonNullable<BenchScanResult['byStore'][StoreKind]>) => string) => print(`    ${label.padEnd(30)}${stores.map((s) => f(byStore[s]!).padStart(12)).join('')}`);
      row('reminders enqueued', (v) => String(v.enqueued));
      row('scan s', (v) => v.scanSeconds.toFixed(2));
      row('raw addBulk s', (v) => v.rawAddBulkSeconds.toFixed(2));
      row('ratio % (target ≥ 70)', (v) => (v.ratio * 100).toFixed(0));
      row('copy into PostgreSQL s', (v) => (v.copySeconds === undefined ? '-' : v.copySeconds.toFixed(1)));
    }
    return result;
  } finally {
    await obliterate([warm]);
    await warm.close();
    connection.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Child-process half: seed and exit. */
async function seedChild(url: string, orders: number, now: Date, spreadDays: number | undefined): Promise<void> {
  await seedDatabase(url, { orders, now, spreadDays });
}

if (require.main === module) {
  const [flag, ...rest] = process.argv.slice(2);
  if (flag === SEED_CHILD_FLAG) {
    const [url, orders, now, spread] = rest as [string, string, string, string];
    seedChild(url, Number(orders), new Date(now), spread ? Number(spread) : undefined).then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  } else {
    benchScan({ orders: flag ? Number(flag) : undefined }).catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  }
}
