/** Test helpers shared by the contract, SQLite and PostgreSQL tests. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
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

const run = promisify(execFile);
const TSX = path.resolve(__dirname, '../../../node_modules/.bin/tsx');

/**
 * Runs `migrateDatabase(url)` in `processes` separate tsx processes (workspace packages from their
 * sources) that all start at the same instant, about 4 s from now, so their migrations really
 * overlap. Returns how many migrations each process applied; a process that fails rejects.
 */
export async function migrateConcurrently(url: string, processes = 4): Promise<number[]> {
  const temp = makeTempDir();
  try {
    const script = path.join(temp.dir, 'migrate.ts');
    fs.writeFileSync(script, `import { migrateDatabase } from ${JSON.stringify(path.resolve(__dirname, '../src/open-store'))};
const startAt = Number(process.argv[3]);
setTimeout(() => migrateDatabase(process.argv[2]!).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); }),
  Math.max(0, startAt - Date.now()));\n`);
    const startAt = String(Date.now() + 4_000);
    const results = await Promise.all(Array.from({ length: processes }, () => run(TSX, ['--conditions=development', script, url, startAt], { timeout: 45_000 })));
    return results.map((r) => (JSON.parse(r.stdout.trim()) as { applied: number }).applied);
  } finally {
    temp.cleanup();
  }
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
