import fs from 'node:fs';
import path from 'node:path';
import { openStore, StoreError, withBulkLoadConnection } from '../../src';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

describe('withBulkLoadConnection', () => {
  it('migrates, commits what the callback writes, and reports the checkpointed file size', async () => {
    const file = path.join(temp.dir, 'data', 'tickler.db');
    const { value, bytes } = await withBulkLoadConnection(`file:${file}`, async (sqlite) => {
      const insert = sqlite.prepare('INSERT INTO organizations (id, name, time_zone, created_at) VALUES (?, ?, ?, ?)');
      sqlite.transaction(() => {
        for (let i = 0; i < 3; i++) insert.run(`org-${i}`, `Org ${i}`, 'Europe/Berlin', 0);
      })();
      return 'loaded';
    });
    expect(value).toBe('loaded');
    expect(bytes).toBe(fs.statSync(file).size);
    expect(fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
    const store = await openStore({ url: `file:${file}` });
    expect(await store.directory.getOrganization('org-2')).toMatchObject({ name: 'Org 2', timeZone: 'Europe/Berlin' });
    await store.close();
  });

  it('reports a driver failure as StoreError with SQLite\'s code', async () => {
    const file = path.join(temp.dir, 'tickler.db');
    const attempt = withBulkLoadConnection(`file:${file}`, async (sqlite) => {
      sqlite.prepare(`INSERT INTO orders (id, organization_id) VALUES ('ORD-1', 'no-such-org')`).run();
    });
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_CONSTRAINT/) });
  });
});
