/**
 * The events benchmark's other processes: the HTTP edge and the order-event worker (or both in
 * one), each forked from this file, started and stopped by the parent over IPC, which also asks
 * them for their CPU time, page faults and context switches. See events.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { openStore } from '@tickler/db';
import { closeQueues, makeCatalogWorker, makeQueues, makeRedisConnection, type RedisConnection } from '@tickler/queues';
import { makeHttpServer, makeMemoryRateLimiter } from '@tickler/http';
import { makeOrderEventProcessor, makeSchedulerConfig } from '@tickler/scheduler';
import { countPgRoundTrips } from './work-counters';

/** What a child needs to run its half; passed as JSON on its command line. */
export interface ChildSetup { role: 'http' | 'worker' | 'both'; databaseUrl: string; redisUrl: string; prefix: string; secret: string; workerConcurrency: number }
const CHILD_FLAG = '--bench-events-child';

/** A connection for REDIS_URL (any form) through the one factory; each process opens its own, and closes it. */
export function redisConnection(url: string): RedisConnection {
  return makeRedisConnection(url);
}

/** Child half: the HTTP edge or the order-event worker, until the parent says stop. */
async function runChild(setup: ChildSetup): Promise<void> {
  const pgStatements = countPgRoundTrips();
  const store = await openStore({ url: setup.databaseUrl, migrate: false });
  const connection = redisConnection(setup.redisUrl);
  const queues = makeQueues(connection, setup.prefix);
  const logger = pino({ level: 'warn' });
  const stops: Array<() => Promise<void>> = [];
  if (setup.role !== 'http') {
    const processor = makeOrderEventProcessor({ store, queues, logger, now: () => new Date(), config: makeSchedulerConfig() });
    const worker = makeCatalogWorker('order-event', processor, {
      connection, prefix: setup.prefix, concurrency: setup.workerConcurrency, logger,
    });
    await worker.waitUntilReady();
    stops.push(() => worker.close());
  }
  let port: number | undefined;
  if (setup.role !== 'worker') {
    const app = makeHttpServer({
      store, queues, logger, now: () => new Date(), fetchText: async () => { throw new Error('no fetching in the bench'); }, rateLimiter: makeMemoryRateLimiter(),
      config: {
        publicBaseUrl: 'https://bench.invalid', tokenSecrets: [randomBytes(16).toString('hex')], adminToken: randomUUID(), portalApiKey: randomUUID(),
        billingWebhookSecret: setup.secret, snsTopicArns: [], snsCertCacheDir: os.tmpdir(), newsletterTopics: [], emailDomainAllowlist: [],
        supportEmail: 'support@bench.invalid', bodyLimitBytes: 64 * 1024,
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    stops.unshift(() => app.close());
  }
  process.send?.({ port });
  const stop = async () => {
    for (const s of stops) await s();
  };
  process.on('message', (message) => {
    if (message === 'cpu') {
      const u = process.resourceUsage();
      const usage: ChildUsage = {
        cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, pageFaults: u.minorPageFault, involuntarySwitches: u.involuntaryContextSwitches, pgStatements: pgStatements(),
      };
      process.send?.(usage);
      return;
    }
    void stop().then(() => closeQueues(queues)).then(() => connection.quit()).then(() => store.close()).then(() => process.exit(0));
  });
}

export function startChild(setup: ChildSetup): Promise<{ child: ChildProcess; port?: number }> {
  const child = fork(__filename, [CHILD_FLAG, JSON.stringify(setup)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port?: number }) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${setup.role} child exited early (code ${code})`)));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.send('stop');
  });
}

/** What a child has used so far: CPU time (user + system, ms), minor page faults, involuntary context switches, PostgreSQL statements sent. */
export interface ChildUsage { cpuMs: number; pageFaults: number; involuntarySwitches: number; pgStatements: number }

export function usageOf(child: ChildProcess): Promise<ChildUsage> {
  return new Promise((resolve) => {
    child.once('message', (m: ChildUsage) => resolve(m));
    child.send('cpu');
  });
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  runChild(JSON.parse(process.argv[3] ?? '{}') as ChildSetup).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
