/**
 * Seeder benchmark: seeds N orders (default 1,000,000) into a fresh SQLite file in a temp folder,
 * prints wall and CPU time, rows and file size, then times `findOrdersExpiringBetween` on the
 * result (a month and a year of license expiries) and deletes the folder. CPU seconds are the
 * figure to compare across runs on a shared machine.
 * Run: `pnpm bench seed [--orders N]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '@tickler/db';
import { BenchFailure } from '../failure';
import { seedDatabase, type SeedResult } from '../seed/seed';

export interface BenchSeedOptions {
  /** Orders to seed (default 1,000,000). */
  orders?: number;
  /** The instant expiries are spread around (default 2026-11-27T00:00:00Z, so runs are comparable). */
  now?: Date;
  /** Where figures are printed (default stdout). */
  print?: (line: string) => void;
}

export interface BenchSeedResult extends SeedResult {
  /** CPU time (user + system) of this process while seeding, seconds. */
  cpuSeconds: number;
}

const int = (n: number) => n.toLocaleString('en');

/** How long the expiry scan's query takes over a month and over a year of the seeded orders. */
async function timeExpiryQueries(url: string, print: (line: string) => void): Promise<void> {
  const store = await openStore({ url });
  try {
    for (const [from, to] of [['2026-12-01', '2026-12-31'], ['2026-11-27', '2027-11-27']] as const) {
      const started = performance.now();
      let rows = 0;
      for await (const page of store.directory.findOrdersExpiringBetween('license', from, to)) rows += page.length;
      print(`  findOrdersExpiringBetween(license, ${from}, ${to}): ${int(rows)} orders in ${Math.round(performance.now() - started)} ms`);
    }
  } finally {
    await store.close();
  }
}

/** Runs the benchmark and prints the figures; see the file header. */
export async function benchSeed(opts: BenchSeedOptions = {}): Promise<BenchSeedResult> {
  const orders = opts.orders ?? 1_000_000;
  if (!Number.isSafeInteger(orders) || orders < 1) throw new BenchFailure(`--orders must be a whole number ≥ 1 (got ${String(orders)})`);
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickler-bench-seed-'));
  const url = `file:${path.join(dir, 'tickler.db')}`;
  try {
    print(`seed bench: ${int(orders)} orders into ${dir}`);
    let lastTenth = -1;
    const cpuBefore = process.cpuUsage();
    const result = await seedDatabase(url, {
      orders,
      now: opts.now ?? new Date('2026-11-27T00:00:00Z'),
      onProgress: (done, total) => {
        const tenth = Math.floor((done / total) * 10);
        if (tenth !== lastTenth) print(`  ${int(done)} / ${int(total)}`);
        lastTenth = tenth;
      },
    });
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    print(`  seeded:    ${int(result.orders)} orders, ${int(result.organizations)} organizations, ${int(result.users)} users, ${int(result.contacts)} contacts`);
    print(`  time:      ${(result.ms / 1000).toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    print(`  size:      ${(result.bytes / 2 ** 20).toFixed(1)} MiB`);
    await timeExpiryQueries(url, print);
    return { ...result, cpuSeconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
