/**
 * The stores every contract test runs against. `useTestStore(kind)` registers jest hooks that give
 * each test an empty, migrated store of that kind:
 * - sqlite: a new file in a temp folder per test;
 * - postgres: one fresh database per test file (see postgres/helpers.ts), emptied before each test.
 */
import path from 'node:path';
import type { DirectoryRepository, Store } from '../src/repositories/types';
import { openStore } from '../src/open-store';
import { makePgDirectoryRepository } from '../src/postgres/directory-repository';
import { makePool } from '../src/postgres/pool';
import { parseDatabaseUrl, type PostgresTarget } from '../src/database-url';
import { makeSqliteDirectoryRepository } from '../src/sqlite/directory-repository';
import { openConnection } from '../src/sqlite/connection';
import { makeTempDir } from './helpers';
import { createTestDatabase, emptyDatabase, type TestDatabase, withClient } from './postgres/helpers';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

export interface TestStore {
  store: Store;
  url: string;
  /** Another store on the same database: another process, or on PostgreSQL another host. */
  openAnother(): Promise<Store>;
  /** A directory repository with a small page size (to test paging); closed with the test. */
  directoryWithPageSize(pageSize: number): DirectoryRepository;
  /** Runs one SQL statement on the database directly (what the store hides: legacy rows, raw writes). */
  execute(sql: string): Promise<void>;
}

/** Registers hooks opening an empty store of `kind` before each test and closing it after. */
export function useTestStore(kind: StoreKind): { readonly current: TestStore } {
  let database: TestDatabase | undefined;
  let current: TestStore | undefined;
  let cleanups: Array<() => Promise<void> | void> = [];

  if (kind === 'postgres') {
    beforeAll(async () => {
      database = await createTestDatabase();
      await (await openStore({ url: database.url })).close(); // migrate once per file
    });
    afterAll(async () => database?.drop());
  }

  beforeEach(async () => {
    let url: string;
    if (kind === 'postgres') {
      url = database!.url;
      await emptyDatabase(url);
    } else {
      const temp = makeTempDir();
      cleanups.push(temp.cleanup);
      url = `file:${path.join(temp.dir, 'nested', 'tickler.db')}`;
    }
    const open = async () => {
      // PostgreSQL: migrated once per file (beforeAll); SQLite: a new file each test.
      const store = await openStore({ url, migrate: kind === 'sqlite' });
      cleanups.unshift(() => store.close());
      return store;
    };
    const store = await open();
    current = {
      store, url, openAnother: open,
      directoryWithPageSize(pageSize) {
        if (kind === 'sqlite') {
          const sqlite = openConnection(url);
          cleanups.unshift(() => { sqlite.close(); });
          return makeSqliteDirectoryRepository(sqlite, { pageSize });
        }
        const pool = makePool({ target: parseDatabaseUrl(url) as PostgresTarget });
        cleanups.unshift(() => pool.end());
        return makePgDirectoryRepository(pool, { pageSize });
      },
      async execute(sql) {
        if (kind === 'postgres') {
          await withClient(url, (client) => client.query(sql));
          return;
        }
        const sqlite = openConnection(url);
        try {
          sqlite.prepare(sql).run();
        } finally {
          sqlite.close();
        }
      },
    };
  });

  afterEach(async () => {
    const pending = cleanups;
    cleanups = [];
    for (const cleanup of pending) await cleanup();
  });

  return { get current() { return current!; } };
}
