/**
 * A worker while its Redis is down, for real: a private redis-server that the test stops and starts
 * again. The worker used to log every one of BullMQ's `error` events with its stack (dozens a second
 * per queue); now it logs the first error of the outage, then at most one summary line per interval
 * with a count, and one info line once Redis answers again, after which it takes jobs as before.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Queue } from 'bullmq';
import { jobCatalog, makeCatalogWorker, makeRedisConnection } from '../src';

jest.setTimeout(60_000);

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A throw-away redis-server on `port`: no RDB, no AOF, so a restart starts empty. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitUntil(() => new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  }), `redis-server on ${port}`, 10_000);
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

type Line = { level: string; msg: string; fields: Record<string, unknown> };

(hasRedisServer ? it : it.skip)('logs the first error of a Redis outage once, then a counted summary per interval, and once that the worker works again', async () => {
  const port = await freePort();
  let redis = await startRedis(port);
  const lines: Line[] = [];
  const log = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, msg, fields });
  const logger = { info: log('info'), warn: log('warn'), error: log('error') } as never;
  const connection = makeRedisConnection(`redis://127.0.0.1:${port}`);
  const prefix = `test-worker-errors-${randomUUID()}`;
  const done: number[] = [];
  const workers = (['scan', 'order-event'] as const).map((name) => makeCatalogWorker(name, async () => { done.push(Date.now()); },
    { connection, prefix, concurrency: 1, logger, errorLog: { summaryEveryMs: 1500, quietMs: 500, checkEveryMs: 200 } }));
  const queue = new Queue(jobCatalog.scan.queue, { connection, prefix });
  queue.on('error', () => undefined); // the producer's own errors while Redis is down are not under test
  try {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    await stopRedis(redis);
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    const down = lines.filter((l) => l.level !== 'info');
    const errorsOf = (queueName: string) => down.filter((l) => l.fields.queue === queueName && l.msg === 'worker error');
    // Each queue's worker names the outage once, with the error…
    for (const name of ['scan', 'order-events']) {
      expect(errorsOf(name)).toHaveLength(1);
      expect(errorsOf(name)[0]!.fields.err).toEqual(expect.objectContaining({ message: expect.any(String) }));
    }
    // …and then at most one summary per 1.5 s interval, each counting the errors it stands for.
    const summaries = down.filter((l) => l.msg === 'worker errors continue');
    for (const name of ['scan', 'order-events']) {
      const count = summaries.filter((l) => l.fields.queue === name).length;
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThanOrEqual(Math.ceil((Date.now() - downAt) / 1500));
    }
    for (const s of summaries) expect(s.fields).toEqual(expect.objectContaining({ errors: expect.any(Number), total: expect.any(Number), lastError: expect.any(String) }));
    expect(down.filter((l) => !['worker error', 'worker errors continue'].includes(l.msg))).toEqual([]);

    redis = await startRedis(port);
    await waitUntil(() => ['scan', 'order-events'].every((name) => lines.some((l) => l.fields.queue === name && l.msg === 'worker works again')), 'worker works again', 20_000);
    const back = lines.filter((l) => l.msg === 'worker works again');
    expect(back).toHaveLength(2);
    for (const l of back) expect(l).toEqual(expect.objectContaining({ level: 'info', fields: expect.objectContaining({ errors: expect.any(Number), outageMs: expect.any(Number) }) }));
    // It really works: a job added now is processed.
    await queue.add('scan', {}, { jobId: 'after-outage' });
    await waitUntil(() => done.length > 0, 'a job after the outage', 15_000);
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await queue.close();
    connection.disconnect();
    await stopRedis(redis);
  }
});
