/**
 * SQLite only: the planner reads the covering due index alone, plans on an in-memory database, the
 * orders' copy of their organization's zone is kept by triggers, and `tickler_send_at` is the domain's.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { addDays, createSendCalendar, sendAtMs, sendCalendarText } from '@tickler/domain';
import type { Store } from '../../src/repositories/types';
import { openConnection } from '../../src/sqlite/connection';
import { collectSliceSql } from '../../src/sqlite/future-slices';
import { openSqliteStore } from '../../src/sqlite/open-store';
import { EXPIRY, seedZoneOrders, slice } from '../future-slice-orders';
import { openTempStore, orderEvent } from './helpers';

let store: Store;
let url: string;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ store, url, close } = await openTempStore());
  await seedZoneOrders(store);
});
afterEach(async () => close());

describe('planFutureSlice on SQLite', () => {
  it('reads the due index alone: no table, no organization lookup', () => {
    const sqlite = openConnection(url);
    sqlite.exec(`CREATE TEMP TABLE IF NOT EXISTS scan_due (order_id TEXT NOT NULL, send_at INTEGER NOT NULL)`);
    for (const kind of ['license', 'maintenance'] as const) {
      const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${collectSliceSql(kind)}`).all(EXPIRY, 7, sendCalendarText(createSendCalendar({ skipWeekends: true })), EXPIRY, 0, 1) as Array<{ detail: string }>).map((r) => r.detail);
      expect(plan).toContain(`SEARCH o USING COVERING INDEX orders_${kind}_due_idx (${kind}_expires_on=?)`);
      expect(plan.join('\n')).not.toMatch(/organizations|SCAN o/);
    }
    sqlite.close();
  });

  it('plans on an in-memory database too (on its one connection)', async () => {
    const memory = await openSqliteStore({ url: ':memory:' });
    await memory.directory.applyOrderUpsert(orderEvent({ licenseExpiresOn: EXPIRY }));
    expect(await memory.reminders.planFutureSlice(slice('2027-01-24T00:00:00Z', '2027-01-25T00:00:00Z'), { dryRun: false })).toMatchObject({ due: 1, fresh: 1 });
    await memory.close();
  });
});

describe('orders.time_zone', () => {
  const zoneOf = (orderId: string) => (new Database(url.slice('file:'.length), { readonly: true })
    .prepare(`SELECT time_zone FROM orders WHERE id = ?`).get(orderId) as { time_zone: string }).time_zone;

  it('is the organization\'s, whatever writes orders or organizations', () => {
    expect(zoneOf('ORD-AKL')).toBe('Pacific/Auckland');
    const sqlite = openConnection(url);
    // A write that forgets the zone, or sets another, is corrected by the triggers.
    sqlite.prepare(`INSERT INTO orders (id, organization_id, product) VALUES ('ORD-RAW', 'org-ORD-NYC', 'SDK')`).run();
    expect(zoneOf('ORD-RAW')).toBe('America/New_York');
    sqlite.prepare(`UPDATE orders SET time_zone = 'UTC' WHERE id = 'ORD-RAW'`).run();
    expect(zoneOf('ORD-RAW')).toBe('America/New_York');
    sqlite.prepare(`UPDATE orders SET organization_id = 'org-ORD-AKL' WHERE id = 'ORD-RAW'`).run();
    expect(zoneOf('ORD-RAW')).toBe('Pacific/Auckland');
    sqlite.prepare(`UPDATE organizations SET time_zone = 'Asia/Tokyo' WHERE id = 'org-ORD-AKL'`).run();
    expect([zoneOf('ORD-RAW'), zoneOf('ORD-AKL'), zoneOf('ORD-NYC')]).toEqual(['Asia/Tokyo', 'Asia/Tokyo', 'America/New_York']);
    sqlite.close();
  });
});

describe('tickler_send_at', () => {
  it('is the domain rule, and names its arguments when they are not (text, integer, text)', () => {
    const sqlite = openConnection(':memory:');
    expect(sqlite.prepare(`SELECT tickler_send_at('2027-01-31', 7, 'Europe/Berlin') AS at`).get()).toEqual({ at: sendAtMs('2027-01-31', 7, 'Europe/Berlin') });
    expect(() => sqlite.prepare(`SELECT tickler_send_at(NULL, 7, 'UTC')`).get()).toThrow(/tickler_send_at\(null, 7, UTC\): expected \(text, integer, text\)/);
    expect(() => sqlite.prepare(`SELECT tickler_send_at('2027-01-31', 7, 'Mars/Olympus')`).get()).toThrow(/Mars\/Olympus/);
    sqlite.close();
  });
});

describe('tickler_send_at with a send calendar', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Kiritimati', 'Etc/GMT+12', 'America/Santiago', 'Asia/Kolkata'];
  const sampleArb = fc.record({
    zone: fc.constantFrom(...zones),
    expiresOn: fc.integer({ min: 0, max: 5 * 365 }).map((n) => addDays('2026-01-01', n)),
    offsetDays: fc.integer({ min: -60, max: 60 }),
    skipWeekends: fc.boolean(),
    holidays: fc.array(fc.tuple(fc.integer({ min: -6, max: 6 }), fc.boolean()), { maxLength: 6 }),
  });

  it('is the domain rule with the same calendar, for random zones, dates, offsets and holidays around the send day', () => {
    const sqlite = openConnection(':memory:');
    const query = sqlite.prepare(`SELECT tickler_send_at(?, ?, ?, ?) AS at`);
    let moved = 0;
    fc.assert(fc.property(sampleArb, ({ zone, expiresOn, offsetDays, skipWeekends, holidays }) => {
      const day = addDays(expiresOn, -offsetDays);
      const keys = holidays.map(([near, global]) => (global ? addDays(day, near) : `${zone} ${addDays(day, near)}`));
      const calendar = createSendCalendar({ skipWeekends, holidays: keys });
      const expected = sendAtMs(expiresOn, offsetDays, zone, calendar);
      if (expected !== sendAtMs(expiresOn, offsetDays, zone)) moved += 1;
      expect(query.get(expiresOn, offsetDays, zone, sendCalendarText(calendar))).toEqual({ at: expected });
    }), { numRuns: 2000 });
    expect(moved).toBeGreaterThan(200);
    expect(() => sqlite.prepare(`SELECT tickler_send_at('2027-01-31', 7, 'UTC', 'weekends')`).get()).toThrow();
    sqlite.close();
  });
});
