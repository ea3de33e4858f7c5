/** Inserts planned reminders in one statement (arrays unnested); known identities are left alone, new rows returned. */
import type { NewReminder, ReminderRow } from '../../repositories/types';
import type { Queryable } from '../pool';
import { REMINDER_COLUMNS, type ReminderSqlRow, toReminder } from '../rows';

const SQL = `INSERT INTO reminders (order_id, kind, expires_on, offset_days, send_at, status, reason)
  SELECT order_id, kind, expires_on, offset_days, send_at, status, reason
  FROM unnest($1::text[], $2::text[], $3::date[], $4::integer[], $5::timestamptz[], $6::text[], $7::text[]) WITH ORDINALITY
    AS t(order_id, kind, expires_on, offset_days, send_at, status, reason, ord)
  ORDER BY ord
  ON CONFLICT (order_id, kind, expires_on, offset_days) DO NOTHING
  RETURNING ${REMINDER_COLUMNS}`;

export async function insertReminders(db: Queryable, rows: NewReminder[]): Promise<ReminderRow[]> {
  const { rows: inserted } = await db.query<ReminderSqlRow>(SQL, [
    rows.map((r) => r.orderId), rows.map((r) => r.kind), rows.map((r) => r.expiresOn), rows.map((r) => r.offsetDays),
    rows.map((r) => r.sendAt), rows.map((r) => r.status), rows.map((r) => r.reason),
  ]);
  return inserted.map(toReminder).sort((a, b) => a.id - b.id);
}
