/** The reminder scan on a real SQLite file and real Redis: what gets enqueued, when, and what does not. */
import { HORIZON_KEY, makeScanner } from '../src';
import { at, makeTestEnv, reminderJobs, upsert, type TestEnv } from './helpers';

const HOUR = 3_600_000;

/** Three organizations in three zones, each with one order whose license expires 2027-01-31. */
async function seedThreeZones(env: TestEnv): Promise<void> {
  const zones = { 'ORD-BER': 'Europe/Berlin', 'ORD-AKL': 'Pacific/Auckland', 'ORD-LAX': 'America/Los_Angeles' };
  for (const [orderId, timeZone] of Object.entries(zones)) {
    const outcome = await env.store.directory.applyOrderUpsert(upsert({ orderId, organization: { id: `org-${orderId}`, name: orderId, timeZone } }));
    expect(outcome.outcome).toBe('applied');
  }
}

async function ledger(env: TestEnv, orderId: string) {
  return (await env.store.reminders.listForOrder(orderId)).map((r) => ({ offsetDays: r.offsetDays, status: r.status, reason: r.reason, sendAt: r.sendAt.toISOString(), id: r.id }));
}

describe('reminder scan', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeTestEnv('scan');
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('enqueues the reminders of the next 24 h, delayed until 09:00 in each organization’s zone', async () => {
    await seedThreeZones(env);
    await env.store.state.set(HORIZON_KEY, '2027-01-23T10:00:00.000Z');
    const now = at('2027-01-23T10:00:00Z');
    const report = await makeScanner(env.deps(now)).scan({ now });

    // 7 days before 2027-01-31, 09:00 local: Berlin 08:00Z and Auckland 20:00Z (previous UTC day) fall
    // in (10:00Z, +24h]; Los Angeles 17:00Z does not.
    expect(report.totals).toEqual({ due: 2, enqueued: 2, skipped: 0, existing: 0, superseded: 0 });
    expect(report.rows.find((r) => r.kind === 'license' && r.offsetDays === 7)).toEqual({ kind: 'license', offsetDays: 7, due: 2, enqueued: 2, skipped: 0, existing: 0 });
    const [ber] = await ledger(env, 'ORD-BER');
    const [akl] = await ledger(env, 'ORD-AKL');
    expect(ber).toMatchObject({ offsetDays: 7, status: 'queued', sendAt: '2027-01-24T08:00:00.000Z' });
    expect(akl).toMatchObject({ offsetDays: 7, status: 'queued', sendAt: '2027-01-23T20:00:00.000Z' });
    expect(await ledger(env, 'ORD-LAX')).toEqual([]);

    const jobs = await reminderJobs(env.queues);
    expect(jobs.size).toBe(2);
    expect(jobs.get(ber!.id)).toEqual({ state: 'delayed', delay: 22 * HOUR, id: `reminder-${ber!.id}` });
    expect(jobs.get(akl!.id)).toEqual({ state: 'delayed', delay: 10 * HOUR, id: `reminder-${akl!.id}` });
    expect(await env.store.state.get(HORIZON_KEY)).toBe('2027-01-24T10:00:00.000Z');
  });

  it('continues from the horizon, and a repeated scan of the same window adds nothing', async () => {
    await seedThreeZones(env);
    await env.store.state.set(HORIZON_KEY, '2027-01-23T10:00:00.000Z');
    const first = at('2027-01-23T10:00:00Z');
    await makeScanner(env.deps(first)).scan({ now: first });

    const later = at('2027-01-23T18:00:00Z');
    const next = await makeScanner(env.deps(later)).scan({ now: later });
    expect(next.horizon.after.toISOString()).toBe('2027-01-24T10:00:00.000Z');
    expect(next.totals).toMatchObject({ due: 1, enqueued: 1 });
    const [lax] = await ledger(env, 'ORD-LAX');
    expect((await reminderJobs(env.queues)).get(lax!.id)).toMatchObject({ state: 'delayed', delay: 23 * HOUR });

    await env.store.state.set(HORIZON_KEY, '2027-01-23T10:00:00.000Z');
    const again = await makeScanner(env.deps(later)).scan({ now: later });
    expect(again.totals).toEqual({ due: 3, enqueued: 0, skipped: 0, existing: 3, superseded: 0 });
    expect((await reminderJobs(env.queues)).size).toBe(3);
    for (const orderId of ['ORD-BER', 'ORD-AKL', 'ORD-LAX']) expect(await ledger(env, orderId)).toHaveLength(1);
  });

  it('a dry run reports what the first scan would do and writes nothing; the real first scan looks back 7 days', async () => {
    await seedThreeZones(env);
    const now = at('2027-01-23T10:00:00Z');
    const scanner = makeScanner(env.deps(now));
    const dry = await scanner.scan({ now, dryRun: true });
    // 14 days before expiry (2027-01-17, within the 7-day look-back) is due everywhere and is the
    // latest due reminder: sent now. 7 days before: Berlin and Auckland within the look-ahead.
    expect(dry.dryRun).toBe(true);
    expect(dry.horizon.firstScan).toBe(true);
    expect(dry.horizon.after.toISOString()).toBe('2027-01-16T10:00:00.000Z');
    expect(dry.totals).toEqual({ due: 5, enqueued: 5, skipped: 0, existing: 0, superseded: 0 });
    for (const orderId of ['ORD-BER', 'ORD-AKL', 'ORD-LAX']) expect(await ledger(env, orderId)).toEqual([]);
    expect(await env.queues.reminders.count()).toBe(0);
    expect(await env.store.state.get(HORIZON_KEY)).toBeNull();

    const real = await scanner.scan({ now });
    expect(real.totals).toEqual(dry.totals);
    const jobs = await reminderJobs(env.queues);
    expect(jobs.size).toBe(5);
    const [ber14] = await ledger(env, 'ORD-BER');
    expect(ber14).toMatchObject({ offsetDays: 14, status: 'queued' });
    expect(jobs.get(ber14!.id)).toMatchObject({ state: 'waiting', delay: 0 });
    // A dry run over the same window after the real one sees everything as already planned.
    await env.store.state.set(HORIZON_KEY, '2027-01-16T10:00:00.000Z');
    const dryAgain = await scanner.scan({ now, dryRun: true });
    expect(dryAgain.totals).toEqual({ due: 5, enqueued: 0, skipped: 0, existing: 5, superseded: 0 });
  });

  it('after downtime only the latest due reminder is sent; the missed ones are recorded as skipped', async () => {
    await env.store.directory.applyOrderUpsert(upsert({ orderId: 'ORD-BER' }));
    await env.store.state.set(HORIZON_KEY, '2027-01-10T00:00:00.000Z');
    const now = at('2027-01-31T12:00:00Z');
    const report = await makeScanner(env.deps(now)).scan({ now });

    expect(report.totals).toMatchObject({ due: 4, enqueued: 1, skipped: 3 });
    expect((await ledger(env, 'ORD-BER')).map(({ offsetDays, status, reason }) => ({ offsetDays, status, reason }))).toEqual([
      { offsetDays: 14, status: 'skipped', reason: 'superseded' },
      { offsetDays: 7, status: 'skipped', reason: 'superseded' },
      { offsetDays: 1, status: 'skipped', reason: 'superseded' },
      { offsetDays: 0, status: 'queued', reason: null },
    ]);
    const jobs = [...(await reminderJobs(env.queues)).values()];
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ state: 'waiting', delay: 0 });
  });

  it('after downtime a reminder queued ahead by an earlier scan is superseded and its job removed', async () => {
    await env.store.directory.applyOrderUpsert(upsert({ orderId: 'ORD-BER' }));
    await env.store.state.set(HORIZON_KEY, '2027-01-29T10:00:00.000Z');
    const before = at('2027-01-29T10:00:00Z');
    await makeScanner(env.deps(before)).scan({ now: before });
    const [dayBefore] = await ledger(env, 'ORD-BER');
    expect(dayBefore).toMatchObject({ offsetDays: 1, status: 'queued', sendAt: '2027-01-30T08:00:00.000Z' });
    expect((await reminderJobs(env.queues)).has(dayBefore!.id)).toBe(true);

    // Nothing ran from 2027-01-29 until 2027-02-01 12:00Z: the expiry-day reminder is now the latest due.
    const after = at('2027-02-01T12:00:00Z');
    const report = await makeScanner(env.deps(after)).scan({ now: after });
    expect(report.totals).toMatchObject({ enqueued: 1, superseded: 1 });
    const rows = await ledger(env, 'ORD-BER');
    expect(rows.map(({ offsetDays, status, reason }) => ({ offsetDays, status, reason }))).toEqual([
      { offsetDays: 1, status: 'skipped', reason: 'superseded' },
      { offsetDays: 0, status: 'queued', reason: null },
    ]);
    const jobs = await reminderJobs(env.queues);
    expect([...jobs.keys()]).toEqual([rows[1]!.id]);
  });
});
