/** Composes every PostgreSQL repository over one pool: the `Store` for `postgres://` URLs. */
import type { Store } from '../repositories/types';
import { StoreError } from '../store-error';
import { makePgDeliveriesRepository } from './deliveries-repository';
import { makePgDirectoryRepository } from './directory-repository';
import { makePgInboundEventsRepository } from './inbound-events-repository';
import { makePgInvitationsRepository } from './invitations-repository';
import { makePgListsRepository } from './lists-repository';
import { migratePostgresDatabase } from './migrate';
import { makePgNewsletterRepository } from './newsletter-repository';
import { makePool, type PoolOptions } from './pool';
import { makePgRemindersRepository } from './reminders-repository';
import { makePgStateRepository } from './state-repository';
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
    lists: withPgStoreErrors(makePgListsRepository(pool), isOpen),
    invitations: withPgStoreErrors(makePgInvitationsRepository(pool), isOpen),
    newsletter: withPgStoreErrors(makePgNewsletterRepository(pool), isOpen),
    events: withPgStoreErrors(makePgInboundEventsRepository(pool), isOpen),
    async ping() {
      if (!open) throw new StoreError('The store is closed.', 'STORE_CLOSED', { kind: 'closed' });
      let row: { recovery: boolean; read_only: string } | undefined;
      try {
        ({ rows: [row] } = await pool.query<{ recovery: boolean; read_only: string }>(
          `SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS read_only`));
      } catch (error) {
        translatePgError(error);
      }
      // A replica (or a primary set read-only) answers but refuses every write: not ready.
      if (row?.recovery || row?.read_only === 'on') {
        throw new StoreError(`The PostgreSQL database ${options.target.display} is read-only${row.recovery ? ' (a replica in recovery)' : ''}.`, '25006', { kind: 'read_only' });
      }
    },
    async close() {
      if (!open) return;
      open = false;
      await pool.end();
    },
  };
}
