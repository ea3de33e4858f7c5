/**
 * The orders the future-slice tests plan reminders for (contract and SQLite-only): one active order
 * per time zone, all expiring on EXPIRY, and one cancelled order that must never be planned.
 */
import type { FutureReminderSlice, Store } from '../src/repositories/types';
import { at, orderEvent } from './helpers';

export const EXPIRY = '2027-01-31';
export const ZONES: Record<string, string> = {
  'ORD-AKL': 'Pacific/Auckland', 'ORD-BER': 'Europe/Berlin', 'ORD-NYC': 'America/New_York', 'ORD-LAX': 'America/Los_Angeles', 'ORD-HNL': 'Pacific/Honolulu',
};

/** Upserts one order per zone of ZONES (organization `org-<orderId>`), and ORD-OFF, cancelled. */
export async function seedZoneOrders(store: Store): Promise<void> {
  for (const [orderId, timeZone] of Object.entries(ZONES)) {
    await store.directory.applyOrderUpsert(orderEvent({
      orderId, organization: { id: `org-${orderId}`, name: orderId, timeZone }, purchaserEmail: `${orderId.toLowerCase()}@example.com`,
      licenseExpiresOn: EXPIRY, maintenanceExpiresOn: '2027-03-01',
    }));
  }
  await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-OFF', organization: { id: 'org-off', name: 'Off', timeZone: 'Europe/Berlin' }, licenseExpiresOn: EXPIRY }));
  await store.directory.applyOrderCancel('ORD-OFF', at('2026-12-01T00:00:00Z'));
}

/**
 * The license reminders 7 days before EXPIRY due in (after, until]: 09:00 on 2027-01-24 — Auckland
 * 20:00Z the day before, Berlin 08:00Z, New York 14:00Z, LA 17:00Z, Honolulu 19:00Z.
 */
export const slice = (after: string, until: string): FutureReminderSlice => ({ kind: 'license', offsetDays: 7, expiresOn: EXPIRY, after: at(after), until: at(until) });
