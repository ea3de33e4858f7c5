/** The reminders ledger and the roles' small key/value state. See types.ts for what the guarantees below mean. */
import type { IsoDate, ReminderKind, ReminderStatus, SendCalendar } from '@tickler/domain';

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
  /** The days reminders may go out on (the scheduler's; default every day open): send times follow the domain's `sendAtMs` with it. */
  calendar?: SendCalendar;
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
   * kind, expiry) — and those at the same send time farther from expiry (offsets a closed day moved
   * together), the domain's `supersedingReminder` — as `skipped`/`superseded`, in one statement; returns them. Idempotent; concurrent
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
  /** Every reminder (any status) of the organization's orders due exactly at `sendAt` (a digest's group), by id. */
  listDueAt(organizationId: string, sendAt: Date): Promise<ReminderRow[]>;
  /** The organization's reminders still `queued` whose send time has come (sendAt ≤ `now`), by id: a late digest's group. */
  listQueuedDueBy(organizationId: string, now: Date): Promise<ReminderRow[]>;
  /**
   * Forgets the reminders of the cycle (order, kind, expiresOn) that were cancelled because the
   * expiry had moved away from `expiresOn` (never sent): the expiry is back, so the cycle can be
   * planned again; their ledger identities would keep it out. One statement; returns how many.
   */
  forgetCancelledByExpiryChange(orderId: string, kind: ReminderKind, expiresOn: IsoDate): Promise<number>;
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
