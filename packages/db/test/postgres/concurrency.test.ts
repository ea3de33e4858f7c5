/**
 * What holds when two hosts call the store at once: two stores with their own pools on one
 * PostgreSQL database stand for two hosts. SQLite, with its single writer, cannot have these tests.
 */
import type { NewDelivery, Store } from '../../src/repositories/types';
import { at, orderEvent } from '../helpers';
import { useTwoHosts, waitForLockWaiters, withClient } from './helpers';

const hosts = useTwoHosts();

/** Holds a row lock on an order from a third session while `run` starts calls that must queue behind it. */
async function withOrderLocked(orderId: string, run: (release: () => Promise<void>) => Promise<void>): Promise<void> {
  await withClient(hosts.database.url, async (client) => {
    await client.query('BEGIN');
    await client.query(`SELECT 1 FROM orders WHERE id = $1 FOR UPDATE`, [orderId]);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await client.query('COMMIT');
    };
    try {
      await run(release);
    } finally {
      await release();
    }
  });
}

const delivery = (email: string): NewDelivery => ({
  sourceType: 'broadcast', sourceId: 1, email, listId: 'newsletter:news', orderId: null, status: 'queued', reason: null,
});

describe('claimForSending on two hosts', () => {
  it('exactly one host wins each delivery, however the claims interleave', async () => {
    const rows = await hosts.a.deliveries.upsertMany(Array.from({ length: 60 }, (_, i) => delivery(`reader-${i}@acme.com`)));
    const claims = await Promise.all(rows.flatMap((row) => [hosts.a.deliveries.claimForSending(row.id), hosts.b.deliveries.claimForSending(row.id), hosts.b.deliveries.claimForSending(row.id)]));
    for (const [i, row] of rows.entries()) {
      const mine = claims.slice(i * 3, i * 3 + 3);
      expect(mine.filter((c) => c?.claimed).length).toBe(1);
      expect(await hosts.a.deliveries.get(row.id)).toMatchObject({ status: 'sending', attempts: 1 });
    }
  });
});

describe('order events on two hosts: the newest event wins whatever the commit order', () => {
  const older = orderEvent({ licenseExpiresOn: '2027-06-30', product: 'old', organization: { id: 'org-1', name: 'Acme Old', timeZone: 'Asia/Tokyo' }, occurredAt: at('2026-11-27T10:00:00Z') });
  const newer = orderEvent({ licenseExpiresOn: '2028-06-30', product: 'new', organization: { id: 'org-1', name: 'Acme New', timeZone: 'America/New_York' }, occurredAt: at('2026-11-27T11:00:00Z') });

  beforeEach(async () => {
    await hosts.a.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-26T10:00:00Z') }));
  });

  const expectNewest = async () => {
    expect(await hosts.a.directory.getOrder('ORD-1001')).toMatchObject({ licenseExpiresOn: '2028-06-30', product: 'new', organizationName: 'Acme New', timeZone: 'America/New_York' });
    expect(await hosts.b.directory.getOrganization('org-1')).toEqual({ id: 'org-1', name: 'Acme New', timeZone: 'America/New_York', locale: null });
  };

  it('the newer commits first: the older one, queued behind it, is ignored', async () => {
    await withOrderLocked('ORD-1001', async (release) => {
      const first = hosts.a.directory.applyOrderUpsert(newer);
      await waitForLockWaiters(hosts.database.url, 1);
      const second = hosts.b.directory.applyOrderUpsert(older);
      await waitForLockWaiters(hosts.database.url, 2);
      await release();
      const [a, b] = await Promise.all([first, second]);
      expect(a.outcome).toBe('applied');
      expect(b).toEqual({ outcome: 'ignored', reason: expect.stringMatching(/^out-of-order/) });
    });
    await expectNewest();
  });

  it('the older commits first: the newer one, queued behind it, is applied over it', async () => {
    await withOrderLocked('ORD-1001', async (release) => {
      const first = hosts.b.directory.applyOrderUpsert(older);
      await waitForLockWaiters(hosts.database.url, 1);
      const second = hosts.a.directory.applyOrderUpsert(newer);
      await waitForLockWaiters(hosts.database.url, 2);
      await release();
      expect((await Promise.all([first, second])).map((r) => r.outcome)).toEqual(['applied', 'applied']);
    });
    await expectNewest();
  });

  it('a cancel and an upsert of one order, and two orders of one organization, race without losing the newest', async () => {
    const cases = Array.from({ length: 12 }, (_, i) => i);
    await Promise.all(cases.map((i) => hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: `ORD-${i}`, occurredAt: at('2026-11-26T10:00:00Z') }))));
    await Promise.all(cases.flatMap((i) => {
      const cancel = (host: Store) => host.directory.applyOrderCancel(`ORD-${i}`, at('2026-11-27T10:00:00Z'));
      const upsert = (host: Store) => host.directory.applyOrderUpsert(orderEvent({
        orderId: `ORD-${i}`, occurredAt: at(`2026-11-27T${i % 2 === 0 ? '11' : '09'}:00:00Z`),
        organization: { id: 'org-1', name: `Acme ${i}`, timeZone: 'Europe/Berlin' },
      }));
      // Even orders: the upsert is newer; odd orders: the cancel is. Hosts and start order alternate.
      return i % 4 < 2 ? [cancel(hosts.a), upsert(hosts.b)] : [upsert(hosts.a), cancel(hosts.b)];
    }));
    for (const i of cases) {
      expect((await hosts.a.directory.getOrder(`ORD-${i}`))?.status).toBe(i % 2 === 0 ? 'active' : 'cancelled');
    }
    // The organization follows the newest upsert of any of its orders (11:00, of the even orders): one of them.
    expect((await hosts.a.directory.getOrganization('org-1'))?.name).toMatch(/^Acme (0|2|4|6|8|10)$/);
  });
});

describe('other shared writes on two hosts', () => {
  it('claimState: exactly one host claims each key', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `queues.prefix.${i}`);
    const claims = await Promise.all(keys.flatMap((key) => [hosts.a.state.claim(key, 'a'), hosts.b.state.claim(key, 'b')]));
    for (const [i, key] of keys.entries()) {
      const [a, b] = [claims[i * 2], claims[i * 2 + 1]];
      expect([a, b].filter(Boolean)).toHaveLength(1);
      expect(await hosts.a.state.get(key)).toBe(a ? 'a' : 'b');
    }
  });

  it('two schedulers planning one slice insert each reminder once and hand each to exactly one of them', async () => {
    for (let i = 0; i < 40; i++) {
      await hosts.a.directory.applyOrderUpsert(orderEvent({
        orderId: `ORD-${i}`, organization: { id: `org-${i % 5}`, name: 'X', timeZone: ['UTC', 'Europe/Berlin', 'Asia/Tokyo', 'America/Denver', 'Pacific/Auckland'][i % 5]! },
        purchaserEmail: `p${i}@acme.com`,
      }));
    }
    const slice = { kind: 'license' as const, offsetDays: 7, expiresOn: '2027-01-31', after: at('2027-01-23T00:00:00Z'), until: at('2027-01-25T00:00:00Z') };
    const [a, b] = await Promise.all([hosts.a.reminders.planFutureSlice(slice, { dryRun: false }), hosts.b.reminders.planFutureSlice(slice, { dryRun: false })]);
    expect(a.due).toBe(40);
    const ids = [...a.inserted, ...b.inserted].map((r) => r.id);
    expect(new Set(ids).size).toBe(40);
    expect(ids).toHaveLength(40);
  });

  it('two edges recording the same events: one row each, exactly one caller told it is new', async () => {
    const event = (n: number) => ({ source: 'billing', eventId: `evt-${n}`, type: 'order.upserted', status: 'pending' as const, payload: '{}' });
    const [a, b] = await Promise.all([
      hosts.a.inboundEvents.recordMany(Array.from({ length: 50 }, (_, n) => event(n))),
      hosts.b.inboundEvents.recordMany(Array.from({ length: 50 }, (_, n) => event(49 - n))),
    ]);
    for (let n = 0; n < 50; n++) {
      const fromA = a[n]!;
      const fromB = b[49 - n]!;
      expect(fromA.row.id).toBe(fromB.row.id);
      expect([fromA.duplicate, fromB.duplicate].filter((d) => !d)).toHaveLength(1);
    }
    expect((await hosts.a.inboundEvents.countBySourceAndStatus())).toEqual([{ source: 'billing', status: 'pending', count: 50 }]);
  });

  it('two mailers fanning out the same reminder get the same delivery rows', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => delivery(`r${i}@acme.com`));
    const [a, b] = await Promise.all([hosts.a.deliveries.upsertMany(rows), hosts.b.deliveries.upsertMany([...rows].reverse())]);
    expect(a.map((d) => d.id)).toEqual([...b].reverse().map((d) => d.id));
    expect(await hosts.a.deliveries.countByStatusAndReason()).toEqual([{ status: 'queued', reason: null, count: 200 }]);
  });

  it('two invitations of one person at once leave one open invitation', async () => {
    await hosts.a.directory.applyOrderUpsert(orderEvent());
    const invite = (host: Store, tokenHash: string) => host.invitations.createOrRenew({
      organizationId: 'org-1', email: 'bob@acme.com', invitedByEmail: 'ann@acme.com', tokenHash, expiresAt: at('2027-01-01T00:00:00Z'),
    });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => invite(i % 2 === 0 ? hosts.a : hosts.b, `hash-${i}`)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const open = await withClient(hosts.database.url, async (client) => (await client.query(`SELECT token_hash FROM invitations WHERE accepted_at IS NULL`)).rows);
    expect(open).toHaveLength(1);
  });

  it('invitation limits hold across hosts: of many invitations of one address at once, at most the limit gets through', async () => {
    await hosts.a.directory.applyOrderUpsert(orderEvent());
    const limit = { max: 3, windowMs: 3_600_000 };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? hosts.a : hosts.b).invitations.createOrRenewWithinLimit(
      { organizationId: 'org-1', email: 'bob@acme.com', invitedByEmail: 'ann@acme.com', tokenHash: `hash-${i}`, expiresAt: at('2027-01-01T00:00:00Z') },
      at('2026-11-27T10:00:00Z'), limit)));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(new Set(results.flatMap((r) => (r.ok ? [r.invitation.id] : []))).size).toBe(1);
  });

  it('two hosts removing an order\'s last two recipients at once: one of them stays', async () => {
    await hosts.a.directory.applyOrderUpsert(orderEvent()); // ann: owner and contact
    await hosts.a.invitations.createOrRenew({ organizationId: 'org-1', email: 'bob@acme.com', invitedByEmail: 'ann@acme.com', tokenHash: 'h', expiresAt: at('2027-01-01T00:00:00Z') });
    await hosts.a.invitations.accept((await hosts.a.invitations.findByTokenHash('h'))!.id, at('2026-11-27T00:00:00Z'));
    await hosts.a.directory.addContact('ORD-1001', 'bob@acme.com', 'ann@acme.com');
    const outcomes = await Promise.all([hosts.a.directory.removeContact('ORD-1001', 'ann@acme.com'), hosts.b.directory.removeContact('ORD-1001', 'bob@acme.com')]);
    expect([...outcomes].sort()).toEqual(['last-recipient', 'removed']);
    expect(await hosts.a.directory.listContacts('ORD-1001')).toHaveLength(1);
  });
});
