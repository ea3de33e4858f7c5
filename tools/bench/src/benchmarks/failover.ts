/**
 * Failover benchmark: how long sending stops when Redis loses its master. A private topology is
 * started (`--redis sentinel`: master, replica, three sentinels; `--redis cluster`: three masters
 * with a replica each; `both`: one after the other), a mailer role sends N emails through the real
 * send path (SQLite ledger, templates, SES v2 SDK) to a local SES stub, and once a fifth of them are
 * out the master serving the send queue is SIGKILLed. Printed per topology: when a replica was
 * promoted (the sentinels or the cluster named it) and when sends resumed (the first send after the
 * pause), both from the SIGKILL, plus whether every email went out exactly once.
 *
 * Run: `pnpm bench failover [--redis sentinel|cluster|both] [--emails N]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openStore } from '@tickler/db';
import { closeQueues, enqueueBulk, makeQueues, makeRedisConnection } from '@tickler/queues';
import { loadTemplates, makeSesTransport, startMailerRole, type MailTransport } from '@tickler/mailer';
import { firstSendAfterGap, killMasterOf, requireRedisBinaries, startCluster, startSentinel, stopAll } from '@tickler/testkit';
import { BenchFailure } from '../failure';
import { DEFAULT_TEMPLATES_DIR } from '../config';
import { seedDeliveries } from './send';
import { MAILER_CONFIG } from './send-mailer';
import { startSesStub } from './ses-stub';

export type FailoverTopology = 'sentinel' | 'cluster';

export interface FailoverRun {
  topology: FailoverTopology;
  emails: number;
  /** ms from SIGKILL until the sentinels / the cluster named a new master. */
  promotedMs: number;
  /** ms from SIGKILL until the first send after the pause (null: sending never paused). */
  resumedMs: number | null;
  /** SES requests beyond one per email (0: exactly once). */
  extraRequests: number;
}

interface Topology { url: string; kill(prefix: string): Promise<{ killedAt: number; promotedAt: number }> }

async function startTopology(kind: FailoverTopology): Promise<Topology> {
  if (kind === 'cluster') {
    const cluster = await startCluster();
    return { url: cluster.url, kill: (prefix) => killMasterOf(cluster, `${prefix}:{send}:send:meta`) };
  }
  const sentinel = await startSentinel();
  return {
    url: sentinel.url,
    async kill() {
      const killedAt = Date.now();
      await sentinel.master.kill('SIGKILL');
      while ((await sentinel.currentMasterPort()) !== sentinel.replica.port) {
        if (Date.now() - killedAt > 60_000) throw new BenchFailure('failover bench: the sentinels promoted no replica within 60 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      return { killedAt, promotedAt: Date.now() };
    },
  };
}

/** One topology: N emails, the master killed after a fifth of them. */
async function failoverOnce(kind: FailoverTopology, n: number, templatesDir: string): Promise<FailoverRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-bench-failover-'));
  const stub = await startSesStub();
  const topology = await startTopology(kind);
  const store = await openStore({ url: `file:${path.join(dir, 'bench.db')}` });
  const connection = makeRedisConnection(topology.url, { connectionName: 'tickler-bench:failover' });
  connection.on('error', () => undefined);
  const prefix = `bench-failover-${kind}`;
  const ses = makeSesTransport({ region: 'eu-west-1', endpoint: stub.endpoint });
  const sent: Array<{ at: number }> = [];
  const transport: MailTransport = {
    async send(message) {
      const result = await ses.send(message);
      sent.push({ at: Date.now() });
      return result;
    },
  };
  const mailer = startMailerRole({
    connection, prefix, store, templates: await loadTemplates(templatesDir), transport, config: MAILER_CONFIG,
    logger: pino({ level: 'silent' }), concurrency: 32, maxSendRate: 1_000_000,
  });
  const queues = makeQueues(connection, prefix);
  try {
    const ids = await seedDeliveries(store, n);
    for (let from = 0; from < ids.length; from += 1_000) {
      await enqueueBulk(queues, 'send', ids.slice(from, from + 1_000).map((deliveryId) => ({ data: { deliveryId } })));
    }
    await until(() => sent.length >= n / 5, 'a fifth of the emails', 120_000);
    const { killedAt, promotedAt } = await topology.kill(prefix);
    await until(async () => (await store.deliveries.countByStatusAndReason()).some((c) => c.status === 'sent' && c.count === n), 'every email to be sent', 180_000);
    const resumedAt = firstSendAfterGap(sent, killedAt);
    return { topology: kind, emails: n, promotedMs: promotedAt - killedAt, resumedMs: resumedAt === null ? null : resumedAt - killedAt, extraRequests: (await stub.requests()) - n };
  } finally {
    await mailer.close();
    await closeQueues(queues);
    connection.disconnect();
    await ses.close?.();
    await store.close();
    await stub.close();
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new BenchFailure(`failover bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs each topology in turn and prints its figures; see the file header. */
export async function benchFailover(opts: { topologies: FailoverTopology[]; emails?: number; templatesDir?: string; print?: (line: string) => void }): Promise<FailoverRun[]> {
  requireRedisBinaries();
  const n = opts.emails ?? 5_000;
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  print(`failover bench: ${n} emails per topology, the send queue's master SIGKILLed after ${Math.ceil(n / 5)}; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
  const runs: FailoverRun[] = [];
  for (const kind of opts.topologies) {
    const run = await failoverOnce(kind, n, opts.templatesDir ?? DEFAULT_TEMPLATES_DIR);
    runs.push(run);
    print(`  ${kind.padEnd(9)} replica promoted ${run.promotedMs} ms after SIGKILL; sends resumed ${run.resumedMs === null ? 'without a pause' : `${run.resumedMs} ms`} after it; `
      + `${run.extraRequests === 0 ? 'every email sent once' : `${run.extraRequests} SES requests beyond one per email`}`);
  }
  return runs;
}
