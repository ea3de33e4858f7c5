/**
 * A new database never meets jobs a previous database left under the same QUEUE_PREFIX: BullMQ would
 * ignore the new ledger row's job (same id) and the reminder would wait for nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { openStore, type Store } from '@tickler/db';
import { closeQueues, enqueue, makeQueues } from '@tickler/queues';
import { claimQueues } from '../src/runtime/claim-queues';
import { cleanPrefix, uniquePrefix } from './helpers/cli';

const prefix = uniquePrefix('claim');
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queues = makeQueues(redis, prefix);
const logger = pino({ level: 'silent' });
const dir = mkdtempSync(path.join(tmpdir(), 'tickler-claim-'));
const stores: Store[] = [];

async function freshStore(name: string): Promise<Store> {
  const store = await openStore({ url: `file:${path.join(dir, `${name}.db`)}` });
  stores.push(store);
  return store;
}

afterAll(async () => {
  for (const store of stores) await store.close();
  await closeQueues(queues);
  redis.disconnect();
  await cleanPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

it('clears what an earlier database left on its first run, and never again', async () => {
  const first = await freshStore('first');
  expect(await claimQueues(first, queues, prefix, logger)).toBe(true);
  await enqueue(queues, 'reminder', { reminderId: 1 });
  // The same database again (a restart, a second process): its jobs stay.
  expect(await claimQueues(first, queues, prefix, logger)).toBe(false);
  expect(await queues.reminders.getJobState('reminder-1')).toBe('waiting');

  // A new database (./data deleted) on the same prefix: the old `reminder-1` would shadow its row 1.
  const second = await freshStore('second');
  expect(await claimQueues(second, queues, prefix, logger)).toBe(true);
  expect(await queues.reminders.getJobState('reminder-1')).toBe('unknown');
  await enqueue(queues, 'reminder', { reminderId: 1 });
  expect(await queues.reminders.getJobState('reminder-1')).toBe('waiting');
});
