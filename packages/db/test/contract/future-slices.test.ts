/**
 * The scan's hot path (`reminders.planFutureSlice`) on every store: 09:00 local per organization
 * zone, the window (after, until], active orders only, each identity once, dry runs, zone changes.
 */
import { createSendCalendar, sendAtMs } from '@tickler/domain';
import type { FutureReminderSlice, Store } from '../../src/repositories/types';
import { EXPIRY, seedZoneOrders, slice, ZONES } from '../future-slice-orders';
import { at, orderEvent } from '../helpers';
import { STORE_KINDS, useTestStore } from '../stores';

describe.each(STORE_KINDS)('%s store', (kind) => {
  const ctx = useTestStore(kind);
  let store: Store;
  beforeEach(async () => {
    store = ctx.current.store;
    await seedZoneOrders(store);
  });

  async function ledgerOrderIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const orderId of [...Object.keys(ZONES), 'ORD-OFF']) {
      if ((await store.reminders.listForOrder(orderId)).length > 0) ids.push(orderId);
    }
    return ids;
  }

  describe('planFutureSlice', () => {
    it('inserts the active orders whose 09:00 local falls in (after, until] as queued, once', async () => {
      const window = slice('2027-01-24T08:00:00Z', '2027-01-24T17:00:00Z'); // Berlin excluded (= after), LA included (= until)
      const first = await store.reminders.planFutureSlice(window, { dryRun: false });
      expect(first).toMatchObject({ due: 2, fresh: 2 });
      const rows = await Promise.all(first.inserted.map(async (r) => store.reminders.get(r.id)));
      expect(rows.map((r) => [r?.orderId, r?.status, r?.offsetDays, r?.expiresOn, r?.sendAt.toISOString()]).sort()).toEqual([
        ['ORD-LAX', 'queued', 7, EXPIRY, '2027-01-24T17:00:00.000Z'],
        ['ORD-NYC', 'queued', 7, EXPIRY, '2027-01-24T14:00:00.000Z'],
      ]);
      // Each send time is the domain's, computed through the SQL function.
      for (const row of rows) expect(row?.sendAt.getTime()).toBe(sendAtMs(EXPIRY, 7, ZONES[row!.orderId]!));
      expect(first.inserted.map((r) => r.id)).toEqual([...first.inserted.map((r) => r.id)].sort((a, b) => a - b));

      const again = await store.reminders.planFutureSlice(window, { dryRun: false });
      expect(again).toEqual({ due: 2, fresh: 0, inserted: [] });
      expect(await ledgerOrderIds()).toEqual(['ORD-NYC', 'ORD-LAX']);
    });

    it('a dry run counts what it would insert and writes nothing', async () => {
      const day = slice('2027-01-23T00:00:00Z', '2027-01-25T00:00:00Z');
      await store.reminders.planFutureSlice(slice('2027-01-24T12:00:00Z', '2027-01-24T15:00:00Z'), { dryRun: false }); // New York only
      expect(await store.reminders.planFutureSlice(day, { dryRun: true })).toEqual({ due: 5, fresh: 4, inserted: [] });
      expect(await ledgerOrderIds()).toEqual(['ORD-NYC']);
      expect((await store.reminders.planFutureSlice(day, { dryRun: false })).fresh).toBe(4);
      expect(await ledgerOrderIds()).toEqual(Object.keys(ZONES));
    });

    it('follows an organization time-zone change at once', async () => {
      const newYorkMorning = slice('2027-01-24T13:00:00Z', '2027-01-24T15:00:00Z');
      await store.directory.applyOrderUpsert(orderEvent({
        orderId: 'ORD-BER', organization: { id: 'org-ORD-BER', name: 'Moved', timeZone: 'America/Toronto' }, purchaserEmail: 'ord-ber@example.com',
        licenseExpiresOn: EXPIRY, maintenanceExpiresOn: '2027-03-01', occurredAt: at('2026-11-27T10:00:00Z'),
      }));
      const plan = await store.reminders.planFutureSlice(newYorkMorning, { dryRun: false });
      expect(plan.due).toBe(2);
      expect(await ledgerOrderIds()).toEqual(['ORD-BER', 'ORD-NYC']);
    });
  });

  describe('with a send calendar (business days)', () => {
    // 2027-01-31 is a Sunday: 7 days before is Sunday 24 January, moved back to Friday 22nd; Honolulu also
    // has Friday 22nd as a holiday, so Thursday 21st there.
    const calendar = createSendCalendar({ skipWeekends: true, holidays: ['Pacific/Honolulu 2027-01-22'] });
    const weekSlice = (after: string, until: string): FutureReminderSlice => ({ ...slice(after, until), calendar });

    it('plans each order at 09:00 local on its business day, and nothing on the weekend', async () => {
      expect(await store.reminders.planFutureSlice(weekSlice('2027-01-23T00:00:00Z', '2027-01-26T00:00:00Z'), { dryRun: true }))
        .toEqual({ due: 0, fresh: 0, inserted: [] });
      const plan = await store.reminders.planFutureSlice(weekSlice('2027-01-20T00:00:00Z', '2027-01-23T00:00:00Z'), { dryRun: false });
      expect(plan.due).toBe(5);
      const rows = await Promise.all(plan.inserted.map(async (r) => store.reminders.get(r.id)));
      expect(Object.fromEntries(rows.map((r) => [r!.orderId, r!.sendAt.toISOString()]))).toEqual({
        'ORD-AKL': '2027-01-21T20:00:00.000Z', 'ORD-BER': '2027-01-22T08:00:00.000Z', 'ORD-NYC': '2027-01-22T14:00:00.000Z',
        'ORD-LAX': '2027-01-22T17:00:00.000Z', 'ORD-HNL': '2027-01-21T19:00:00.000Z',
      });
      for (const row of rows) expect(row!.sendAt.getTime()).toBe(sendAtMs(EXPIRY, 7, ZONES[row!.orderId]!, calendar));
      // Identity unchanged: the offset and expiry date are the reminder's own.
      expect(new Set(rows.map((r) => `${r!.kind}|${r!.expiresOn}|${r!.offsetDays}`))).toEqual(new Set([`license|${EXPIRY}|7`]));
    });

    it('retimes open reminders to the business day of the new zone when the organization moves', async () => {
      await store.reminders.planFutureSlice(weekSlice('2027-01-20T00:00:00Z', '2027-01-23T00:00:00Z'), { dryRun: false });
      const outcome = await store.directory.applyOrderUpsert({
        ...orderEvent({
          orderId: 'ORD-BER', organization: { id: 'org-ORD-BER', name: 'Moved', timeZone: 'Pacific/Honolulu' }, purchaserEmail: 'ord-ber@example.com',
          licenseExpiresOn: EXPIRY, maintenanceExpiresOn: '2027-03-01', occurredAt: at('2026-11-27T10:00:00Z'),
        }),
        calendar,
      });
      expect(outcome).toMatchObject({ outcome: 'applied', retimed: 1 });
      const [row] = await store.reminders.listForOrder('ORD-BER');
      expect(row!.sendAt.toISOString()).toBe('2027-01-21T19:00:00.000Z');
    });
  });
});
