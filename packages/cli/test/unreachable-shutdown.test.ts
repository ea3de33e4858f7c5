/**
 * A graceful stop that ends. With Redis and PostgreSQL unreachable — the test owns both servers and
 * freezes them (SIGSTOP: connections stay open, nothing answers, as when their host drops off the
 * network) — a scrape of /metrics still answers within its bound, saying both are down, and
 * `tickler scheduler`, `mailer` and `http` each exit 0 on SIGTERM within SHUTDOWN_TIMEOUT plus the
 * connections' deadlines, instead of waiting for a QUIT or a pool's end that no server will answer.
 * A send still in flight at SHUTDOWN_TIMEOUT is let go: its delivery stays unsent and its job runs
 * again (after its lock expires, as for a killed mailer, which system.test.ts shows recovered).
 */
import net from 'node:net';
import { openStore } from '@tickler/db';
import { closeQueues, makeQueues } from '@tickler/queues';
import { requireRedisBinaries, startSingle, stopAll } from '@tickler/testkit';
import { CONNECTION_CLOSE_MS } from '../src/runtime/bounded-close';
import { freePort } from '../src/start/free-port';
import { runCli, startCli, waitUntil } from './helpers/cli';
import { loadDueOrders, useCliSuite } from './helpers/services';
import { startPostgresServer, type PostgresServer } from './hosts/postgres-server';

jest.setTimeout(180_000);

const suite = useCliSuite('unreachable');
let postgres: PostgresServer;

beforeAll(async () => {
  postgres = startPostgresServer({ host: '127.0.0.1', port: await freePort(0) });
  postgres.createDatabase('tickler');
});
afterAll(async () => {
  postgres?.destroy();
  await stopAll();
});

const SHUTDOWN_TIMEOUT_MS = 3000;

it('exits 0 on SIGTERM in every role while Redis and PostgreSQL do not answer', async () => {
  requireRedisBinaries();
  const redis = await startSingle();
  const port = await freePort(0);
  const env = suite.env({
    DATABASE_URL: postgres.url('tickler'), REDIS_URL: redis.url, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
  });
  expect((await runCli(['db', 'migrate'], env)).code).toBe(0);
  const roles = { scheduler: startCli(['scheduler'], env), mailer: startCli(['mailer'], env), http: startCli(['http'], env) };
  await Promise.all([roles.scheduler.waitFor(/scheduler role started/), roles.mailer.waitFor(/mailer role started/), roles.http.waitFor(/http edge listening/)]);
  const metrics = async () => {
    const started = Date.now();
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(20_000) })).text();
    return { ms: Date.now() - started, up: /^tickler_redis_up (\d)$/m.exec(text)?.[1], database: /^tickler_database_up (\d)$/m.exec(text)?.[1] };
  };
  expect(await metrics()).toMatchObject({ up: '1', database: '1' });

  redis.node.child.kill('SIGSTOP');
  postgres.freeze();
  try {
    const frozen = await metrics();
    expect(frozen).toMatchObject({ up: '0', database: '0' });
    expect(frozen.ms).toBeLessThan(5000);

    // The role's own stop (its in-flight work), then Redis, the queues and the database, each bounded.
    const bound = SHUTDOWN_TIMEOUT_MS + 3 * CONNECTION_CLOSE_MS + 5000;
    const stopping = Date.now();
    for (const role of Object.values(roles)) role.child.kill('SIGTERM');
    const exits = await Promise.all(Object.entries(roles).map(async ([name, role]) => {
      const exit = await Promise.race([role.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), bound + 10_000))]);
      return { name, exit, ms: Date.now() - stopping, output: exit?.code === 0 ? '' : role.output().slice(-1500) };
    }));
    process.stdout.write(`stopped with Redis and PostgreSQL frozen: ${exits.map((e) => `${e.name} ${e.ms} ms`).join(', ')}\n`);
    for (const { name, exit, ms, output } of exits) {
      expect({ name, exit, output }).toEqual({ name, exit: { code: 0, signal: null }, output: '' });
      expect(ms).toBeLessThan(bound);
    }
  } finally {
    redis.node.child.kill('SIGCONT');
    postgres.thaw();
  }
});

/** An SES endpoint that takes connections and never answers (the SDK's own timeout is 15 s). */
async function startSilentSes(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => { requests += 1; });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

it('lets a send still in flight at SHUTDOWN_TIMEOUT go: exit 0, the delivery still to be sent and its job still to run', async () => {
  const ses = await startSilentSes();
  const env = suite.env({ DATABASE_URL: `file:${suite.dir}/in-flight.db`, SES_ENDPOINT: ses.url, SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`, REMINDER_DIGEST: 'off', REMINDER_OFFSETS_LICENSE: '0' });
  const queues = makeQueues({ host: '127.0.0.1', port: 6379 }, env.QUEUE_PREFIX);
  try {
    expect((await runCli(['db', 'migrate'], env)).code).toBe(0);
    await loadDueOrders(env.DATABASE_URL, ['ann@in-flight.example']);
    const scheduler = startCli(['scheduler'], env);
    const mailer = startCli(['mailer'], env);
    await waitUntil(() => ses.requests() > 0, 60_000, () => `for the mailer to call SES:\n${mailer.output().slice(-2000)}`);

    const stopping = Date.now();
    mailer.child.kill('SIGTERM');
    expect(await mailer.exited).toEqual({ code: 0, signal: null });
    // Well before the SDK's 15 s request timeout would have ended the send.
    expect(Date.now() - stopping).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 5000);
    scheduler.child.kill('SIGTERM');
    expect((await scheduler.exited).code).toBe(0);

    // Whichever way the cut send ended — still `sending` and its job active (as a SIGKILL leaves it), or
    // failed as transient when the transport closed under it (back to `queued`, its job delayed for a
    // retry) — the email is still to be sent and its job will run again: nothing sent, failed or dropped.
    const store = await openStore({ url: env.DATABASE_URL });
    try {
      const rows = await store.deliveries.countByStatusAndReason();
      expect(rows).toEqual([expect.objectContaining({ count: 1 })]);
      expect(['queued', 'sending']).toContain(rows[0]!.status);
    } finally {
      await store.close();
    }
    const jobs = await queues.send.getJobCounts('active', 'delayed', 'waiting', 'failed', 'completed');
    expect({ pending: jobs.active! + jobs.delayed! + jobs.waiting!, failed: jobs.failed, completed: jobs.completed }).toEqual({ pending: 1, failed: 0, completed: 0 });
  } finally {
    await closeQueues(queues);
    await ses.close();
  }
});
