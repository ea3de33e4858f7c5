/**
 * The SES budget's Lua script and its per-process dispatcher against the real Redis: slots spaced by
 * the rate from Redis's clock, no saved-up burst, the horizon, refill, reservation blocks.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { connection } from '@tickler/testkit';
import { budgetShape, makeReserver, makeSharedSendBudget, releaseTickUs, SendBudgetExhaustedError, type Reserver } from '../src/budget';
import { maxInWindow } from './budget-helpers';

const redis = new Redis(connection);
let key: string;
beforeEach(() => { key = `test-budget-${randomUUID().slice(0, 8)}:ses-budget`; });
afterEach(async () => { await redis.del(key); });
afterAll(() => redis.quit());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reserverAt = (rate: number, horizonMs: number): Reserver => makeReserver(redis, key, budgetShape(rate, horizonMs));
const reserveAt = (rate: number, horizonMs: number) => {
  const reserver = reserverAt(rate, horizonMs);
  return (wanted: number) => reserver.reserve(wanted);
};

describe('the reservation script', () => {
  it('gives a burst on an idle budget evenly spaced slots from now, never slots saved up while idle', async () => {
    const reserve = reserveAt(10, 1000);
    expect(await reserve(4)).toMatchObject({ granted: 4, firstSlotUs: 0, bookedUs: 400_000 });
    // Booked up to 400 ms ahead; after 600 ms idle the next slot is now, and 3 slots take 300 ms again.
    await sleep(600);
    expect(await reserve(3)).toMatchObject({ granted: 3, firstSlotUs: 0, bookedUs: 300_000 });
  });

  it('hands out slots only within the horizon, then refills as time passes', async () => {
    const reserve = reserveAt(10, 500);
    expect(await reserve(10)).toMatchObject({ granted: 5, firstSlotUs: 0, bookedUs: 500_000 });
    const refused = await reserve(1);
    expect(refused.granted).toBe(0);
    expect(refused.bookedUs).toBeGreaterThan(400_000);
    await sleep(250);
    const later = await reserve(10);
    // 250 ms later two or three slots (of 100 ms) have come inside the horizon, each after the booked ones.
    expect(later.granted).toBeGreaterThanOrEqual(2);
    expect(later.granted).toBeLessThanOrEqual(3);
    expect(later.firstSlotUs).toBe(later.bookedUs - later.granted * 100_000);
    expect(later.bookedUs).toBeLessThanOrEqual(500_000);
  });

  it('books on Redis\'s clock: the key holds Redis TIME plus the booked time and expires a second after it', async () => {
    const reserve = reserveAt(4, 2000);
    const { bookedUs } = await reserve(6);
    const [seconds, micros] = await redis.time();
    const redisNowUs = Number(seconds) * 1e6 + Number(micros);
    const stored = Number(await redis.get(key));
    expect(Math.abs(stored - (redisNowUs + bookedUs))).toBeLessThan(50_000);
    expect(Number.isInteger(stored)).toBe(true);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(bookedUs / 1000 + 900);
    expect(ttl).toBeLessThanOrEqual(bookedUs / 1000 + 1000);
  });

  it('two processes on one key get consecutive slots, never the same ones', async () => {
    const [a, b] = [reserveAt(10, 2000), reserveAt(10, 2000)];
    const first = await a(3);
    const second = await b(3);
    expect(first.bookedUs).toBe(300_000);
    expect(second.firstSlotUs).toBeGreaterThan(250_000);
    expect(second.bookedUs - second.firstSlotUs).toBe(300_000);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => budgetShape(0, 1000)).toThrow(/rate must be a positive number/);
  });
});

describe('the per-process dispatcher', () => {
  it('reserves for the callers waiting, in blocks of at most blockMax, one round trip at a time', async () => {
    const inner = reserverAt(1000, 2000);
    const asked: number[] = [];
    const budget = makeSharedSendBudget({ shape: inner.shape, reserve: async (n) => { asked.push(n); return inner.reserve(n); } }, { blockMax: 3 });
    await Promise.all(Array.from({ length: 10 }, () => budget.take()));
    expect(asked.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...asked)).toBeLessThanOrEqual(3);
    expect(asked.length).toBeLessThanOrEqual(5);
  });

  it('releases the callers at their slots, on 50 ms ticks: a burst of 40 at 50/s is spread over 0.8 s', async () => {
    const budget = makeSharedSendBudget(reserverAt(50, 2000));
    const start = performance.now();
    const released = await Promise.all(Array.from({ length: 40 }, () => budget.take().then(() => performance.now())));
    // 50/s: the slots of 200 ms (+ one tick when releases jitter) + 1 at the edge; the 40th slot is 780 ms after the first.
    expect(maxInWindow(released, 200)).toBeLessThanOrEqual(50 * 0.25 + 1);
    expect(Math.max(...released) - start).toBeGreaterThanOrEqual(760);
    // Released together on ticks, not one by one: at most 800 ms / 50 ms + 1 distinct moments (±1 ms).
    expect(new Set(released.map((t) => Math.round((t - start) / 5))).size).toBeLessThanOrEqual(17 * 2);
  });

  it('ticks divide a second: 32 slots\' time, 1 to 50 ms', () => {
    expect(releaseTickUs(budgetShape(10, 1000).intervalUs)).toBe(50_000);
    expect(releaseTickUs(budgetShape(1000, 1000).intervalUs)).toBe(25_000);
    expect(releaseTickUs(budgetShape(3000, 1000).intervalUs)).toBe(10_000);
    expect(releaseTickUs(budgetShape(1_000_000, 1000).intervalUs)).toBe(1_000);
  });

  it('refuses callers beyond the horizon with the time until half of it has gone out', async () => {
    const budget = makeSharedSendBudget(reserverAt(10, 300));
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => budget.take()));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(refusals).toHaveLength(3);
    for (const error of refusals) {
      expect(error).toBeInstanceOf(SendBudgetExhaustedError);
      const { retryAfterMs } = error as SendBudgetExhaustedError;
      expect(retryAfterMs).toBeGreaterThan(50);
      expect(retryAfterMs).toBeLessThanOrEqual(150);
    }
  });

  it('passes Redis errors on to the callers', async () => {
    const budget = makeSharedSendBudget({ shape: budgetShape(10, 1000), reserve: async () => { throw new Error('Connection is closed.'); } });
    await expect(budget.take()).rejects.toThrow('Connection is closed.');
  });
});

it('blocks default to a twentieth of the rate (at least one slot)', async () => {
  const asked: number[] = [];
  const counting = (rate: number) => {
    const inner = reserverAt(rate, 2000);
    return makeSharedSendBudget({ shape: inner.shape, reserve: async (n) => { asked.push(n); return inner.reserve(n); } });
  };
  await Promise.all(Array.from({ length: 12 }, counting(200).take));
  expect(Math.max(...asked)).toBe(10);
  await redis.del(key);
  asked.length = 0;
  await Promise.all(Array.from({ length: 3 }, counting(10).take));
  expect(asked).toEqual([1, 1, 1]);
});
