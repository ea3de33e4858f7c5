/**
 * Property: for any scan timing (including long scheduler downtime), the REAL scanner on a real
 * SQLite file never sends a reminder twice, never loses the latest due one, never sends a burst,
 * and with scans at most a look-ahead apart sends every reminder on time. Redis is replaced by an
 * in-memory stand-in with BullMQ's semantics (deterministic ids: re-adding is a no-op); reminder
 * workers are always up and fire each job at its time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { openStore, type Store } from '@tickler/db';
import { type Queues } from '@tickler/queues';
import { HORIZON_KEY, makeScanner, makeSchedulerConfig } from '../src';
import { quietLogger, upsert } from './helpers';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Auckland', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kolkata', 'Pacific/Pago_Pago', 'Pacific/Kiritimati', 'Etc/GMT+12'];
const START = Date.parse('2027-01-20T00:00:00Z');

interface FakeJob { reminderId: number; fireAt: number }

/** BullMQ stand-in: add with an existing id (pending or done) is a no-op; remove deletes a pending job. */
function makeFakeQueues(clock: { now: number }) {
  const pending = new Map<string, FakeJob>();
  const done = new Set<string>();
  const reminders = {
    async addBulk(jobs: Array<{ data: { reminderId: number }; opts: { jobId: string; delay?: number } }>) {
      for (const { data, opts } of jobs) {
        if (pending.has(opts.jobId) || done.has(opts.jobId)) continue;
        pending.set(opts.jobId, { reminderId: data.reminderId, fireAt: clock.now + (opts.delay ?? 0) });
      }
    },
    async remove(jobId: string) {
      return pending.delete(jobId) ? 1 : 0;
    },
  };
  /** Jobs due by `until`, earliest first, taken out of the queue. */
  const takeDue = (until: number): FakeJob[] => {
    const due = [...pending.entries()].filter(([, j]) => j.fireAt <= until).sort((a, b) => a[1].fireAt - b[1].fireAt);
    for (const [id] of due) {
      pending.delete(id);
      done.add(id);
    }
    return due.map(([, j]) => j);
  };
  return { queues: { reminders } as unknown as Queues, takeDue };
}

const orderArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  licenseDay: fc.integer({ min: 0, max: 110 }),
  maintenanceDay: fc.option(fc.integer({ min: 0, max: 110 }), { nil: null }),
});
const isoDay = (day: number) => new Date(Date.parse('2027-02-01T00:00:00Z') + day * DAY).toISOString().slice(0, 10);

async function simulate(store: Store, orders: Array<{ zone: string; licenseDay: number; maintenanceDay: number | null }>, gapsMinutes: number[]) {
  for (const [i, o] of orders.entries()) {
    await store.directory.applyOrderUpsert(upsert({
      orderId: `ORD-${i}`, organization: { id: `org-${i}`, name: `Org ${i}`, timeZone: o.zone },
      licenseExpiresOn: isoDay(o.licenseDay), maintenanceExpiresOn: o.maintenanceDay === null ? null : isoDay(o.maintenanceDay),
    }));
  }
  // As if a scan had run at START (so its look-ahead covers the first day).
  await store.state.set(HORIZON_KEY, new Date(START + DAY).toISOString());
  const clock = { now: START };
  const fake = makeFakeQueues(clock);
  const scanner = makeScanner({ store, queues: fake.queues, logger: quietLogger, now: () => new Date(clock.now), config: makeSchedulerConfig() });
  const sends: Array<{ reminderId: number; at: number }> = [];
  const fire = async (until: number) => {
    for (const job of fake.takeDue(until)) {
      const row = await store.reminders.get(job.reminderId);
      if (row?.status !== 'queued') continue; // what the reminder processor does
      await store.reminders.setStatus(row.id, 'sent', null);
      sends.push({ reminderId: row.id, at: job.fireAt });
    }
  };
  for (const gap of gapsMinutes) {
    clock.now += gap * MINUTE;
    await fire(clock.now); // workers ran while the scheduler was down
    await scanner.scan({ now: new Date(clock.now) });
    await fire(clock.now);
  }
  return { sends, last: clock.now };
}

async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-scheduler-prop-'));
  const store = await openStore({ url: `file:${path.join(dir, 'p.db')}` });
  try {
    return await run(store);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function ledgerOf(store: Store, count: number) {
  const rows = [];
  for (let i = 0; i < count; i += 1) rows.push(...(await store.reminders.listForOrder(`ORD-${i}`)));
  return rows;
}

describe('scanner properties (real scanner + SQLite, in-memory queue)', () => {
  it('never sends twice or in a burst, and always sends the latest due reminder of each cycle', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(orderArb, { minLength: 1, maxLength: 4 }),
      fc.array(fc.integer({ min: 1, max: 6 * 24 * 60 }), { minLength: 1, maxLength: 25 }),
      (orders, gaps) => withStore(async (store) => {
        const { sends, last } = await simulate(store, orders, gaps);
        const ledger = await ledgerOf(store, orders.length);
        const byId = new Map(ledger.map((r) => [r.id, r]));
        expect(new Set(sends.map((s) => s.reminderId)).size).toBe(sends.length);
        // No burst: at one instant, at most one late reminder per cycle.
        const late = sends.filter((s) => s.at > byId.get(s.reminderId)!.sendAt.getTime());
        const lateKeys = late.map((s) => { const r = byId.get(s.reminderId)!; return `${r.orderId}|${r.kind}|${s.at}`; });
        expect(new Set(lateKeys).size).toBe(lateKeys.length);
        // Everything due by the last scan is settled: sent, or skipped because a later one was due.
        const due = ledger.filter((r) => r.sendAt.getTime() <= last);
        for (const r of due) expect(['sent', 'skipped']).toContain(r.status);
        const cycles = new Map<string, typeof due>();
        for (const r of due) cycles.set(`${r.orderId}|${r.kind}`, [...(cycles.get(`${r.orderId}|${r.kind}`) ?? []), r]);
        for (const rows of cycles.values()) {
          const latest = rows.reduce((a, b) => (b.sendAt > a.sendAt ? b : a));
          expect(latest.status).toBe('sent');
        }
      }),
    ), { numRuns: 40 });
  }, 120_000);

  it('with scans at most a look-ahead apart, every reminder is sent exactly on time', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(orderArb, { minLength: 1, maxLength: 4 }),
      fc.array(fc.integer({ min: 1, max: 24 * 60 }), { minLength: 1, maxLength: 40 }),
      (orders, gaps) => withStore(async (store) => {
        const { sends, last } = await simulate(store, orders, gaps);
        const ledger = await ledgerOf(store, orders.length);
        const sentAt = new Map(sends.map((s) => [s.reminderId, s.at]));
        for (const r of ledger.filter((row) => row.sendAt.getTime() <= last)) {
          expect({ id: r.id, status: r.status, at: sentAt.get(r.id) }).toEqual({ id: r.id, status: 'sent', at: r.sendAt.getTime() });
        }
        // Nothing before the first horizon was planned, and nothing is skipped.
        expect(ledger.every((r) => r.sendAt.getTime() > START + DAY && r.status !== 'skipped')).toBe(true);
      }),
    ), { numRuns: 40 });
  }, 120_000);
});
