/** SQLite migrations: several processes migrating one new database file at once. */
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrateConcurrently } from '../helpers';
import { MIGRATION_COUNT, makeTempDir } from './helpers';

it('several processes migrating the same new database at once all succeed, and it is migrated once', async () => {
  const temp = makeTempDir();
  try {
    const file = path.join(temp.dir, 'shared.db');
    const applied = await migrateConcurrently(`file:${file}`, 4);
    expect(applied.reduce((a, b) => a + b, 0)).toBe(MIGRATION_COUNT);
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe(MIGRATION_COUNT);
    db.close();
  } finally {
    temp.cleanup();
  }
}, 40_000);
