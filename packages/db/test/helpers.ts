/** Test helpers: every test gets its own SQLite file in a fresh temp folder. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OrderUpsert, Store } from '../src/repositories/types';
import { openStore } from '../src/sqlite/open-store';
import { MIGRATIONS_FOLDER } from '../src/sqlite/connection';

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-db-test-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Opens a migrated store on a new file; `close` also deletes the folder. */
export async function openTempStore(): Promise<{ store: Store; url: string; dir: string; close: () => Promise<void> }> {
  const { dir, cleanup } = makeTempDir();
  const url = `file:${path.join(dir, 'nested', 'tickler.db')}`;
  const store = await openStore({ url });
  return { store, url, dir, close: async () => { await store.close(); cleanup(); } };
}

export const at = (iso: string) => new Date(iso);

/** How many migrations are committed (drizzle's journal). */
export const MIGRATION_COUNT = (JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

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
