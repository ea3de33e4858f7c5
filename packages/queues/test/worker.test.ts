/**
 * The worker factory on a real Redis: a payload that does not match the catalog fails once, for good,
 * naming the field (it used to be retried 10 times for `send`); a processor's own error is retried
 * with the catalog's attempts; both are logged the same way for every queue.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { closeQueues, jobCatalog, makeCatalogWorker, makeQueues, QUEUE_NAMES, isQueueName, type Queues } from '../src';

const connection = { host: '127.0.0.1', port: 6379 };
let prefix: string;
let queues: Queues;
const logged: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
const logger = {
  info: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'info', msg, fields }),
  warn: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'warn', msg, fields }),
  error: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'error', msg, fields }),
} as never;

beforeEach(() => {
  prefix = `test-worker-${randomUUID()}`;
  queues = makeQueues(connection, prefix);
  logged.length = 0;
});
afterEach(async () => {
  await Promise.all(Object.values(queues).map((q: Queue) => q.obliterate({ force: true })));
  await closeQueues(queues);
});

/** Listens to a queue's events (ready before it returns, so nothing is missed); `outcome(id)` waits for a job's end. */
async function listen(queue: string): Promise<{ outcome: (jobId: string) => Promise<'completed' | 'failed'>; close: () => Promise<void> }> {
  const events = new QueueEvents(queue, { connection, prefix });
  await events.waitUntilReady();
  const ended = new Map<string, 'completed' | 'failed'>();
  const waiting = new Map<string, (o: 'completed' | 'failed') => void>();
  const end = (jobId: string, o: 'completed' | 'failed') => { ended.set(jobId, o); waiting.get(jobId)?.(o); };
  events.on('completed', ({ jobId }) => end(jobId, 'completed'));
  events.on('failed', ({ jobId }) => end(jobId, 'failed'));
  return {
    outcome: (jobId) => new Promise((resolve) => (ended.has(jobId) ? resolve(ended.get(jobId)!) : waiting.set(jobId, resolve))),
    close: () => events.close(),
  };
}

describe('makeCatalogWorker', () => {
  it('fails a malformed payload at once and for good, naming the field, without calling the processor', async () => {
    let calls = 0;
    const worker = makeCatalogWorker('send', async () => { calls += 1; }, { connection, prefix, concurrency: 1, logger });
    const events = await listen('send');
    try {
      // Written past the typed helpers, as a stale producer or a hand-made job would.
      await queues.send.add('send', { deliveryId: 'seven' }, { ...jobCatalog.send.options, jobId: 'bad-1' });
      expect(await events.outcome('bad-1')).toBe('failed');
      const job = await queues.send.getJob('bad-1');
      expect(job?.attemptsMade).toBe(1);
      expect(job?.failedReason).toMatch(/invalid send job payload: deliveryId: /);
      expect(calls).toBe(0);
      expect(logged).toEqual([expect.objectContaining({ level: 'error', msg: 'job failed for good', fields: expect.objectContaining({ queue: 'send', jobId: 'bad-1' }) })]);
    } finally {
      await Promise.all([worker.close(), events.close()]);
    }
  });

  it('hands a valid payload to the processor, parsed, and retries its errors', async () => {
    const seen: unknown[] = [];
    const worker = makeCatalogWorker('reminder', async (data) => {
      seen.push(data);
      if (seen.length === 1) throw new Error('transient');
    }, { connection, prefix, concurrency: 1, logger });
    const events = await listen('reminders');
    try {
      await queues.reminders.add('reminder', { reminderId: 7 }, { attempts: 2, backoff: { type: 'fixed', delay: 10 }, jobId: 'r-1' });
      expect(await events.outcome('r-1')).toBe('completed');
      expect(seen).toEqual([{ reminderId: 7 }, { reminderId: 7 }]);
      expect(logged.map((l) => [l.level, l.msg])).toEqual([['warn', 'job failed; will retry']]);
    } finally {
      await Promise.all([worker.close(), events.close()]);
    }
  });
});

describe('queue names', () => {
  it('come from the catalog, once each', () => {
    expect(QUEUE_NAMES).toEqual(['scan', 'order-events', 'reminders', 'send', 'digests', 'test-sends']);
    expect(isQueueName('send')).toBe(true);
    expect(isQueueName('sendx')).toBe(false);
    expect(isQueueName(undefined)).toBe(false);
  });
});

describe('makeCatalogWorker during a database outage', () => {
  it('defers a job whose processor met a database outage without spending its attempts, and logs it once per interval', async () => {
    class Outage extends Error {}
    let calls = 0;
    const worker = makeCatalogWorker('test-send', async () => {
      calls += 1;
      if (calls <= 3) throw new Outage('connect ECONNREFUSED 127.0.0.1:5432');
      return 'done';
    }, { connection, prefix, concurrency: 1, logger, outage: { is: (e) => e instanceof Outage, baseMs: 50, maxMs: 200 } });
    const events = await listen('test-sends');
    try {
      // test-send has one attempt: without the deferral the first outage would fail it for good.
      await queues['test-sends'].add('test-send', { testSendId: 1 }, { ...jobCatalog['test-send'].options, jobId: 'outage-1' });
      expect(await events.outcome('outage-1')).toBe('completed');
      const job = await queues['test-sends'].getJob('outage-1');
      expect(calls).toBe(4);
      // Four starts, one attempt: BullMQ counts the completion alone.
      expect(job).toMatchObject({ attemptsMade: 1, attemptsStarted: 4, returnvalue: 'done' });
      expect(logged).toEqual([expect.objectContaining({ level: 'warn', msg: 'database unavailable; jobs wait and retry without spending attempts', fields: expect.objectContaining({ queue: 'test-sends', deferred: 1 }) })]);
    } finally {
      await Promise.all([worker.close(), events.close()]);
    }
  });

  it('fails as before an error that is not an outage', async () => {
    const worker = makeCatalogWorker('test-send', async () => { throw new Error('template missing'); },
      { connection, prefix, concurrency: 1, logger, outage: { is: () => false, baseMs: 50 } });
    const events = await listen('test-sends');
    try {
      await queues['test-sends'].add('test-send', { testSendId: 2 }, { ...jobCatalog['test-send'].options, jobId: 'plain-2' });
      expect(await events.outcome('plain-2')).toBe('failed');
      expect(await queues['test-sends'].getJob('plain-2')).toMatchObject({ attemptsMade: 1, failedReason: 'template missing' });
    } finally {
      await Promise.all([worker.close(), events.close()]);
    }
  });
});
