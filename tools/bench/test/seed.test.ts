import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '@tickler/db';
import { assertTimeZone, DomainError } from '@tickler/domain';
import { seedDatabase } from '../src';

const now = new Date('2026-11-27T00:00:00Z');
let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-bench-seed-'));
  file = path.join(dir, 'data', 'tickler.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const query = <T>(sql: string): T[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
};

describe('seedDatabase', () => {
  it('creates the requested orders with organizations, members and 1–4 active-member contacts each', async () => {
    const progress: Array<[number, number]> = [];
    const result = await seedDatabase(`file:${file}`, { orders: 2_500, now, chunkSize: 1_000, onProgress: (d, t) => progress.push([d, t]) });
    expect(result).toMatchObject({ orders: 2_500, ms: expect.any(Number) });
    expect(progress).toEqual([[1_000, 2_500], [2_000, 2_500], [2_500, 2_500]]);
    expect(result.bytes).toBe(fs.statSync(file).size);
    const [counts] = query<{ orgs: number; users: number; orders: number; contacts: number }>(`SELECT
      (SELECT count(*) FROM organizations) orgs, (SELECT count(*) FROM users) users, (SELECT count(*) FROM orders) orders,
      (SELECT count(*) FROM order_contacts) contacts`);
    expect(counts).toEqual({ orgs: result.organizations, users: result.users, orders: 2_500, contacts: result.contacts });
    expect(result.organizations).toBeGreaterThan(100);
    const perOrder = query<{ n: number }>(`SELECT count(c.user_id) n FROM orders o LEFT JOIN order_contacts c ON c.order_id = o.id GROUP BY o.id`);
    expect(Math.min(...perOrder.map((r) => r.n))).toBe(1);
    expect(Math.max(...perOrder.map((r) => r.n))).toBe(4);
    const notActive = query(`SELECT 1 FROM order_contacts c JOIN orders o ON o.id = c.order_id
      LEFT JOIN memberships m ON m.organization_id = o.organization_id AND m.user_id = c.user_id WHERE m.status IS NOT 'active'`);
    expect(notActive).toEqual([]);
    const statuses = query<{ status: string; n: number }>(`SELECT status, count(*) n FROM memberships GROUP BY status ORDER BY status`);
    expect(statuses.map((s) => s.status)).toEqual(['active', 'invited']);
    expect(statuses[0]!.n).toBeGreaterThan(statuses[1]!.n * 4);
    expect(query(`SELECT 1 FROM memberships m LEFT JOIN invitations i ON i.organization_id = m.organization_id
      AND i.email = (SELECT email FROM users WHERE id = m.user_id) WHERE m.status = 'invited' AND i.id IS NULL`)).toEqual([]);
  });

  it('spreads expiry dates over the coming year, some missing and some past, in varied IANA zones', async () => {
    await seedDatabase(`file:${file}`, { orders: 3_000, now });
    const [spread] = query<{ noLicense: number; noMaintenance: number; past: number; first: string; last: string }>(`SELECT
      sum(license_expires_on IS NULL) noLicense, sum(maintenance_expires_on IS NULL) noMaintenance,
      sum(license_expires_on < '2026-11-27') past, min(license_expires_on) first, max(license_expires_on) last FROM orders`);
    expect(spread!.noLicense).toBeGreaterThan(0);
    expect(spread!.noMaintenance).toBeGreaterThan(spread!.noLicense);
    expect(spread!.past).toBeGreaterThan(0);
    expect(spread!.first < '2026-11-27').toBe(true);
    expect(spread!.last > '2027-10-01' && spread!.last <= '2027-11-27').toBe(true);
    const zones = query<{ time_zone: string }>(`SELECT DISTINCT time_zone FROM organizations`).map((z) => z.time_zone);
    expect(zones.length).toBeGreaterThan(15);
    for (const zone of zones) expect(assertTimeZone(zone)).toBe(zone);
    const products = query<{ product: string }>(`SELECT DISTINCT product FROM orders`).map((p) => p.product);
    expect(products).toEqual(expect.arrayContaining(['Barcode Reader SDK', 'Dynamic Web TWAIN']));
    const emails = query<{ email: string }>(`SELECT email FROM users LIMIT 50`).map((u) => u.email);
    for (const email of emails) expect(email).toMatch(/^[a-z]+\.[a-z]+\d*@[a-z]+-[a-z]+\d*\.[a-z.]+$/);
  });

  it('is deterministic for a seed, and seeding again adds data without collisions', async () => {
    const other = path.join(dir, 'other.db');
    await seedDatabase(`file:${file}`, { orders: 300, now, random: 7 });
    await seedDatabase(`file:${other}`, { orders: 300, now, random: 7 });
    const dump = (f: string) => {
      const db = new Database(f, { readonly: true });
      const rows = db.prepare(`SELECT o.id, o.product, o.license_expires_on, g.name, g.time_zone FROM orders o JOIN organizations g ON g.id = o.organization_id ORDER BY o.id`).all();
      db.close();
      return rows;
    };
    expect(dump(file)).toEqual(dump(other));
    const second = await seedDatabase(`file:${file}`, { orders: 300, now, random: 7 });
    expect(second.orders).toBe(300);
    expect(query<{ n: number }>(`SELECT count(*) n FROM orders`)[0]!.n).toBe(600);
  });

  it('leaves a database the store can read: seeded orders show up in the expiry scan', async () => {
    await seedDatabase(`file:${file}`, { orders: 500, now });
    const store = await openStore({ url: `file:${file}` });
    let found = 0;
    for await (const page of store.directory.findOrdersExpiringBetween('license', '2026-11-27', '2027-11-27')) found += page.length;
    const [expected] = query<{ n: number }>(`SELECT count(*) n FROM orders WHERE status = 'active' AND license_expires_on BETWEEN '2026-11-27' AND '2027-11-27'`);
    expect(found).toBe(expected!.n);
    expect(found).toBeGreaterThan(300);
    const [order] = query<{ id: string }>(`SELECT id FROM orders LIMIT 1`);
    expect((await store.directory.listContacts(order!.id)).every((c) => c.membershipStatus === 'active')).toBe(true);
    await store.close();
  });

  it.each([-1, Number.NaN, 1.5, Number.POSITIVE_INFINITY, '10' as unknown as number])('refuses --orders %p before touching the database', async (orders) => {
    const attempt = seedDatabase(`file:${file}`, { orders, now });
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(seedDatabase(`file:${file}`, { orders, now })).rejects.toMatchObject({ code: 'invalid_order_count', field: '--orders', message: expect.stringContaining('--orders') });
    expect(fs.existsSync(file)).toBe(false);
  });

  it('seeds nothing for 0 orders but still migrates', async () => {
    expect(await seedDatabase(`file:${file}`, { orders: 0, now })).toMatchObject({ organizations: 0, users: 0, orders: 0, contacts: 0 });
    expect(query(`SELECT 1 FROM orders`)).toEqual([]);
  });
});
