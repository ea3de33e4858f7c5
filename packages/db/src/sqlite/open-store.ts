/** Composes every SQLite repository over one connection: the `Store` for `file:` URLs. */
import type { Store } from '../repositories/types';
import { openConnection, runMigrations, sqliteTarget, type Sqlite } from './connection';
import { makeSqliteDeliveriesRepository } from './deliveries-repository';
import { makeSqliteDigestsRepository } from './digests-repository';
import { makeSqliteDirectoryRepository } from './directory-repository';
import { groupCommitFor } from './group-commit';
import { makeSqliteInboundEventsRepository } from './inbound-events-repository';
import { makeSqliteInvitationsRepository } from './invitations-repository';
import { makeSqliteListsRepository } from './lists-repository';
import { makeSqliteNewsletterRepository } from './newsletter-repository';
import { makeSqliteRemindersRepository } from './reminders-repository';
import { makeSqliteStateRepository } from './state-repository';
import { makeSqliteTestSendsRepository } from './test-sends-repository';
import { makeStatementCache } from './statements';
import { StoreError, translateError, withStoreErrors } from './store-error';

export interface SqliteStoreOptions {
  /** `file:./data/tickler.db`, a bare path, or `:memory:`. */
  url: string;
  /** Apply pending migrations on open (default true; harmless when up to date). */
  migrate?: boolean;
  /** How long a writer waits for another process's lock, ms (default 5000). */
  busyTimeoutMs?: number;
}

/**
 * Opens the database (creating its folder), migrates it unless told not to, and returns the
 * repositories. Storage failures reject with StoreError; a bad URL throws DatabaseUrlError.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const target = sqliteTarget(options.url);
  const sqlite = openConnection(options.url, { busyTimeoutMs: options.busyTimeoutMs });
  try {
    if (options.migrate !== false) runMigrations(sqlite);
  } catch (error) {
    sqlite.close();
    translateError(error);
  }
  const ping = sqlite.prepare('SELECT 1');
  const isOpen = () => sqlite.open;
  // A committed one-row write (a full disk only fails at commit), through the group committer so
  // waiting for another process's write lock does not block the event loop.
  const prepare = makeStatementCache(sqlite);
  const probe = (at: number) =>
    prepare(`INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET probed_at = excluded.probed_at`).run(at);
  const group = groupCommitFor(sqlite);
  // The scan's planner gets a connection of its own, opened on first use (see future-slices.ts);
  // an in-memory database has no second connection to the same data, so it plans on this one.
  let planner: Sqlite | null = null;
  const plannerConnection = target.kind === 'file'
    ? () => (planner ??= openConnection(options.url, { busyTimeoutMs: options.busyTimeoutMs, foreignKeys: false }))
    : undefined;
  return {
    directory: withStoreErrors(makeSqliteDirectoryRepository(sqlite), isOpen),
    reminders: withStoreErrors(makeSqliteRemindersRepository(sqlite, { plannerConnection }), isOpen),
    state: withStoreErrors(makeSqliteStateRepository(sqlite), isOpen),
    deliveries: withStoreErrors(makeSqliteDeliveriesRepository(sqlite), isOpen),
    digests: withStoreErrors(makeSqliteDigestsRepository(sqlite), isOpen),
    lists: withStoreErrors(makeSqliteListsRepository(sqlite), isOpen),
    invitations: withStoreErrors(makeSqliteInvitationsRepository(sqlite), isOpen),
    newsletter: withStoreErrors(makeSqliteNewsletterRepository(sqlite), isOpen),
    inboundEvents: withStoreErrors(makeSqliteInboundEventsRepository(sqlite), isOpen),
    testSends: withStoreErrors(makeSqliteTestSendsRepository(sqlite), isOpen),
    async ping() {
      if (!isOpen()) throw new StoreError('The store is closed.', 'STORE_CLOSED', { kind: 'closed' });
      try {
        ping.get();
      } catch (error) {
        translateError(error);
      }
    },
    async probeWrite(now) {
      if (!isOpen()) throw new StoreError('The store is closed.', 'STORE_CLOSED');
      try {
        await group(() => probe(now.getTime()));
      } catch (error) {
        translateError(error);
      }
    },
    async close() {
      if (planner?.open) planner.close();
      if (sqlite.open) sqlite.close();
    },
  };
}

/** Applies the committed migrations to the SQLite database at `url`; `applied` is 0 when it was up to date. */
export async function migrateSqliteDatabase(url: string): Promise<{ applied: number }> {
  const sqlite = openConnection(url);
  try {
    return runMigrations(sqlite);
  } catch (error) {
    translateError(error);
  } finally {
    sqlite.close();
  }
}
