/** The directory: organizations, users, memberships, orders and their contacts. See types.ts for what the guarantees below mean. */
import type { IsoDate, Organization, OrderUpsertData, ReminderKind, SendCalendar } from '@tickler/domain';
import type { User, Membership, OrderWithZone, Contact, RemoveContactOutcome } from './types';

/** An `order.upserted` billing event as the directory applies it. */
export interface OrderUpsert extends OrderUpsertData {
  occurredAt: Date;
  /** The planner's send calendar: reminders retimed to a new zone land on its business days (default every day open). */
  calendar?: SendCalendar;
}
export type OrderEventOutcome =
  | {
    outcome: 'applied'; order: OrderWithZone; changedKinds: ReminderKind[]; cancelledReminderIds: number[];
    /**
     * Open reminders retimed: moved in the ledger to 09:00 of a new time zone (the organization changed
     * zone, or the order changed organization). Their jobs need retiming too.
     */
    retimed: number;
    /**
     * The part of the event that was NOT applied, and why (null: all of it was): an organization
     * name or time zone older than the organization's newest event is left as it is.
     */
    notApplied: string | null;
    /** The inbound event was marked `applied` in the event's own transaction (see `InboundEventMark`). */
    inboundMarked?: true;
    /**
     * Present when send times of the organization moved (a new time zone, or the order joined
     * another organization): reminders not yet in the ledger may now fall before the scan's horizon,
     * so the caller plans the organization's active orders again.
     */
    replanOrganization?: true;
  }
  | { outcome: 'ignored'; reason: string };

/**
 * Asks `applyOrderUpsert` to mark the event's inbound row `applied` (reason null, `appliedAt: at`)
 * in the event's own transaction when that leaves the caller nothing to do after it: all of the
 * event applied, no reminder cancelled, and no changed kind among `plannedKinds`. A store may always
 * leave the mark to the caller (SQLite does): only `inboundMarked: true` says it was done.
 */
export interface InboundEventMark {
  inboundEventId: number;
  at: Date;
  /** The kinds the caller would plan reminders for right after the event (their planning follows the commit). */
  plannedKinds: readonly ReminderKind[];
}

export interface DirectoryRepository {
  /** A committed snapshot read (also for every other `get…`/`list…` below): never sees another call's half-applied writes. */
  getOrganization(id: string): Promise<Organization | null>;
  getUserByEmail(email: string): Promise<User | null>;
  /**
   * The user with this (normalised) address, created if missing; a missing name is filled, an
   * existing one kept. Concurrent calls for one address yield one user, and all return its id.
   */
  ensureUser(email: string, name?: string | null): Promise<User>;
  getMembership(organizationId: string, email: string): Promise<Membership | null>;
  listMembers(organizationId: string): Promise<Membership[]>;

  getOrder(orderId: string): Promise<OrderWithZone | null>;
  /**
   * Applies `order.upserted` atomically: organization (created or updated), the purchaser as first
   * active member and first contact of a new organization/order, the order's dates, and — when an
   * expiry date changed — cancels the not-yet-sent reminders of the old cycle; moved to another
   * organization, it keeps only contacts who are active members there; when the organization's time
   * zone (or the order's organization) changed, open reminders move to 09:00 in the new zone. Ignored (and says
   * why) when `occurredAt` is older than the last event applied to the order, or — for an order not
   * stored yet — no later than a cancel of it that came first (see `applyOrderCancel`).
   *
   * Atomic. Newest event wins whatever the commit order: concurrent events of one order (or of one
   * organization) are serialised, each judged against what the other committed, so the order ends
   * as its newest event says, and the organization's name and zone as the newest event of any of
   * its orders says. An event equal in time to the last applied one is applied again (harmless).
   * With `mark`, the inbound event may be marked applied atomically with it (see InboundEventMark).
   */
  applyOrderUpsert(event: OrderUpsert, mark?: InboundEventMark): Promise<OrderEventOutcome>;
  /**
   * Applies `order.cancelled`: status cancelled, pending reminders cancelled. Atomic; serialised
   * with the order's other events like `applyOrderUpsert` (an older cancel is ignored).
   *
   * A cancel of an order not stored yet is `ignored` (`order-not-found: …`) but remembered (the
   * newest such cancel's time), so that the order's first upsert, when delivered late and no newer,
   * is ignored too; a newer one creates the order as usual. Concurrently with the upsert creating the
   * order, the same holds: the two are serialised, and the newer event decides whether the order exists.
   */
  applyOrderCancel(orderId: string, occurredAt: Date): Promise<OrderEventOutcome>;

  /**
   * Active orders whose `kind` expiry date lies in [from, to] (inclusive), streamed in keyset pages
   * ordered by (expiry, time zone, id). Each page is its own snapshot: an order changed between two
   * pages may be seen in its old or new state, never twice and never lost unless its expiry moved.
   */
  findOrdersExpiringBetween(kind: ReminderKind, from: IsoDate, to: IsoDate): AsyncIterable<OrderWithZone[]>;

  listContacts(orderId: string): Promise<Contact[]>;
  isContact(orderId: string, email: string): Promise<boolean>;
  /**
   * Adds an active member as a contact; returns false if already present. Atomic with its checks:
   * it cannot interleave with the order's move to another organization (it is checked against the
   * organization the order ends in). Concurrent adds of one person: one returns true.
   */
  addContact(orderId: string, email: string, addedByEmail: string): Promise<boolean>;
  /**
   * Removes a contact. `last-recipient` (nothing removed) when they are the order's last contact who
   * is an active member of its organization — the last one who gets its reminders — unless
   * `options.force`; `not-a-contact` when they were not on the list. Atomic: when two callers at once
   * remove an order's last two recipients, at most one succeeds (unless forced); concurrent removes
   * of one contact: one returns `removed`.
   */
  removeContact(orderId: string, email: string, options?: { force?: boolean }): Promise<RemoveContactOutcome>;
  /** Orders the address is a contact of (for the preferences page). */
  listOrdersForContact(email: string): Promise<OrderWithZone[]>;
  /** The organization's active orders, by id (planned again when its time zone changes). A read; no lock. */
  listActiveOrdersOfOrganization(organizationId: string): Promise<OrderWithZone[]>;
}
