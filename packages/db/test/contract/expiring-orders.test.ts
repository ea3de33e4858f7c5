/** `findOrdersExpiringBetween`: keyset pages of active orders by (expiry, zone, id), on every store. */
import type { OrderWithZone } from '../../src/repositories/types';
import { at, orderEvent } from '../helpers';
import { STORE_KINDS, useTestStore } from '../stores';

async function collect(pages: AsyncIterable<OrderWithZone[]>): Promise<OrderWithZone[][]> {
  const out: OrderWithZone[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe.each(STORE_KINDS)('%s store: findOrdersExpiringBetween', (kind) => {
  const ctx = useTestStore(kind);

  it('streams active orders in the inclusive range, by (expiry, zone, id), in keyset pages, with the time zone', async () => {
    const { store } = ctx.current;
    const dates = ['2027-01-01', '2027-01-02', '2027-01-02', '2027-01-02', '2027-01-03', '2027-01-05', '2027-01-06', '2027-01-02', '2027-01-02'];
    for (const [i, date] of dates.entries()) {
      await store.directory.applyOrderUpsert(orderEvent({
        orderId: `ORD-${i}`, licenseExpiresOn: date, maintenanceExpiresOn: i === 0 ? null : '2030-01-01',
        organization: i % 2 === 0 ? { id: 'org-a', name: 'A', timeZone: 'Asia/Tokyo' } : { id: 'org-b', name: 'B', timeZone: 'America/New_York' },
      }));
    }
    await store.directory.applyOrderCancel('ORD-3', at('2026-12-01T00:00:00Z'));
    const repo = ctx.current.directoryWithPageSize(2);
    // Page breaks fall inside 2027-01-02 (four active orders that day), at a zone's end and inside
    // a zone: none is lost or repeated.
    const pages = await collect(repo.findOrdersExpiringBetween('license', '2027-01-02', '2027-01-05'));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    expect(pages.flat().map((o) => [o.id, o.licenseExpiresOn, o.timeZone])).toEqual([
      ['ORD-1', '2027-01-02', 'America/New_York'],
      ['ORD-7', '2027-01-02', 'America/New_York'],
      ['ORD-2', '2027-01-02', 'Asia/Tokyo'],
      ['ORD-8', '2027-01-02', 'Asia/Tokyo'],
      ['ORD-4', '2027-01-03', 'Asia/Tokyo'],
      ['ORD-5', '2027-01-05', 'America/New_York'],
    ]);
    const threes = await collect(ctx.current.directoryWithPageSize(3).findOrdersExpiringBetween('license', '2027-01-02', '2027-01-05'));
    expect(threes.flat().map((o) => o.id)).toEqual(['ORD-1', 'ORD-7', 'ORD-2', 'ORD-8', 'ORD-4', 'ORD-5']);
    expect((await collect(repo.findOrdersExpiringBetween('license', '2027-01-02', '2027-01-02'))).flat().map((o) => o.id)).toEqual(['ORD-1', 'ORD-7', 'ORD-2', 'ORD-8']);
    expect(await collect(repo.findOrdersExpiringBetween('license', '2027-01-05', '2027-01-02'))).toEqual([]);
    const maintenance = (await collect(store.directory.findOrdersExpiringBetween('maintenance', '2000-01-01', '2100-01-01'))).flat();
    expect(maintenance.map((o) => o.id).sort()).toEqual(['ORD-1', 'ORD-2', 'ORD-4', 'ORD-5', 'ORD-6', 'ORD-7', 'ORD-8']);
    expect(await collect(store.directory.findOrdersExpiringBetween('license', '2028-01-01', '2028-12-31'))).toEqual([]);
  });
});
