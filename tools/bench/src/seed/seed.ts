/**
 * Bulk demo data for `tickler db seed --orders N` and `pnpm bench scan`: organizations with members
 * (mostly active, some invited), orders with 1–4 contacts each, and expiry dates spread over the
 * coming year. Written with raw prepared statements on `@tickler/db`'s bulk-load connection, one
 * transaction per chunk, so a million orders load in well under two minutes; everything a chunk
 * writes is committed together or not at all.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '@tickler/domain';
import { withBulkLoadConnection, type BulkLoadConnection } from '@tickler/db';
import { makeBatchInsert } from './seed-batch';
import { companyName, expiryDates, PRODUCTS, personName, TIME_ZONES } from './seed-data';
import { createRandom, type Random } from './seed-random';

export interface SeedOptions {
  /** How many orders to create (a non-negative integer; the CLI's `--orders`). */
  orders: number;
  /** The instant expiry dates are spread around (the coming year from here). */
  now: Date;
  /** Called after each committed chunk with (orders done, orders total). */
  onProgress?: (done: number, total: number) => void;
  /** PRNG seed: the same seed gives the same data (default 1). */
  random?: number;
  /** Orders per transaction (default 10,000). */
  chunkSize?: number;
  /** Days after `now` over which expiry dates spread (default 365): orders ÷ spread ≈ orders expiring per day. */
  spreadDays?: number;
}

export interface SeedResult {
  organizations: number; users: number; orders: number; contacts: number;
  /** Wall time, ms. */
  ms: number;
  /** Database size afterwards, bytes. */
  bytes: number;
}

const DAY_MS = 86_400_000;
const TLD_BY_REGION: Record<string, string[]> = {
  Europe: ['de', 'co.uk', 'fr', 'es', 'pl', 'se', 'ch', 'eu', 'com'], America: ['com', 'com', 'io', 'ca', 'com.br', 'com.mx'],
  Asia: ['co.jp', 'cn', 'sg', 'in', 'ae', 'kr', 'com'], Australia: ['com.au'], Pacific: ['co.nz', 'com'], Africa: ['co.za', 'com.ng'],
};

function assertSeedOptions(options: SeedOptions): void {
  const { orders, now } = options;
  if (typeof orders !== 'number' || !Number.isSafeInteger(orders) || orders < 0) {
    throw new DomainError('invalid_order_count', `--orders must be a whole number of orders, 0 or more (got ${String(orders)}).`, '--orders');
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new DomainError('invalid_now', `--now must be a valid instant (got ${String(now)}).`, '--now');
  }
}

function statementsFor(sqlite: BulkLoadConnection) {
  const org = makeBatchInsert(sqlite, 'organizations', ['id', 'name', 'time_zone', 'created_at']);
  const user = makeBatchInsert(sqlite, 'users', ['id', 'email', 'name', 'created_at']);
  const order = makeBatchInsert(sqlite, 'orders',
    // time_zone is the organization's (a trigger would correct it, at one more write per order).
    ['id', 'organization_id', 'time_zone', 'product', 'license_expires_on', 'maintenance_expires_on', 'status', 'last_event_at', 'created_at', 'updated_at'], [org]);
  return {
    org, user, order,
    member: makeBatchInsert(sqlite, 'memberships', ['organization_id', 'user_id', 'status', 'role', 'created_at', 'activated_at'], [org, user]),
    invitation: makeBatchInsert(sqlite, 'invitations',
      ['organization_id', 'email', 'invited_by_user_id', 'token_hash', 'expires_at', 'created_at'], [org, user]),
    contact: makeBatchInsert(sqlite, 'order_contacts', ['order_id', 'user_id', 'added_by_user_id', 'created_at'], [order, user]),
  };
}
type Statements = ReturnType<typeof statementsFor>;

/** Where this run continues numbering, so seeding twice adds data instead of colliding. */
function startingPoint(sqlite: BulkLoadConnection) {
  const max = (sql: string) => (sqlite.prepare(sql).get() as { n: number | null }).n ?? 0;
  return {
    org: max(`SELECT max(CAST(substr(id, 10) AS INTEGER)) AS n FROM organizations WHERE id LIKE 'seed-org-%'`),
    order: max(`SELECT max(CAST(substr(id, 6) AS INTEGER)) AS n FROM orders WHERE id LIKE 'SEED-%'`),
    user: max(`SELECT max(id) AS n FROM users`),
  };
}

interface Counters { org: number; order: number; user: number; contacts: number; usedDomains: Set<string>; firstRun: boolean }

/** How many orders an organization has: most have a few, some many. */
function ordersPerOrganization(random: Random): number {
  const roll = random.next();
  return roll < 0.6 ? random.int(1, 3) : roll < 0.9 ? random.int(4, 10) : random.int(11, 40);
}

function domainFor(random: Random, slug: string, timeZone: string, c: Counters): string {
  const tld = random.pick(TLD_BY_REGION[timeZone.split('/')[0] ?? ''] ?? ['com']);
  const plain = `${slug}.${tld}`;
  // Suffixing with the (unique) organization number keeps domains unique within and across runs.
  const domain = c.firstRun && !c.usedDomains.has(plain) ? plain : `${slug}${c.org}.${tld}`;
  c.usedDomains.add(domain);
  return domain;
}

/** Writes one organization with its members; returns the active members' ids (owner first). */
function writeOrganization(s: Statements, random: Random, now: Date, c: Counters): { orgId: string; timeZone: string; active: number[] } {
  c.org += 1;
  const orgId = `seed-org-${String(c.org).padStart(7, '0')}`;
  const company = companyName(random);
  const timeZone = random.pick(TIME_ZONES);
  const domain = domainFor(random, company.slug, timeZone, c);
  const createdAt = now.getTime() - random.int(30, 1500) * DAY_MS;
  s.org.push(orgId, company.name, timeZone, createdAt);
  const locals = new Set<string>();
  const active: number[] = [];
  const memberCount = random.int(1, 6);
  for (let i = 0; i < memberCount; i++) {
    const person = personName(random);
    let local = person.local;
    for (let n = 2; locals.has(local); n++) local = `${person.local}${n}`;
    locals.add(local);
    c.user += 1;
    const email = `${local}@${domain}`;
    s.user.push(c.user, email, person.name, createdAt);
    const invited = i > 0 && random.chance(0.12);
    s.member.push(orgId, c.user, invited ? 'invited' : 'active', i === 0 ? 'owner' : 'member', createdAt, invited ? null : createdAt);
    if (invited) {
      const tokenHash = createHash('sha256').update(`seed-invitation:${orgId}:${c.user}`).digest('hex');
      s.invitation.push(orgId, email, active[0]!, tokenHash, now.getTime() + random.int(1, 14) * DAY_MS, now.getTime() - random.int(0, 13) * DAY_MS);
    } else {
      active.push(c.user);
    }
  }
  return { orgId, timeZone, active };
}

/** Writes `count` orders of one organization, each with 1–4 of its active members as contacts. */
function writeOrders(s: Statements, random: Random, now: Date, spreadDays: number | undefined, c: Counters, org: { orgId: string; timeZone: string; active: number[] }, count: number): void {
  const owner = org.active[0]!;
  for (let i = 0; i < count; i++) {
    c.order += 1;
    const orderId = `SEED-${String(c.order).padStart(7, '0')}`;
    const { license, maintenance } = expiryDates(random, now, spreadDays);
    const eventAt = now.getTime() - random.int(1, 400) * DAY_MS;
    s.order.push(orderId, org.orgId, org.timeZone, random.pick(PRODUCTS), license, maintenance, random.chance(0.03) ? 'cancelled' : 'active', eventAt, eventAt, eventAt);
    const pool = [...org.active];
    const contacts = Math.min(pool.length, random.int(1, 4));
    for (let k = 0; k < contacts; k++) {
      // The purchaser (owner) is usually the first contact; the rest are drawn from the other active members.
      const pickAt = k === 0 && random.chance(0.8) ? 0 : random.int(k, pool.length - 1);
      [pool[k], pool[pickAt]] = [pool[pickAt]!, pool[k]!];
      s.contact.push(orderId, pool[k]!, owner, eventAt);
      c.contacts += 1;
    }
  }
}

async function bulkLoad(sqlite: BulkLoadConnection, options: SeedOptions): Promise<Omit<SeedResult, 'ms' | 'bytes'>> {
  const random = createRandom(options.random ?? 1);
  const s = statementsFor(sqlite);
  const start = startingPoint(sqlite);
  const c: Counters = { ...start, contacts: 0, usedDomains: new Set(), firstRun: start.org === 0 };
  const total = options.orders;
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 10_000));
  let done = 0;
  const chunk = sqlite.transaction((limit: number) => {
    let written = 0;
    while (written < limit) {
      const org = writeOrganization(s, random, options.now, c);
      const count = Math.min(limit - written, ordersPerOrganization(random));
      writeOrders(s, random, options.now, options.spreadDays, c, org, count);
      written += count;
    }
    for (const batch of Object.values(s)) batch.flush();
  });
  while (done < total) {
    const limit = Math.min(chunkSize, total - done);
    chunk.immediate(limit);
    done += limit;
    options.onProgress?.(done, total);
    // Let the event loop breathe between chunks (progress output, signals).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { organizations: c.org - start.org, users: c.user - start.user, orders: c.order - start.order, contacts: c.contacts };
}

/**
 * Migrates the database at `url` and adds `options.orders` seeded orders (with organizations,
 * users, memberships, invitations and contacts). Throws DomainError `invalid_order_count`
 * (field `--orders`) for a negative, fractional or non-numeric count, before touching the database.
 */
export async function seedDatabase(url: string, options: SeedOptions): Promise<SeedResult> {
  assertSeedOptions(options);
  const started = performance.now();
  const { value: counts, bytes } = await withBulkLoadConnection(url, (sqlite) => bulkLoad(sqlite, options));
  return { ...counts, ms: Math.round(performance.now() - started), bytes };
}
