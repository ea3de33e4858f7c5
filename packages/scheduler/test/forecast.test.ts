/** The forecast over a real SQLite file: per UTC day, per kind, with order ids — and the same answer as the domain's reference. */
import { DEFAULT_OFFSETS, forecastReminders, REMINDER_KINDS, expiryOf, type ForecastOrder } from '@tickler/domain';
import { makeForecaster } from '../src';
import { at, makeTestEnv, upsert, type TestEnv } from './helpers';

describe('forecaster', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeTestEnv('forecast');
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('counts reminders per UTC day of their send time, by kind, naming the orders', async () => {
    const zones: Array<[string, string, string | null]> = [['ORD-BER', 'Europe/Berlin', '2027-02-01'], ['ORD-AKL', 'Pacific/Auckland', null], ['ORD-LAX', 'America/Los_Angeles', null]];
    for (const [orderId, timeZone, maintenanceExpiresOn] of zones) {
      await env.store.directory.applyOrderUpsert(upsert({ orderId, organization: { id: `org-${orderId}`, name: orderId, timeZone }, maintenanceExpiresOn }));
    }
    const now = at('2027-01-23T10:00:00Z');
    const days = await makeForecaster(env.deps(now)).forecast({ now, days: 3 });
    // 7 days before 2027-01-31 at 09:00 local: Auckland 2027-01-23T20:00Z, Berlin 2027-01-24T08:00Z,
    // Los Angeles 2027-01-24T17:00Z; Berlin's maintenance (2027-02-01) 7 days before: 2027-01-25T08:00Z.
    expect(days).toEqual([
      { date: '2027-01-23', counts: { license: 1, maintenance: 0 }, orderIds: ['ORD-AKL'] },
      { date: '2027-01-24', counts: { license: 2, maintenance: 0 }, orderIds: ['ORD-LAX', 'ORD-BER'] }, // read by (expiry, zone, id)
      { date: '2027-01-25', counts: { license: 0, maintenance: 1 }, orderIds: ['ORD-BER'] },
    ]);
    await expect(makeForecaster(env.deps(now)).forecast({ now, days: 0 })).rejects.toMatchObject({ code: 'invalid_forecast_days' });
  });

  it('agrees with the domain’s reference forecast over many orders and zones', async () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kathmandu', 'Pacific/Chatham', 'Australia/Lord_Howe'];
    const day = (n: number) => new Date(Date.parse('2027-01-01T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10);
    const reference: ForecastOrder[] = [];
    for (let i = 0; i < 240; i += 1) {
      const orderId = `ORD-${i}`;
      const outcome = await env.store.directory.applyOrderUpsert(upsert({
        orderId, organization: { id: `org-${i % 40}`, name: `Org ${i % 40}`, timeZone: zones[(i % 40) % zones.length]! },
        licenseExpiresOn: day((i * 7) % 120), maintenanceExpiresOn: i % 3 === 0 ? null : day((i * 11) % 120),
      }));
      if (outcome.outcome !== 'applied') throw new Error('seed failed');
      for (const kind of REMINDER_KINDS) reference.push({ id: orderId, kind, expiresOn: expiryOf(outcome.order, kind), timeZone: outcome.order.timeZone });
    }
    const now = at('2027-01-10T13:37:00Z');
    const actual = await makeForecaster(env.deps(now)).forecast({ now, days: 45 });
    const expected = forecastReminders({ orders: reference, offsets: DEFAULT_OFFSETS, from: now, days: 45 });
    const normalize = (days: typeof actual) => days.map((d) => ({ ...d, orderIds: [...d.orderIds].sort() }));
    expect(normalize(actual)).toEqual(normalize(expected));
    expect(actual.reduce((n, d) => n + d.counts.license + d.counts.maintenance, 0)).toBeGreaterThan(100);
  });
});
