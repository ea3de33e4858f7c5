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
 * Storage failures reject with `StoreError` (see store-error.ts); `transient` ones may be retried.
 * Implementations retry deadlocks and serialization failures themselves where the method is atomic.
 */
import type {
  DeliverySource, DeliveryStatus, IsoDate, ListId, MembershipRole, MembershipStatus, Order, Organization,
  OrderUpsertData, ReminderKind, ReminderStatus, SubscriptionStatus, SuppressionReason,
} from '@tickler/domain';

export interface User { id: number; email: string; name: string | null }
export interface Membership { organizationId: string; userId: number; email: string; status: MembershipStatus; role: MembershipRole }
/** An order joined with its organization's time zone: what the reminder engine needs. */
export interface OrderWithZone extends Order { timeZone: string; organizationName: string }
export interface Contact { email: string; userId: number; membershipStatus: MembershipStatus | null; addedAt: Date }
export type RemoveContactOutcome = 'removed' | 'not-a-contact' | 'last-recipient';

// ---------------------------------------------------------------- directory
/** An `order.upserted` billing event as the directory applies it. */
export interface OrderUpsert extends OrderUpsertData {
  occurredAt: Date;
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
  }
  | { outcome: 'ignored'; reason: string };

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
   * why) when `occurredAt` is older than the last event applied to the order.
   *
   * Atomic. Newest event wins whatever the commit order: concurrent events of one order (or of one
   * organization) are serialised, each judged against what the other committed, so the order ends
   * as its newest event says, and the organization's name and zone as the newest event of any of
   * its orders says. An event equal in time to the last applied one is applied again (harmless).
   */
  applyOrderUpsert(event: OrderUpsert): Promise<OrderEventOutcome>;
  /**
   * Applies `order.cancelled`: status cancelled, pending reminders cancelled. Atomic; serialised
   * with the order's other events like `applyOrderUpsert` (an older cancel is ignored).
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
}

// ---------------------------------------------------------------- reminders ledger
/** A reminder the scheduler planned, as a row to insert; its identity is (order, kind, expiry date, offset). */
export interface NewReminder {
  orderId: string; kind: ReminderKind; expiresOn: IsoDate; offsetDays: number; sendAt: Date;
  status: Extract<ReminderStatus, 'queued' | 'skipped'>; reason: string | null;
}
export interface ReminderRow extends Omit<NewReminder, 'status'> { id: number; status: ReminderStatus; createdAt: Date }

/**
 * One expiry date of one (kind, offset) of a scan, planned inside the database: the reminders of active
 * orders whose `kind` expiry is `expiresOn` and whose send time (09:00 in the organization's zone on
 * expiry − offset) lies in (after, until]. The caller guarantees `after` ≥ now, so each is `queued`.
 */
export interface FutureReminderSlice {
  kind: ReminderKind; offsetDays: number; expiresOn: IsoDate; after: Date; until: Date;
}
export interface FutureReminderPlan {
  /** Reminders of the slice (already in the ledger or not). */
  due: number;
  /** Reminders not yet in the ledger: inserted as `queued` unless a dry run. */
  fresh: number;
  /** The inserted rows in id order (empty in a dry run). */
  inserted: Array<Pick<ReminderRow, 'id' | 'sendAt'>>;
}

/** A queued reminder recorded as `skipped`/`superseded` because a later reminder of its cycle is due. */
export interface SupersededReminder { id: number; orderId: string; supersededBy: number }

export interface RemindersRepository {
  /**
   * Inserts reminders not yet in the ledger (identity = order, kind, expiry, offset); returns only
   * the new rows, in id order. Atomic (a failing row inserts none). Concurrent calls planning the
   * same identity: exactly one returns it; the ledger holds it once.
   */
  insertNew(rows: NewReminder[]): Promise<ReminderRow[]>;
  /**
   * Plans a {@link FutureReminderSlice} in one transaction without handing each order to
   * JavaScript: the scan's hot path. With `dryRun` only counts. Concurrent plans of one slice
   * (two schedulers): each identity is inserted once and returned in `inserted` by exactly one call.
   */
  planFutureSlice(slice: FutureReminderSlice, options: { dryRun: boolean }): Promise<FutureReminderPlan>;
  get(id: number): Promise<ReminderRow | null>;
  /** Sets status and reason; last writer wins. */
  setStatus(id: number, status: ReminderStatus, reason: string | null): Promise<void>;
  /**
   * For each reminder of `dueIds`, records the earlier still-queued reminders of its cycle (order,
   * kind, expiry) as `skipped`/`superseded`, in one statement; returns them. Idempotent; concurrent
   * calls return each superseded reminder once in total.
   */
  supersedeEarlier(dueIds: number[]): Promise<SupersededReminder[]>;
  /** Queued reminders with sendAt ≤ before: what reconciliation re-enqueues. */
  listQueued(before: Date, limit: number): Promise<ReminderRow[]>;
  listForOrder(orderId: string): Promise<ReminderRow[]>;
  /** The reminders of several orders at once (by send time, id): no round trip per order. */
  listForOrders(orderIds: string[]): Promise<ReminderRow[]>;
  /** Queued reminders of every order of the organization. */
  listOpenForOrganization(organizationId: string): Promise<ReminderRow[]>;
}

// ---------------------------------------------------------------- small key/value state
/** Small shared state of the roles (the scan's horizon, which queue prefix owns a database, demo data loaded). */
export interface StateRepository {
  get(key: string): Promise<string | null>;
  /** Sets `key`; last writer wins. */
  set(key: string, value: string): Promise<void>;
  /** Sets `key` only if it has no value yet; true when this call set it. Concurrent claims: exactly one wins. */
  claim(key: string, value: string): Promise<boolean>;
}

// ---------------------------------------------------------------- deliveries ledger
export interface DeliveryRow {
  id: number; sourceType: DeliverySource; sourceId: number; email: string; listId: ListId | null; orderId: string | null;
  status: DeliveryStatus; reason: string | null;
  /** The mail provider's id of the sent message (SES `MessageId`), what bounce and complaint events name. */
  providerMessageId: string | null;
  attempts: number; lastError: string | null;
  createdAt: Date; sentAt: Date | null;
}
export interface NewDelivery {
  sourceType: DeliverySource; sourceId: number; email: string; listId: ListId | null; orderId: string | null;
  status: Extract<DeliveryStatus, 'queued' | 'skipped'>; reason: string | null;
}
/** The outcome of {@link DeliveriesRepository.claimForSending}. */
export interface DeliveryClaim {
  /** True when this call moved the delivery to `sending`: this caller, and no other, may send it now. */
  claimed: boolean;
  /** Claimed: the row as the claim left it (`sending`, attempts counted). Not claimed: the row as it is. */
  delivery: DeliveryRow;
}

export interface DeliveriesRepository {
  /**
   * Inserts deliveries not yet in the ledger (unique per source and email); returns every row for
   * those keys, in input order (one per key). Atomic. Concurrent upserts of one key: one row, and
   * both calls return it; an existing row is never changed.
   */
  upsertMany(rows: NewDelivery[]): Promise<DeliveryRow[]>;
  get(id: number): Promise<DeliveryRow | null>;
  /**
   * Claims a delivery for sending in one conditional update: a `queued` delivery, or one left
   * `sending` for longer than `leaseMs` (default 60 s, see defaults.ts; its sender died),
   * becomes `sending` with attempts + 1. Null if it does not exist. Concurrent claims, from any
   * number of hosts: exactly one is `claimed`; the others see the row as the winner left it. A
   * finished delivery (sent, skipped, failed, …) is never claimed.
   */
  claimForSending(id: number, options?: { leaseMs?: number }): Promise<DeliveryClaim | null>;
  /** Records the provider's acceptance: `sent`, its message id and time. Last writer wins. */
  markSent(id: number, providerMessageId: string, at: Date): Promise<void>;
  /**
   * Records a failed attempt: permanent → `failed`; transient → back to `queued` for a retry. Never
   * touches a delivery already sent or with a provider outcome.
   */
  markFailed(id: number, error: string, permanent: boolean): Promise<void>;
  markSkipped(id: number, reason: string): Promise<void>;
  findByProviderMessageId(messageId: string): Promise<DeliveryRow | null>;
  /**
   * Records a provider event (delivered, bounced, complained); a late `delivered` never hides a
   * bounce or complaint, whatever order concurrent events commit in.
   */
  setOutcome(id: number, status: Extract<DeliveryStatus, 'delivered' | 'bounced' | 'complained'>, detail: string | null): Promise<void>;
  /** Deliveries stuck in queued (or sending) since before `olderThan`: what reconciliation re-enqueues. */
  listUnfinished(olderThan: Date, limit: number): Promise<DeliveryRow[]>;
  listByEmail(email: string): Promise<DeliveryRow[]>;
  listByOrder(orderId: string): Promise<DeliveryRow[]>;
  countByStatusAndReason(): Promise<Array<{ status: DeliveryStatus; reason: string | null; count: number }>>;
  /**
   * Puts a finished delivery (sent, skipped, failed) back to `queued` for a deliberate resend — an
   * invitation renewed with a new link, a confirmation asked for again. True when it changed; a
   * delivery already queued or sending is left alone. Concurrent requeues: one returns true.
   */
  requeue(id: number): Promise<boolean>;
}

// ---------------------------------------------------------------- lists and suppressions
export interface Suppression { reason: SuppressionReason; detail: string | null; createdAt: Date }

/** Every method is one statement: concurrent calls are each atomic; for one (email, list) the last one committed decides. */
export interface ListsRepository {
  /** Idempotent: the first unsubscribe of (email, list) is kept, with its source. */
  unsubscribe(email: string, listId: ListId, source: string): Promise<void>;
  resubscribe(email: string, listId: ListId): Promise<void>;
  isUnsubscribed(email: string, listId: ListId): Promise<boolean>;
  /** The subset of `emails` that left `listId`. */
  unsubscribedAmong(listId: ListId, emails: string[]): Promise<Set<string>>;
  listUnsubscribed(email: string): Promise<ListId[]>;
  /** Suppresses the address; the latest reason and detail win. */
  suppress(email: string, reason: SuppressionReason, detail: string | null): Promise<void>;
  /** Lifts a suppression; true when there was one (concurrent calls: one returns true). */
  unsuppress(email: string): Promise<boolean>;
  getSuppression(email: string): Promise<Suppression | null>;
  /** The subset of `emails` (normalised) that are suppressed. */
  suppressedAmong(emails: string[]): Promise<Set<string>>;
  /** The suppressions of those of `emails` (normalised) that are suppressed, in one query. */
  suppressionsAmong(emails: string[]): Promise<Map<string, Suppression>>;
}

// ---------------------------------------------------------------- invitations and newsletter
export interface InvitationRow {
  id: number; organizationId: string; email: string; invitedByEmail: string; expiresAt: Date;
  acceptedAt: Date | null; revokedAt: Date | null; createdAt: Date;
}
export interface NewInvitation { organizationId: string; email: string; invitedByEmail: string; tokenHash: string; expiresAt: Date }
/** At most `max` invitation emails per (organization, address) in any `windowMs` (sliding). */
export interface SendLimit { max: number; windowMs: number }
export type LimitedInvitation = { ok: true; invitation: InvitationRow } | { ok: false; retryAfterMs: number };
export interface InvitationsRepository {
  /**
   * Creates an invitation, or replaces the token of the open one for the same (organization, email).
   * Atomic. Concurrent calls for one (organization, email) are serialised: one open invitation
   * results, holding the token of the call that committed last.
   */
  createOrRenew(input: NewInvitation): Promise<InvitationRow>;
  /**
   * `createOrRenew` for an invitation email about to be sent at `at`, within `limit`: past it nothing
   * changes (the link already sent keeps working) and `retryAfterMs` says when the next one is allowed.
   * Atomic: callers on several hosts inviting the same address at once get at most `limit.max` through.
   */
  createOrRenewWithinLimit(input: NewInvitation, at: Date, limit: SendLimit): Promise<LimitedInvitation>;
  get(id: number): Promise<InvitationRow | null>;
  findByTokenHash(tokenHash: string): Promise<InvitationRow | null>;
  /**
   * Accepts atomically: user ensured, membership active. Accepting twice — also concurrently — is
   * harmless and keeps the first acceptance time.
   */
  accept(id: number, at: Date): Promise<InvitationRow>;
}
export interface SubscriptionRow { id: number; email: string; status: SubscriptionStatus; topics: string[]; createdAt: Date; confirmedAt: Date | null }
/** A requested, not yet confirmed change of a confirmed subscription's topics. */
export interface TopicChangeRow { id: number; subscriptionId: number; email: string; topics: string[]; createdAt: Date }
export interface SubscribeResult {
  subscription: SubscriptionRow;
  /** For a confirmed address: the pending change just recorded (its topics are not applied yet); else null. */
  change: TopicChangeRow | null;
}
export interface NewsletterRepository {
  /**
   * A sign-up. A new or still pending address is stored as pending with these topics. A confirmed
   * address keeps its topics: the request is recorded as a pending {@link TopicChangeRow}, which
   * only {@link applyTopicChange} (the subscriber confirming it) makes effective; only the newest
   * few pending changes are kept. Atomic; concurrent sign-ups of one address are serialised (one
   * subscription; a pending one ends with the topics of the call that committed last).
   */
  subscribe(email: string, topics: string[]): Promise<SubscribeResult>;
  getTopicChange(id: number): Promise<TopicChangeRow | null>;
  /**
   * Makes a pending change effective: the subscription's topics become the change's, the subscriber
   * rejoins those topics' lists (they just chose them), and every pending change of the subscription
   * is dropped. Null when the change no longer exists (applied, replaced by another one applied, or
   * never). Atomic; of two changes applied at once, the second finds its change dropped (null).
   */
  applyTopicChange(id: number): Promise<SubscriptionRow | null>;
  get(email: string): Promise<SubscriptionRow | null>;
  getById(id: number): Promise<SubscriptionRow | null>;
  getBroadcast(id: number): Promise<{ id: number; topic: string; template: string; status: 'sending' | 'done' } | null>;
  markBroadcastDone(id: number): Promise<void>;
  /** Confirms once: the first confirmation time is kept, also under concurrent confirms. */
  confirm(email: string, at: Date): Promise<SubscriptionRow | null>;
  /** Confirmed subscribers of a topic, paged by id. */
  listConfirmed(topic: string, afterId: number, limit: number): Promise<SubscriptionRow[]>;
  /**
   * Creates the broadcast for (topic, template) or returns the existing one (re-running does not
   * resend). Concurrent calls: exactly one returns `created: true`, all the same id.
   */
  ensureBroadcast(topic: string, template: string): Promise<{ id: number; created: boolean }>;
}

// ---------------------------------------------------------------- inbound events
/**
 * pending: recorded, not applied yet; applied: done; partial: applied except the part `reason`
 * names (e.g. an organization change older than the organization's newest event); ignored: nothing
 * done (e.g. out of order); rejected: unusable payload.
 */
export type InboundStatus = 'pending' | 'applied' | 'partial' | 'ignored' | 'rejected';
export interface InboundEventRow {
  id: number; source: string; eventId: string; type: string; status: InboundStatus; reason: string | null;
  orderId: string | null; email: string | null; occurredAt: Date | null; payload: string; receivedAt: Date; appliedAt: Date | null;
  /** Hex SHA-256 of `payload` (null on rows recorded before it was kept). */
  payloadSha256: string | null;
  /** Random, fixed at insert: the part of the row's job id that a reused row id cannot repeat. */
  jobKey: string;
  /** How often the same (source, eventId) came again with a different payload, and when last. */
  conflicts: number; lastConflictAt: Date | null;
}
export type InboundEventInput = {
  source: string; eventId: string; type: string; status: InboundStatus; reason?: string | null; orderId?: string | null;
  email?: string | null; occurredAt?: Date | null; payload: string;
};
/**
 * `duplicate`: (source, eventId) was already recorded; `row` is the stored one. `conflict`: a
 * duplicate whose payload differs from the stored one (counted on the row: `conflicts`).
 */
export interface RecordedEvent { row: InboundEventRow; duplicate: boolean; conflict: boolean }
export interface InboundEventsRepository {
  /**
   * Records an event once per (source, eventId); resolves only once committed (a failed write
   * rejects, so the caller can refuse what it did not store). A repeat with another payload is
   * counted on the stored row and reported as `conflict`. Concurrent records of one event (two
   * edges): one row; exactly one call gets `duplicate: false`; each differing repeat is counted once.
   */
  record(input: InboundEventInput): Promise<RecordedEvent>;
  /**
   * Records several events in one transaction and one statement per kind of work (one commit
   * instead of one per event); each result is what `record` would have returned, in input order,
   * with the same guarantee under concurrent calls.
   */
  recordMany(inputs: InboundEventInput[]): Promise<RecordedEvent[]>;
  get(id: number): Promise<InboundEventRow | null>;
  /** Sets an event's outcome; last writer wins. */
  mark(id: number, status: InboundStatus, reason: string | null, at: Date): Promise<void>;
  listPending(limit: number): Promise<InboundEventRow[]>;
  listByOrder(orderId: string): Promise<InboundEventRow[]>;
  listByEmail(email: string): Promise<InboundEventRow[]>;
  countBySourceAndStatus(): Promise<Array<{ source: string; status: InboundStatus; count: number }>>;
}

/** All repositories over one database. Which store it is stays inside packages/db. */
export interface Store {
  directory: DirectoryRepository;
  reminders: RemindersRepository;
  state: StateRepository;
  deliveries: DeliveriesRepository;
  lists: ListsRepository;
  invitations: InvitationsRepository;
  newsletter: NewsletterRepository;
  inboundEvents: InboundEventsRepository;
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
