/**
 * The scan's hot path on PostgreSQL: one expiry date of one (kind, offset) planned in ONE statement.
 * The day's active orders come from `orders_<kind>_due_idx` alone (expiry, zone, id); the send time
 * (`tickler_send_at`, the domain's 09:00-local rule with the scheduler's send calendar — weekends
 * and holidays as parameters — in SQL) is computed once per distinct zone, not
 * per order; the orders whose send time lies in (after, until] are inserted as `queued`, known
 * identities left alone, and only the new rows' (id, send_at) come back.
 */
import { EVERY_DAY_OPEN, reminderKind, type ReminderKind, type SendCalendar } from '@tickler/domain';
import type { FutureReminderPlan, FutureReminderSlice } from '../../repositories/types';
import type { Queryable } from '../pool';

/** The slice's due orders with their send time; parameters ($1 expiresOn, $2 offsetDays, $3 after, $4 until, $6 skipWeekends, $7 holidays). */
function dueSql(kind: ReminderKind): string {
  const expiry = `o.${reminderKind(kind).expiryColumn}`;
  return `zones AS (
      SELECT z.time_zone, tickler_send_at($1::date, $2::integer, z.time_zone, $6::boolean, $7::text[]) AS send_at
      FROM (SELECT DISTINCT o.time_zone FROM orders o WHERE ${expiry} = $1::date AND o.status = 'active') z
    ), due AS (
      SELECT o.id AS order_id, z.send_at FROM orders o JOIN zones z ON z.time_zone = o.time_zone
      WHERE ${expiry} = $1::date AND o.status = 'active' AND z.send_at > $3 AND z.send_at <= $4
    )`;
}

/** Parameters ($1 expiresOn, $2 offsetDays, $3 after, $4 until, $5 kind, $6 skipWeekends, $7 holidays): see {@link sliceParams}. */
export function planFutureSliceSql(kind: ReminderKind): string {
  return `WITH ${dueSql(kind)}, inserted AS (
      INSERT INTO reminders (order_id, kind, expires_on, offset_days, send_at, status)
      SELECT order_id, $5, $1::date, $2::integer, send_at, 'queued' FROM due
      ON CONFLICT (order_id, kind, expires_on, offset_days) DO NOTHING
      RETURNING id, send_at
    )
    SELECT (SELECT count(*) FROM due) AS due,
      coalesce((SELECT array_agg(id ORDER BY id) FROM inserted), '{}') AS ids,
      coalesce((SELECT array_agg(floor(extract(epoch FROM send_at) * 1000)::bigint ORDER BY id) FROM inserted), '{}') AS send_at_ms`;
}

/** A dry run: the same due orders, and how many the ledger lacks. Parameters as above. */
export function countFutureSliceSql(kind: ReminderKind): string {
  return `WITH ${dueSql(kind)}
    SELECT count(*) AS due, count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM reminders r
      WHERE r.order_id = due.order_id AND r.kind = $5 AND r.expires_on = $1::date AND r.offset_days = $2::integer)) AS fresh
    FROM due`;
}

/** A send calendar as the SQL function's last two parameters (skip_weekends, holidays). */
export function calendarParams(calendar: SendCalendar = EVERY_DAY_OPEN): [boolean, string[]] {
  return [calendar.skipWeekends, [...calendar.holidays]];
}

function sliceParams(slice: FutureReminderSlice): unknown[] {
  return [slice.expiresOn, slice.offsetDays, slice.after, slice.until, slice.kind, ...calendarParams(slice.calendar)];
}

export async function planFutureSlice(db: Queryable, slice: FutureReminderSlice, dryRun: boolean): Promise<FutureReminderPlan> {
  const params = sliceParams(slice);
  if (dryRun) {
    const { rows: [row] } = await db.query<{ due: number; fresh: number }>(countFutureSliceSql(slice.kind), params);
    return { due: row!.due, fresh: row!.fresh, inserted: [] };
  }
  const { rows: [row] } = await db.query<{ due: number; ids: number[]; send_at_ms: number[] }>(planFutureSliceSql(slice.kind), params);
  const inserted = row!.ids.map((id, i) => ({ id, sendAt: new Date(row!.send_at_ms[i]!) }));
  return { due: row!.due, fresh: inserted.length, inserted };
}
