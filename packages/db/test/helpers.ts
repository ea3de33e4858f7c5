/** Test helpers shared by the contract, SQLite and PostgreSQL tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OrderUpsert } from '../src/repositories/types';

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-db-test-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const at = (iso: string) => new Date(iso);

/** How many migrations a migrations folder holds (drizzle's journal). */
export function migrationCount(folder: string): number {
  return (JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;
}

/** An `order.upserted` event with sensible defaults. */
export function orderEvent(overrides: Partial<OrderUpsert> = {}): OrderUpsert {
  return {
    orderId: 'ORD-1001',
    organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin' },
    product: 'Barcode Reader SDK',
    licenseExpiresOn: '2027-01-31',
    maintenanceExpiresOn: '2027-01-31',
    purchaserEmail: 'Ann@Acme.com',
    purchaserName: 'Ann',
    occurredAt: at('2026-11-26T10:00:00Z'),
    ...overrides,
  };
}
