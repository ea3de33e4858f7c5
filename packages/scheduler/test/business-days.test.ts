/**
 * Business days on a real store (TEST_STORE: SQLite or PostgreSQL) and real Redis: with weekends
 * skipped, reminders whose day is a Saturday or Sunday in the organization's zone are planned on the
 * Friday before (before expiry) or the Monday after (on or after expiry) — by the scan (its set-based
 * SQL planner and its JavaScript catch-up), by billing events, and in the forecast.
 */
import { createSendCalendar, DEFAULT_OFFSETS, expiryOf, forecastReminders, REMINDER_KINDS, sendAtMs, type ForecastOrder } from '@tickler/domain';
import { sendCalendarText } from '@tickler/domain';
import { CALENDAR_KEY, HORIZON_KEY, makeForecaster, makeScanner, makeSchedulerConfig, type SchedulerDeps } from '../src';
import { planOrderNow } from '../src/plan-order';
import { at, makeTestEnv, reminderJobs, upsert, type TestEnv } from './helpers';

const HOUR = 3_600_000;
// 2027-01-31 is a Sunday; New York also closes Friday 29 January.
const calendar = createSendCalendar({ skipWeekends: true, holidays: ['America/New_York 2027-01-29'] });
const ZONES = { 'ORD-BER': 'Europe/Berlin', 'ORD-AKL': 'Pacific/Auckland', 'ORD-NYC': 'America/New_York' } as const;

describe('business days (REMINDER_SKIP_WEEKENDS=on, holidays)', () => {
  let env: TestEnv;
  const deps = (now: Date): SchedulerDeps => ({ ...env.deps(now), config: makeSchedulerConfig({ sendCalendar: calendar }) });
  const weekday = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(new Date(iso));

  beforeEach(async () => {
    env = await makeTestEnv('business-days');
    for (const [orderId, timeZone] of Object.entries(ZONES)) {
      const outcome = await env.store.directory.applyOrderUpsert(upsert({ orderId, organization: { id: `org-${orderId}`, name: orderId, timeZone } }));
      expect(outcome.outcome).toBe('applied');
    }
  });
  afterEach(async () => {
    await env.cleanup();
  });

  /** As if an earlier scan with this calendar had planned up to `horizon`. */
  async function scannedUntil(horizon: string): Promise<void> {
    await env.store.state.set(HORIZON_KEY, horizon);
    await env.store.state.set(CALENDAR_KEY, sendCalendarText(calendar));
  }

  async function ledger(orderId: string) {
    return (await env.store.reminders.listForOrder(orderId)).map((r) => ({ offsetDays: r.offsetDays, expiresOn: r.expiresOn, status: r.status, sendAt: r.sendAt.toISOString(), id: r.id }));
  }

  it('scans every 6 hours plan each reminder once, on Friday before a Sunday expiry and on Monday after it', async () => {
    await scannedUntil('2027-01-10T00:00:00.000Z');
    let enqueued = 0;
    for (let now = Date.parse('2027-01-10T00:00:00Z'); now <= Date.parse('2027-02-12T00:00:00Z'); now += 6 * HOUR) {
      const report = await makeScanner(deps(new Date(now))).scan({ now: new Date(now) });
      expect(report.totals).toMatchObject({ skipped: 0, existing: 0, superseded: 0 });
      enqueued += report.totals.enqueued;
    }
    const berlin = await ledger('ORD-BER');
    // Sunday 17 and 24 January (14 and 7 days before) → Friday 15 and 22; Saturday 30 (1 day before) → Friday 29;
    // Sunday 31 (expiry) → Monday 1 February; Sunday 7 February (7 days after) → Monday 8. 09:00 CET = 08:00Z.
    expect(berlin.map((r) => [r.offsetDays, r.sendAt])).toEqual([
      [14, '2027-01-15T08:00:00.000Z'], [7, '2027-01-22T08:00:00.000Z'], [1, '2027-01-29T08:00:00.000Z'],
      [0, '2027-02-01T08:00:00.000Z'], [-7, '2027-02-08T08:00:00.000Z'],
    ]);
    // Identity unchanged: expiry date and offset are the reminder's own.
    expect(new Set(berlin.map((r) => r.expiresOn))).toEqual(new Set(['2027-01-31']));
    // Auckland's Friday 09:00 is Thursday 20:00Z; New York's Friday 29th is a holiday → Thursday 28th.
    expect((await ledger('ORD-AKL')).find((r) => r.offsetDays === 1)?.sendAt).toBe('2027-01-28T20:00:00.000Z');
    expect((await ledger('ORD-NYC')).find((r) => r.offsetDays === 1)?.sendAt).toBe('2027-01-28T14:00:00.000Z');
    const all = (await Promise.all(Object.keys(ZONES).map((id) => ledger(id)))).flat();
    expect(enqueued).toBe(all.length);
    for (const [orderId, timeZone] of Object.entries(ZONES)) {
      for (const r of await ledger(orderId)) {
        expect(['Sat', 'Sun']).not.toContain(weekday(r.sendAt, timeZone));
        expect(r.sendAt).toBe(new Date(sendAtMs('2027-01-31', r.offsetDays, timeZone, calendar)).toISOString());
      }
    }
  });

  it('enqueues the Saturday reminder on Friday, delayed until 09:00 local', async () => {
    const now = at('2027-01-28T10:00:00Z');
    await scannedUntil(now.toISOString());
    await makeScanner(deps(now)).scan({ now });
    const [ber] = await ledger('ORD-BER');
    expect(ber).toMatchObject({ offsetDays: 1, status: 'queued', sendAt: '2027-01-29T08:00:00.000Z' });
    expect((await reminderJobs(env.queues)).get(ber!.id)).toMatchObject({ state: 'delayed', delay: 22 * HOUR });
  });

  it('after downtime over a weekend, the catch-up sends only the latest due reminder at its moved time', async () => {
    await scannedUntil('2027-01-21T00:00:00.000Z');
    const now = at('2027-02-01T10:00:00Z'); // Monday: the on-expiry reminder (moved from Sunday) is due
    const report = await makeScanner(deps(now)).scan({ now });
    // Berlin and Auckland: the on-expiry reminder is due (7 and 1 days before skipped); New York: its
    // Thursday reminder is the latest due (7 days before skipped), Monday 09:00 EST still ahead.
    expect(report.totals).toMatchObject({ enqueued: 4, skipped: 5 });
    const berlin = await ledger('ORD-BER');
    expect(berlin.map((r) => [r.offsetDays, r.status, r.sendAt])).toEqual([
      [7, 'skipped', '2027-01-22T08:00:00.000Z'], [1, 'skipped', '2027-01-29T08:00:00.000Z'], [0, 'queued', '2027-02-01T08:00:00.000Z'],
    ]);
  });

  it('turning weekends on loses nothing: a reminder moved to before the horizon is caught up', async () => {
    // Thursday's scan, every day open, planned up to Friday 10:00Z; Saturday's reminder was not yet planned.
    const thursday = at('2027-01-28T10:00:00Z');
    await env.store.state.set(HORIZON_KEY, thursday.toISOString());
    await makeScanner(env.deps(thursday)).scan({ now: thursday });
    expect(await env.store.state.get(HORIZON_KEY)).toBe('2027-01-29T10:00:00.000Z');
    // Friday 10:00Z, weekends now skipped: Saturday's reminder moves to Friday 08:00Z, before the horizon.
    const friday = at('2027-01-29T10:00:00Z');
    const report = await makeScanner(deps(friday)).scan({ now: friday });
    expect(report.horizon.calendarChanged).toBe(true);
    expect((await ledger('ORD-BER')).map((r) => [r.offsetDays, r.status, r.sendAt])).toEqual([[1, 'queued', '2027-01-29T08:00:00.000Z']]);
    expect(await env.store.state.get(CALENDAR_KEY)).toBe(sendCalendarText(calendar));
    // The next scan with the same calendar continues from the horizon.
    const later = at('2027-01-29T16:00:00Z');
    expect((await makeScanner(deps(later)).scan({ now: later })).horizon).toMatchObject({ calendarChanged: false, after: at('2027-01-30T10:00:00Z') });
  });

  it('a billing event plans the new cycle on business days too', async () => {
    const now = at('2027-01-28T10:00:00Z');
    const order = await env.store.directory.getOrder('ORD-BER');
    await planOrderNow(deps(now), order!, ['license'], now);
    // The latest due reminder (moved to last Friday) goes out now; Saturday's, beyond the 24 h look-ahead
    // without the calendar, is moved to tomorrow (Friday) and planned now.
    expect((await ledger('ORD-BER')).map((r) => [r.offsetDays, r.status, r.sendAt])).toEqual([
      [60, 'skipped', '2026-12-02T08:00:00.000Z'], [30, 'skipped', '2027-01-01T08:00:00.000Z'], [14, 'skipped', '2027-01-15T08:00:00.000Z'], [7, 'queued', '2027-01-22T08:00:00.000Z'], [1, 'queued', '2027-01-29T08:00:00.000Z'],
    ]);
  });

  it('the forecast follows the rule, and agrees with the domain reference over many orders', async () => {
    const reference: ForecastOrder[] = [];
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Kiritimati', 'Etc/GMT+12', 'Australia/Lord_Howe'];
    const day = (n: number) => new Date(Date.parse('2027-01-01T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 120; i += 1) {
      const outcome = await env.store.directory.applyOrderUpsert(upsert({
        orderId: `ORD-F${i}`, organization: { id: `org-f${i % 24}`, name: `Org ${i % 24}`, timeZone: zones[i % zones.length]! },
        licenseExpiresOn: day((i * 5) % 90), maintenanceExpiresOn: i % 2 === 0 ? null : day((i * 13) % 90),
      }));
      if (outcome.outcome !== 'applied') throw new Error('seed failed');
    }
    for (const id of [...Object.keys(ZONES), ...Array.from({ length: 120 }, (_, i) => `ORD-F${i}`)]) {
      const order = (await env.store.directory.getOrder(id))!;
      for (const kind of REMINDER_KINDS) reference.push({ id, kind, expiresOn: expiryOf(order, kind), timeZone: order.timeZone });
    }
    const now = at('2027-01-05T13:37:00Z');
    const actual = await makeForecaster(deps(now)).forecast({ now, days: 60 });
    const expected = forecastReminders({ orders: reference, offsets: DEFAULT_OFFSETS, from: now, days: 60, calendar });
    const normalize = (days: typeof actual) => days.map((d) => ({ ...d, orderIds: [...d.orderIds].sort() }));
    expect(normalize(actual)).toEqual(normalize(expected));
    // Different from the every-day forecast, and nothing on a UTC weekend for the UTC orders.
    const everyDay = forecastReminders({ orders: reference, offsets: DEFAULT_OFFSETS, from: now, days: 60 });
    expect(normalize(actual)).not.toEqual(normalize(everyDay));
    const utcIds = new Set(reference.filter((o) => o.timeZone === 'UTC').map((o) => o.id));
    for (const d of actual) {
      if (['Sat', 'Sun'].includes(weekday(`${d.date}T12:00:00Z`, 'UTC'))) expect(d.orderIds.filter((id) => utcIds.has(id))).toEqual([]);
    }
    // Berlin's Saturday reminder (1 day before Sunday 31 January) is counted on Friday 29th.
    expect(actual.find((d) => d.date === '2027-01-29')?.orderIds).toContain('ORD-BER');
    expect(actual.find((d) => d.date === '2027-01-30')?.orderIds ?? []).not.toContain('ORD-BER');
  });
});
