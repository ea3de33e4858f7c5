/**
 * Measures `seedDatabase` at scale (not a jest test): `npx tsx packages/db/test/seed-timing.ts [orders]`.
 * Seeds a fresh SQLite file in a temp folder (default 1,000,000 orders), prints wall time, rows and
 * file size, then deletes the folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/sqlite/open-store';
import { seedDatabase } from '../src/sqlite/seed';

async function main(): Promise<void> {
  const orders = Number(process.argv[2] ?? 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-seed-timing-'));
  const file = path.join(dir, 'tickler.db');
  try {
    let lastTenth = -1;
    const result = await seedDatabase(`file:${file}`, {
      orders,
      now: new Date('2026-11-27T00:00:00Z'),
      onProgress: (done, total) => {
        const tenth = Math.floor((done / total) * 10);
        if (tenth !== lastTenth) process.stdout.write(`  ${done.toLocaleString('en')} / ${total.toLocaleString('en')}\n`);
        lastTenth = tenth;
      },
    });
    const onDisk = fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
    console.log(JSON.stringify({ ...result, seconds: result.ms / 1000, mib: +(result.bytes / 2 ** 20).toFixed(1), filesOnDiskBytes: onDisk }, null, 2));
    const store = await openStore({ url: `file:${file}` });
    for (const [from, to] of [['2026-12-01', '2026-12-31'], ['2026-11-27', '2027-11-27']] as const) {
      const started = performance.now();
      let rows = 0;
      for await (const page of store.directory.findOrdersExpiringBetween('license', from, to)) rows += page.length;
      console.log(`findOrdersExpiringBetween(license, ${from}, ${to}): ${rows.toLocaleString('en')} orders in ${Math.round(performance.now() - started)} ms`);
    }
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
