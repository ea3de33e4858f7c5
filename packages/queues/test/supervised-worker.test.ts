/**
 * The worker supervisor on a real Redis, through a TCP proxy that can wedge a worker the way a lost
 * cluster master does: the blocking connection's read never answers, and the connection BullMQ opens
 * to replace it is accepted but never answered either (its ready check hangs), so BullMQ's own
 * recovery waits for a `ready` that never comes. Unsupervised, such a worker takes no job again and
 * its blocking connection is never answered again; supervised, it is replaced and the job is
 * processed. A close that never settles is bounded.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Queue, Worker } from 'bullmq';
import { SupervisedWorker } from '../src';

const REDIS = { host: '127.0.0.1', port: 6379 };
const QUEUE = 'supervision';

/** A proxy to Redis. `wedge()`: connections sending BZPOPMIN, and every new one, go silent until `heal()` (silent ones stay so). */
async function startProxy(): Promise<{ port: number; wedge(): void; heal(): void; silenced: () => number; close(): Promise<void> }> {
  let wedged = false;
  let silenced = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(REDIS.port, REDIS.host);
    let silent = wedged;
    if (silent) silenced += 1;
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (!silent && wedged && /bzpopmin/i.test(chunk.toString('latin1'))) {
        silent = true;
        silenced += 1;
      }
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => { if (!silent) client.write(chunk); });
    const pairs: Array<[net.Socket, net.Socket]> = [[client, upstream], [upstream, client]];
    for (const [a, b] of pairs) {
      a.on('error', () => b.destroy());
      a.on('close', () => { b.destroy(); sockets.delete(a); });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    wedge: () => { wedged = true; },
    heal: () => { wedged = false; },
    silenced: () => silenced,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const logged: string[] = [];
const logger = { warn: (_: unknown, msg: string) => logged.push(msg), error: (_: unknown, msg: string) => logged.push(msg) } as never;
let prefix: string;
let queue: Queue;
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeEach(async () => {
  prefix = `test-supervision-${randomUUID()}`;
  queue = new Queue(QUEUE, { connection: REDIS, prefix });
  proxy = await startProxy();
  logged.length = 0;
});
afterEach(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await proxy.close();
});

/** A worker through the proxy (its own connections, as BullMQ makes them from options), drained quickly. */
const makeWorker = (processed: string[]) => () => new Worker(QUEUE, async (job) => { processed.push(job.id!); }, {
  connection: { host: '127.0.0.1', port: proxy.port }, prefix, drainDelay: 1,
});

/** Wedges the worker's blocking read and BullMQ's reconnect of it; the proxy answers new connections again afterwards. */
async function wedgeBlockingConnection(): Promise<void> {
  proxy.wedge();
  // The watchdog abandons the silent BZPOPMIN (block + 1 s) and reconnects: that connection is silenced too.
  await waitUntil(() => proxy.silenced() >= 2, 'the blocking read and its reconnect to be silenced', 15_000);
  proxy.heal();
}

describe('SupervisedWorker', () => {
  it('control: an unsupervised BullMQ worker whose blocking reconnect hangs takes no job again', async () => {
    const processed: string[] = [];
    const worker = makeWorker(processed)();
    await worker.waitUntilReady();
    try {
      await wedgeBlockingConnection();
      await queue.add('job', {}, { jobId: 'after-wedge' });
      await new Promise((r) => setTimeout(r, 6000));
      expect(processed).toEqual([]);
    } finally {
      worker.close(true).catch(() => undefined);
      const client = await worker.getBackend().blockingClient;
      client?.disconnect();
    }
  });

  it('replaces a wedged worker: the job is processed, the replacement is logged, and close returns', async () => {
    const processed: string[] = [];
    const supervised = new SupervisedWorker(QUEUE, makeWorker(processed), logger, { stuckAfterMs: 4000, checkEveryMs: 250, closeTimeoutMs: 2000 });
    const first = supervised.worker;
    const completed: string[] = [];
    supervised.on('completed', (job: { id: string }) => completed.push(job.id));
    try {
      await supervised.waitUntilReady();
      await queue.add('job', {}, { jobId: 'before-wedge' });
      await waitUntil(() => processed.includes('before-wedge'), 'the first job', 10_000);
      await wedgeBlockingConnection();
      await queue.add('job', {}, { jobId: 'after-wedge' });
      await waitUntil(() => processed.includes('after-wedge'), 'the job added after the wedge', 20_000);
      // The processor has run; its completion is recorded one round trip later.
      await waitUntil(() => completed.includes('after-wedge'), 'the job\'s completion', 10_000);
      expect(supervised.replacements).toBe(1);
      expect(supervised.worker).not.toBe(first);
      expect(completed).toEqual(['before-wedge', 'after-wedge']);
      expect(logged).toContain('worker wedged: its wait for a job did not return; replacing it');
    } finally {
      const closedIn = Date.now();
      await supervised.close();
      expect(Date.now() - closedIn).toBeLessThan(8000);
    }
  }, 40_000);

  it('bounds close: when a BullMQ close never settles, close returns once no job is in flight and says so', async () => {
    const processed: string[] = [];
    let stuck: Worker | undefined;
    const supervised = new SupervisedWorker(QUEUE, () => {
      stuck = makeWorker(processed)();
      // As a close waiting on a wedged cluster client does (it waits for a `ready` that never comes).
      stuck.close = () => new Promise<void>(() => undefined);
      return stuck;
    }, logger, { closeTimeoutMs: 1500 });
    await supervised.waitUntilReady();
    await queue.add('job', {}, { jobId: 'before-close' });
    await waitUntil(() => processed.includes('before-close'), 'the job', 10_000);
    const started = Date.now();
    await supervised.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(logged).toEqual(['worker did not close in time; dropping its blocking connection']);
    await Worker.prototype.close.call(stuck, true);
  });

  it('does not replace a healthy idle worker, and passes pause and resume on', async () => {
    const processed: string[] = [];
    const supervised = new SupervisedWorker(QUEUE, makeWorker(processed), logger, { stuckAfterMs: 3000, checkEveryMs: 250 });
    try {
      await supervised.waitUntilReady();
      await new Promise((r) => setTimeout(r, 5000));
      expect(supervised.replacements).toBe(0);
      await supervised.pause();
      await queue.add('job', {}, { jobId: 'while-paused' });
      await new Promise((r) => setTimeout(r, 1000));
      expect(processed).toEqual([]);
      supervised.resume();
      await waitUntil(() => processed.includes('while-paused'), 'the job after resume', 10_000);
    } finally {
      await supervised.close();
    }
  }, 30_000);
});
