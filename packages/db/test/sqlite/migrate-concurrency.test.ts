import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { MIGRATION_COUNT, makeTempDir } from './helpers';

const run = promisify(execFile);
const tsx = path.resolve(__dirname, '../../../../node_modules/.bin/tsx');

it('several processes migrating the same new database at once all succeed, and it is migrated once', async () => {
  const temp = makeTempDir();
  try {
    const file = path.join(temp.dir, 'shared.db');
    const script = path.join(temp.dir, 'migrate.ts');
    // Every process waits for the same instant, so their migrations really overlap.
    fs.writeFileSync(script, `import { migrateDatabase } from ${JSON.stringify(path.resolve(__dirname, '../../src/open-store'))};
const startAt = Number(process.argv[3]);
setTimeout(() => migrateDatabase(process.argv[2]!).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); }),
  Math.max(0, startAt - Date.now()));\n`);
    const startAt = String(Date.now() + 4_000);
    const results = await Promise.all(Array.from({ length: 4 }, () => run(tsx, ['--conditions=development', script, `file:${file}`, startAt], { timeout: 45_000 })));
    const applied = results.map((r) => (JSON.parse(r.stdout.trim()) as { applied: number }).applied);
    expect(applied.reduce((a, b) => a + b, 0)).toBe(MIGRATION_COUNT);
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe(MIGRATION_COUNT);
    db.close();
  } finally {
    temp.cleanup();
  }
}, 40_000);
