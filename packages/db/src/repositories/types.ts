/**
 * The storage contract. Everything outside packages/db talks to storage only through these
 * interfaces, implemented by SQLite (one file, one host) and PostgreSQL (many hosts): methods are
 * async, take and return plain domain values, and every multi-row change that must be atomic is a
 * single method (a unit of work), never a transaction handle leaked to the caller.
 *
 * Each method states what holds when two processes — on two hosts — call it at once. These are the
 * weakest guarantees any implementation gives; no caller may rely on more (in particular not on
 * SQLite having a single writer). Terms used below:
 * - *atomic*: the method's writes are applied entirely or not at all;
 * - *idempotent*: calling it again with the same arguments changes nothing more;
 * - *last writer wins*: concurrent calls each apply; the one that commits last decides the value.
 * - *reads are fresh*: a read returns what was committed before it was called, or newer — also where an
 *   implementation serves concurrent calls of one process with one statement (PostgreSQL's send path,
 *   see postgres/batched.ts): a batched statement only ever starts after every call in it was made.
 * Storage failures reject with `StoreError` (see store-error.ts); `transient` ones may be retried.
 * Implementations retry deadlocks and serialization failures themselves where the method is atomic.
 */
import type { MembershipRole, MembershipStatus, Order } from '@tickler/domain';

export interface User { id: number; email: string; name: string | null }
export interface Membership { organizationId: string; userId: number; email: string; status: MembershipStatus; role: MembershipRole }
/** An order joined with its organization's time zone: what the reminder engine needs. */
export interface OrderWithZone extends Order { timeZone: string; organizationName: string; organizationLocale: string | null }
export interface Contact { email: string; userId: number; membershipStatus: MembershipStatus | null; addedAt: Date }
export type RemoveContactOutcome = 'removed' | 'not-a-contact' | 'last-recipient';
import type { DeliveriesRepository } from './deliveries';
import type { DigestsRepository } from './digests';
import type { DirectoryRepository } from './directory';
import type { InboundEventsRepository } from './inbound-events';
import type { InvitationsRepository, NewsletterRepository } from './invitations-newsletter';
import type { ListsRepository } from './lists';
import type { RemindersRepository, StateRepository } from './reminders';
import type { TestSendsRepository } from './test-sends';
export type * from './directory';
export type * from './reminders';
export type * from './deliveries';
export type * from './digests';
export type * from './lists';
export type * from './invitations-newsletter';
export type * from './inbound-events';
export type * from './test-sends';

/** All repositories over one database. Which store it is stays inside packages/db. */
export interface Store {
  directory: DirectoryRepository;
  reminders: RemindersRepository;
  state: StateRepository;
  deliveries: DeliveriesRepository;
  digests: DigestsRepository;
  lists: ListsRepository;
  invitations: InvitationsRepository;
  newsletter: NewsletterRepository;
  inboundEvents: InboundEventsRepository;
  testSends: TestSendsRepository;
  /** Cheap round trip for /readyz; rejects with a StoreError (`unavailable` when the database cannot be reached). */
  ping(): Promise<void>;
  /**
   * Commits one tiny write (for /readyz): rejects when the database can be read but not written
   * (read-only file, a replica, full disk), which `ping` cannot see — StoreError `read_only` or
   * `unavailable`. `now` is stored as the probe's time; concurrent probes: last writer wins.
   */
  probeWrite(now: Date): Promise<void>;
  close(): Promise<void>;
}
