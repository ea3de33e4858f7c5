/**
 * Billing-webhook benchmark. Three processes, like a deployment: this one drives signed
 * `POST /webhooks/billing` requests with autocannon at a fixed offered rate; a child runs the HTTP
 * edge on loopback; another child runs the scheduler's order-event processor in a BullMQ worker.
 * SQLite is a temp file, Redis the real one under a unique prefix (obliterated afterwards).
 * About 1 % of requests repeat an earlier event id on purpose (must answer 200 duplicate).
 *
 * Reports accepted events/s, request latency p50/p99 (autocannon, corrected for coordinated
 * omission), the lag from acceptance to applied (inbound_events receivedAt → appliedAt) p50/p99,
 * and checks that every accepted event was applied exactly once (nothing lost, nothing doubled).
 * `--store postgres` runs on a fresh PostgreSQL database (see stores.ts); `--edges N --workers M`
 * (separate topology) starts N edge and M worker processes, the load split evenly over the edges
 * (one autocannon per edge; the latency reported is the worst edge's percentile).
 * Targets: ≥ 2,000 events/s, p99 ≤ 50 ms, lag p99 ≤ 1 s.
 * Run: `pnpm bench events [--duration S] [--rate N] [--connections N] [--topology T] [--store S] [--edges N] [--workers M]` or
 * `npx tsx --conditions=development tools/bench/src/benchmarks/events.ts [seconds] [rate] [separate|together|deferred] [worker concurrency]`.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDatabase, openStore } from '@tickler/db';
import { closeQueues, makeQueues } from '@tickler/queues';
import { createBillingSignatureHeader } from '@tickler/domain';
import { DEFAULT_REDIS_URL } from '../config';
import { createPgDatabase, type StoreKind } from './stores';
import { redisConnection, startChild, stopChild, usageOf, type ChildUsage } from './events-processes';
import { backendCpuBetween, serverCpu } from './server-cpu';
import { describeWork, sampleLockWaits, type WorkFigures } from './work-counters';

export interface BenchEventsOptions {
  /** How long to drive load, seconds (default 10). */
  durationSeconds?: number;
  /**
   * Load driven first and left out of the figures (still checked for integrity), seconds (default 3
   * per edge or worker process, whichever are more: V8 compiles hot code per process, after a number
   * of calls, so N processes sharing the load need N times as long to be as warm as one).
   */
  warmupSeconds?: number;
  /** Offered events per second (default 2,500). */
  rate?: number;
  /** Concurrent HTTP connections (default 50). */
  connections?: number;
  redisUrl?: string;
  /** Order-event worker concurrency (default 64, the role's). */
  workerConcurrency?: number;
  /**
   * `separate` (default): HTTP edge and order-event worker in two processes, like a deployment.
   * `together`: both in one process (like `tickler start`).
   * `deferred`: the worker starts only after the load, so the edge has the CPU to itself (its own
   * acceptance capacity); lag then measures the backlog, not steady state.
   */
  topology?: 'separate' | 'together' | 'deferred';
  print?: (line: string) => void;
  store?: StoreKind;
  pgUrl?: string;
  /** Edge processes (separate topology; default 1). */
  edges?: number;
  /** Order-event worker processes (separate topology; default 1). */
  workers?: number;
}

export interface BenchEventsResult {
  requests: number;
  accepted: number;
  duplicatesAnswered: number;
  errors: number;
  acceptedPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  lagP50Ms: number;
  lagP99Ms: number;
  applied: number;
  lost: number;
  doubled: number;
  /** Events recorded whose 202 was still in flight when the load stopped (also checked: applied). */
  inFlightAtStop: number;
  /** Seconds from the end of the load until no event was pending. */
  drainSeconds: number;
  /** The warm-up's events (in `lost` and `doubled` too). */
  warmup?: { accepted: number; applied: number; lost: number; doubled: number };
  /** CPU (user + system) per applied event, µs, per process. */
  cpuMicrosPerEvent: Record<string, number>;
  /** Minor page faults and involuntary context switches per applied event, per process. */
  pageFaultsPerEvent: Record<string, number>;
  involuntarySwitchesPerEvent: Record<string, number>;
  /** Statements and Redis commands per event, the servers' CPU per event, and the lock-wait samples. */
  work: WorkFigures;
}

/** autocannon ships no types; this is the slice used here. */
type Autocannon = (opts: Record<string, unknown>) => Promise<{
  duration: number; errors: number; timeouts: number; non2xx: number;
  latency: { p50: number; p99: number }; statusCodeStats: Record<string, { count: number }>;
}>;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * One signed `order.upserted` for a new order; every 100th request repeats the previous one (same
 * id, same body, as a sender's retry does: a repeated id with another body is a 409 conflict).
 */
function makeRequests(secret: string, run: string) {
  let n = 0;
  const accepted = new Map<string, string>(); // event id → order id
  let duplicatesAnswered = 0;
  let acceptedTwice = 0;
  let unexpected = 0;
  let previous = '';
  const request = {
    method: 'POST', path: '/webhooks/billing',
    setupRequest: (req: Record<string, unknown>) => {
      n += 1;
      const seq = n;
      const org = seq % 200;
      const body = n % 100 === 0 && previous !== '' ? previous : JSON.stringify({
        id: `evt-${run}-${seq}`, type: 'order.upserted', occurredAt: new Date().toISOString(),
        data: {
          orderId: `B-${run}-${seq}`, organization: { id: `bench-org-${org}`, name: `Bench Org ${org}`, timeZone: ['UTC', 'Europe/Berlin', 'America/New_York'][org % 3] },
          product: 'Barcode Reader SDK', licenseExpiresOn: `2028-0${1 + (seq % 9)}-15`, maintenanceExpiresOn: `2028-0${1 + (seq % 9)}-15`,
          purchaserEmail: `buyer${org}@bench-corp.com`, purchaserName: null,
        },
      });
      previous = body;
      const headers = { 'content-type': 'application/json', 'tickler-signature': createBillingSignatureHeader(secret, Math.floor(Date.now() / 1000), body) };
      return { ...req, headers, body };
    },
    // autocannon prepares a connection's next request before the answer arrives, so the event id is
    // read from the answer itself rather than from the per-connection context.
    onResponse: (status: number, body: string) => {
      const eventId = status === 202 || status === 200 ? (JSON.parse(body) as { eventId: string }).eventId : '';
      if (status === 202) {
        if (accepted.has(eventId)) acceptedTwice += 1;
        accepted.set(eventId, eventId.replace(/^evt-/, 'B-'));
      } else if (status === 200) duplicatesAnswered += 1;
      else unexpected += 1;
    },
  };
  return { request, accepted, counts: () => ({ duplicatesAnswered, acceptedTwice, unexpected, sent: n }) };
}

async function waitUntilApplied(databaseUrl: string, timeoutMs: number): Promise<void> {
  const store = await openStore({ url: databaseUrl, migrate: false });
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const counts = await store.inboundEvents.countBySourceAndStatus();
      if (!counts.some((c) => c.source === 'billing' && c.status === 'pending')) return;
      if (Date.now() > until) throw new Error('events still pending after the timeout');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await store.close();
  }
}

/**
 * Reads back every event the load generator sent (it knows their order ids): each observed 202 must
 * have exactly one applied row; a row whose answer was still in flight when the load stopped must be
 * applied too. Returns lags (ms, sorted) and what was lost or doubled.
 */
async function verify(databaseUrl: string, run: string, sent: number, observed: ReadonlyMap<string, string>) {
  const store = await openStore({ url: databaseUrl, migrate: false });
  try {
    const lags: number[] = [];
    let lost = 0;
    let doubled = 0;
    let unobserved = 0;
    for (let seq = 1; seq <= sent; seq += 1) {
      const rows = (await store.inboundEvents.listByOrder(`B-${run}-${seq}`)).filter((r) => r.source === 'billing');
      doubled += Math.max(0, rows.length - 1);
      const row = rows[0];
      const seen = observed.has(`evt-${run}-${seq}`);
      if (row && !seen) unobserved += 1;
      if (!row || row.status !== 'applied' || !row.appliedAt || !(await store.directory.getOrder(`B-${run}-${seq}`))) {
        if (seen || row) lost += 1;
        continue;
      }
      lags.push(row.appliedAt.getTime() - row.receivedAt.getTime());
    }
    return { lags: lags.sort((x, y) => x - y), applied: lags.length, lost, doubled, unobserved };
  } finally {
    await store.close();
  }
}

type LoadResult = Awaited<ReturnType<Autocannon>>;
type Checked = Awaited<ReturnType<typeof verify>>;

function summarize(
  result: LoadResult, counts: { duplicatesAnswered: number; acceptedTwice: number; unexpected: number }, accepted: number, checked: Checked,
  extra: Pick<BenchEventsResult, 'drainSeconds' | 'cpuMicrosPerEvent' | 'pageFaultsPerEvent' | 'involuntarySwitchesPerEvent' | 'work'>,
): BenchEventsResult {
  return {
    requests: Object.values(result.statusCodeStats).reduce((sum, s) => sum + Number(s.count), 0),
    accepted, duplicatesAnswered: counts.duplicatesAnswered, errors: counts.unexpected + result.errors + result.timeouts,
    acceptedPerSecond: Math.round(accepted / result.duration), latencyP50Ms: result.latency.p50, latencyP99Ms: result.latency.p99,
    lagP50Ms: percentile(checked.lags, 50), lagP99Ms: percentile(checked.lags, 99), applied: checked.applied, lost: checked.lost,
    doubled: checked.doubled + counts.acceptedTwice, inFlightAtStop: checked.unobserved, ...extra,
  };
}

function printFigures(print: (line: string) => void, f: BenchEventsResult): void {
  print(`  requests:  ${f.requests} (${f.accepted} accepted 202, ${f.duplicatesAnswered} repeated ids answered 200 duplicate, ${f.errors} errors)`);
  print(`  accepted:  ${f.acceptedPerSecond} events/s (target ≥ 2000)`);
  print(`  latency:   p50 ${f.latencyP50Ms} ms, p99 ${f.latencyP99Ms} ms (target p99 ≤ 50 ms)`);
  print(`  lag:       accepted → applied p50 ${f.lagP50Ms} ms, p99 ${f.lagP99Ms} ms (target p99 ≤ 1000 ms); drained ${f.drainSeconds.toFixed(1)} s after load`);
  const cpu = Object.entries(f.cpuMicrosPerEvent).map(([name, us]) => `${name} ${us} µs/event`).join(', ');
  const faults = Object.entries(f.pageFaultsPerEvent).map(([name, n]) => `${name} ${n.toFixed(1)}`).join(', ');
  const switches = Object.entries(f.involuntarySwitchesPerEvent).map(([name, n]) => `${name} ${n.toFixed(2)}`).join(', ');
  print(`  CPU:       ${cpu} (load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} CPUs)`);
  print(`  per event: page faults ${faults}; involuntary context switches ${switches}`);
  print(`  work:      ${describeWork('event', f.work)}`);
  const warm = f.warmup ? `, warm-up ${f.warmup.applied} applied of ${f.warmup.accepted} accepted` : '';
  print(`  integrity: ${f.applied} applied = ${f.accepted} accepted + ${f.inFlightAtStop} in flight at stop${warm}; lost ${f.lost}, doubled ${f.doubled} (target 0 and 0)`);
}

/** Runs the benchmark and prints the figures; see the file header. */
export async function benchEvents(opts: BenchEventsOptions = {}): Promise<BenchEventsResult> {
  const durationSeconds = opts.durationSeconds ?? 10;
  const rate = opts.rate ?? 2500;
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const redisUrl = opts.redisUrl ?? DEFAULT_REDIS_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-bench-events-'));
  const run = randomUUID().slice(0, 8);
  const pg = opts.store === 'postgres' ? createPgDatabase(opts.pgUrl, 'events') : undefined;
  const edges = opts.topology === 'separate' || !opts.topology ? opts.edges ?? 1 : 1;
  const workers = opts.topology === 'separate' || !opts.topology ? opts.workers ?? 1 : 1;
  const warmupSeconds = opts.warmupSeconds ?? 3 * Math.max(edges, workers);
  const setup = {
    databaseUrl: pg?.url ?? `file:${path.join(dir, 'bench.db')}`, redisUrl, prefix: `bench-events-${run}`, secret: randomBytes(24).toString('hex'),
    workerConcurrency: opts.workerConcurrency ?? 64,
  };
  await migrateDatabase(setup.databaseUrl);
  const children: ChildProcess[] = [];
  let locks: ReturnType<typeof sampleLockWaits> | undefined;
  try {
    const ports: number[] = [];
    for (let i = 0; i < edges; i += 1) {
      const http = await startChild({ ...setup, role: opts.topology === 'together' ? 'both' : 'http' });
      children.push(http.child);
      ports.push(http.port!);
    }
    if (opts.topology !== 'together' && opts.topology !== 'deferred') {
      for (let i = 0; i < workers; i += 1) children.push((await startChild({ ...setup, role: 'worker' })).child);
    }
    const shape = { together: 'edge + worker in one process', deferred: 'worker started after the load', separate: `${edges} edge and ${workers} worker process(es)` }[opts.topology ?? 'separate'];
    print(`events bench: ${opts.store ?? 'sqlite'}, ${durationSeconds} s (after ${warmupSeconds} s warm-up) at ${rate} events/s offered, ${opts.connections ?? 50} connections, ${shape}, Redis prefix ${setup.prefix}`);
    const drive = async (load: ReturnType<typeof makeRequests>, duration: number): Promise<LoadResult> => {
      const results = await Promise.all(ports.map((port) => autocannon({
        url: `http://127.0.0.1:${port}`, connections: Math.max(1, Math.round((opts.connections ?? 50) / ports.length)), duration, overallRate: rate / ports.length, requests: [load.request],
      })));
      if (results.length === 1) return results[0]!;
      const statusCodeStats: LoadResult['statusCodeStats'] = {};
      for (const r of results) for (const [code, st] of Object.entries(r.statusCodeStats)) statusCodeStats[code] = { count: (statusCodeStats[code]?.count ?? 0) + Number(st.count) };
      return {
        duration: Math.max(...results.map((r) => r.duration)), errors: results.reduce((x, r) => x + r.errors, 0), timeouts: results.reduce((x, r) => x + r.timeouts, 0),
        non2xx: results.reduce((x, r) => x + r.non2xx, 0), statusCodeStats,
        latency: { p50: Math.max(...results.map((r) => r.latency.p50)), p99: Math.max(...results.map((r) => r.latency.p99)) },
      };
    };
    // Warm-up (JIT, lazily loaded code, Redis scripts, SQLite page cache): driven and checked for
    // integrity like the rest, but not part of the reported figures.
    const warmup = makeRequests(setup.secret, `${run}w`);
    if (warmupSeconds > 0) await drive(warmup, warmupSeconds);
    const cpuBefore = await Promise.all(children.map(usageOf));
    const serversBefore = await serverCpu(setup.databaseUrl, redisUrl);
    const load = makeRequests(setup.secret, run);
    locks = sampleLockWaits(setup.databaseUrl);
    const result = await drive(load, durationSeconds);
    if (opts.topology === 'deferred') children.push((await startChild({ ...setup, role: 'worker' })).child);
    const drainStarted = performance.now();
    await waitUntilApplied(setup.databaseUrl, 120_000);
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const lockWaits = await locks.stop();
    const cpuAfter = (await Promise.all(children.map(usageOf))).slice(0, cpuBefore.length);
    const serversAfter = await serverCpu(setup.databaseUrl, redisUrl);
    const counts = load.counts();
    const checked = await verify(setup.databaseUrl, run, counts.sent, load.accepted);
    const warmupChecked = await verify(setup.databaseUrl, `${run}w`, warmup.counts().sent, warmup.accepted);
    const names = opts.topology === 'together' ? ['edge+worker']
      : [...ports.map((_, i) => (edges > 1 ? `edge${i + 1}` : 'edge')), ...Array.from({ length: workers }, (_, i) => (workers > 1 ? `worker${i + 1}` : 'worker'))];
    const perEvent = (ms: number) => Math.round((ms * 1000) / Math.max(1, checked.applied));
    const cpuMicrosPerEvent = Object.fromEntries(cpuAfter.map((after, i) => [names[i] ?? `child${i}`, perEvent(after.cpuMs - (cpuBefore[i]?.cpuMs ?? 0))]));
    const perEventOf = (pick: (u: ChildUsage) => number) =>
      Object.fromEntries(cpuAfter.map((after, i) => [names[i] ?? `child${i}`, (pick(after) - pick(cpuBefore[i] ?? after)) / Math.max(1, checked.applied)]));
    const postgresMs = backendCpuBetween(serversBefore.postgres, serversAfter.postgres);
    if (postgresMs !== null) cpuMicrosPerEvent.postgres = perEvent(postgresMs);
    cpuMicrosPerEvent.redis = perEvent(serversAfter.redis - serversBefore.redis);
    const applied = Math.max(1, checked.applied);
    const statements = cpuAfter.reduce((sum, after, i) => sum + after.pgStatements - (cpuBefore[i]?.pgStatements ?? 0), 0);
    const work: WorkFigures = {
      pgStatements: opts.store === 'postgres' ? statements / applied : null, postgresMicros: postgresMs === null ? null : (postgresMs * 1000) / applied,
      redisCommands: (serversAfter.redisCommands - serversBefore.redisCommands) / applied, redisMicros: ((serversAfter.redis - serversBefore.redis) * 1000) / applied, lockWaits,
    };
    const figures = summarize(result, counts, load.accepted.size, checked, {
      drainSeconds, cpuMicrosPerEvent, pageFaultsPerEvent: perEventOf((u) => u.pageFaults), involuntarySwitchesPerEvent: perEventOf((u) => u.involuntarySwitches), work,
    });
    figures.warmup = { accepted: warmup.accepted.size, applied: warmupChecked.applied, lost: warmupChecked.lost, doubled: warmupChecked.doubled + warmup.counts().acceptedTwice };
    figures.lost += figures.warmup.lost;
    figures.doubled += figures.warmup.doubled;
    printFigures(print, figures);
    return figures;
  } finally {
    await locks?.stop();
    await Promise.all(children.map(stopChild));
    const connection = redisConnection(redisUrl);
    const queues = makeQueues(connection, setup.prefix);
    await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
    await closeQueues(queues);
    connection.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
    pg?.drop();
  }
}

if (require.main === module) {
  const [first, second, topologyArg, concurrencyArg] = process.argv.slice(2);
  const topology = topologyArg === 'together' || topologyArg === 'deferred' ? topologyArg : 'separate';
  benchEvents({ durationSeconds: first ? Number(first) : undefined, rate: second ? Number(second) : undefined, topology, workerConcurrency: concurrencyArg ? Number(concurrencyArg) : undefined }).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
