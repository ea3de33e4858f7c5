/**
 * The reminder scan's hot path: one expiry date of one (kind, offset) whose reminders are all still
 * ahead (so all `queued`), planned inside SQLite. Nothing per order crosses into JavaScript but the
 * new ledger rows' (id, send_at):
 *
 * 1. the day's active orders are read from `orders_<kind>_due_idx` alone (expiry, time zone, id:
 *    a covering index, no table or organization lookup), their send time is computed by the
 *    `tickler_send_at` SQL function (the domain's rule with the slice's send calendar, see
 *    connection.ts), and those in the window
 *    are kept in a per-connection scratch table;
 * 2. the ledger rows are inserted from it in one statement; known identities are left alone.
 *
 * The store runs this on a connection of its own with foreign-key checks off (open-store.ts): every
 * row inserted here belongs to an order read in the same write transaction, so the reminders → orders
 * check cannot fail, and it was ~40 % of the insert (a random lookup in the order-id index per row).
 */
import { EVERY_DAY_OPEN, reminderKind, sendCalendarText, type ReminderKind } from '@tickler/domain';
import type { FutureReminderPlan, FutureReminderSlice } from '../repositories/types';
import type { Sqlite } from './connection';
import { groupCommitFor } from './group-commit';
import { makeStatementCache } from './statements';

export type FutureSlicePlanner = (slice: FutureReminderSlice, options: { dryRun: boolean }) => Promise<FutureReminderPlan>;

/**
 * Collects a slice into `temp.scan_due`; parameters (expiresOn, offsetDays, calendar text, expiresOn, after, until).
 * `LIMIT -1` keeps SQLite from flattening the subquery, which would call the function once per use
 * of `at` (three times per order) instead of once.
 */
export function collectSliceSql(kind: ReminderKind): string {
  return `INSERT INTO temp.scan_due (order_id, send_at)
    SELECT id, at FROM (
      SELECT o.id, tickler_send_at(?, ?, o.time_zone, ?) AS at FROM orders o INDEXED BY orders_${kind}_due_idx
      WHERE o.${reminderKind(kind).expiryColumn} = ? AND o.status = 'active' LIMIT -1
    ) WHERE at > ? AND at <= ?`;
}

export function makeFutureSlicePlanner(sqlite: Sqlite): FutureSlicePlanner {
  const prepare = makeStatementCache(sqlite);
  const group = groupCommitFor(sqlite);
  sqlite.exec(`CREATE TEMP TABLE IF NOT EXISTS scan_due (order_id TEXT NOT NULL, send_at INTEGER NOT NULL)`);

  /** Empties the scratch table first (one slice at a time), then fills it; returns the slice's count. */
  const collect = (slice: FutureReminderSlice): number => {
    prepare(`DELETE FROM temp.scan_due`).run();
    return prepare(collectSliceSql(slice.kind))
      .run(slice.expiresOn, slice.offsetDays, sendCalendarText(slice.calendar ?? EVERY_DAY_OPEN), slice.expiresOn, slice.after.getTime(), slice.until.getTime()).changes;
  };
  const identity = (s: FutureReminderSlice) => [s.kind, s.expiresOn, s.offsetDays] as const;

  const plan = sqlite.transaction((slice: FutureReminderSlice): FutureReminderPlan => {
    const due = collect(slice);
    const rows = prepare(`INSERT INTO reminders (order_id, kind, expires_on, offset_days, send_at, status, reason, updated_at)
      SELECT order_id, ?, ?, ?, send_at, 'queued', NULL, NULL FROM temp.scan_due WHERE true
      ON CONFLICT(order_id, kind, expires_on, offset_days) DO NOTHING RETURNING id, send_at`).all(...identity(slice)) as Array<{ id: number; send_at: number }>;
    const inserted = rows.map((r) => ({ id: r.id, sendAt: new Date(r.send_at) })).sort((a, b) => a.id - b.id);
    return { due, fresh: inserted.length, inserted };
  });

  /** A dry run: the same collection, then only a count of the identities the ledger lacks. */
  const count = sqlite.transaction((slice: FutureReminderSlice): FutureReminderPlan => {
    const due = collect(slice);
    const { n } = prepare(`SELECT count(*) AS n FROM temp.scan_due d WHERE NOT EXISTS (SELECT 1 FROM reminders r
      WHERE r.order_id = d.order_id AND r.kind = ? AND r.expires_on = ? AND r.offset_days = ?)`).get(...identity(slice)) as { n: number };
    return { due, fresh: n, inserted: [] };
  });

  return async (slice, { dryRun }) => (dryRun ? count(slice) : group(() => plan(slice)));
}
