/** Composes every PostgreSQL repository over one pool: the `Store` for `postgres://` URLs. */
import type { Store } from '../repositories/types';
import { StoreError } from '../store-error';
import { makePgDeliveriesRepository } from './deliveries-repository';
import { makePgDigestsRepository } from './digests-repository';
import { makePgDirectoryRepository } from './directory-repository';
import { makePgInboundEventsRepository } from './inbound-events-repository';
import { makePgInvitationsRepository } from './invitations-repository';
import { makePgListsRepository } from './lists-repository';
import { migratePostgresDatabase } from './migrate';
import { makePgNewsletterRepository } from './newsletter-repository';
import { makePool, type PoolOptions } from './pool';
import { makePgRemindersRepository } from './reminders-repository';
import { makePgStateRepository } from './state-repository';
import { makePgTestSendsRepository } from './test-sends-repository';
import { translatePgError, withPgStoreErrors } from './store-error';

export { migratePostgresDatabase };

export interface PostgresStoreOptions extends PoolOptions {
  /** Apply pending migrations on open (default true; safe from many hosts at once). */
  migrate?: boolean;
}

/**
 * Migrates (unless told not to) and returns the repositories over a new pool. The pool connects
 * lazily and replaces connections the server drops, so a store opened while the database is down
 * works once it is back; meanwhile calls reject with a transient StoreError.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  if (options.migrate !== false) await migratePostgresDatabase(options.target, { connectionTimeoutMs: options.connectionTimeoutMs });
  const pool = makePool(options);
  let open = true;
  const isOpen = () => open;
  return {
    directory: withPgStoreErrors(makePgDirectoryRepository(pool), isOpen),
    reminders: withPgStoreErrors(makePgRemindersRepository(pool), isOpen),
    state: withPgStoreErrors(makePgStateRepository(pool), isOpen),
    deliveries: withPgStoreErrors(makePgDeliveriesRepository(pool), isOpen),
    digests: withPgStoreErrors(makePgDigestsRepository(pool), isOpen),
    lists: withPgStoreErrors(makePgListsRepository(pool), isOpen),
    invitations: withPgStoreErrors(makePgInvitationsRepository(pool), isOpen),
    newsletter: withPgStoreErrors(makePgNewsletterRepository(pool), isOpen),
    inboundEvents: withPgStoreErrors(makePgInboundEventsRepository(pool), isOpen),
    testSends: withPgStoreErrors(makePgTestSendsRepository(pool), isOpen),
    async ping() {
      if (!open) throw new StoreError('The store is closed.', 'STORE_CLOSED', { kind: 'closed' });
      try {
        await pool.query('SELECT 1');
      } catch (error) {
        translatePgError(error);
      }
    },
    async probeWrite(now) {
      if (!open) throw new StoreError('The store is closed.', 'STORE_CLOSED', { kind: 'closed' });
      // A committed write: a replica (or a primary set read-only) refuses it with 25006 (`read_only`),
      // a full disk with 53100 (`unavailable`).
      try {
        await pool.query(`INSERT INTO write_probe (id, probed_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, [now]);
      } catch (error) {
        translatePgError(error);
      }
    },
    async close() {
      if (!open) return;
      open = false;
      await pool.end();
    },
  };
}
