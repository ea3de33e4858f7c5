/** SQLite test helpers: every test gets its own SQLite file in a fresh temp folder. */
import path from 'node:path';
import type { Store } from '../../src/repositories/types';
import { MIGRATIONS_FOLDER } from '../../src/sqlite/connection';
import { openSqliteStore } from '../../src/sqlite/open-store';
import { makeTempDir, migrationCount } from '../helpers';

export { at, makeTempDir, orderEvent } from '../helpers';

/** Opens a migrated store on a new file; `close` also deletes the folder. */
export async function openTempStore(): Promise<{ store: Store; url: string; dir: string; close: () => Promise<void> }> {
  const { dir, cleanup } = makeTempDir();
  const url = `file:${path.join(dir, 'nested', 'tickler.db')}`;
  const store = await openSqliteStore({ url });
  return { store, url, dir, close: async () => { await store.close(); cleanup(); } };
}

/** How many SQLite migrations are committed. */
export const MIGRATION_COUNT = migrationCount(MIGRATIONS_FOLDER);
