/**
 * Moves not-yet-sent reminders (of an organization's orders, or of one order) to 09:00 of their
 * (business) day in a new time zone, in one statement; returns how many moved (the caller re-times their jobs).
 */
import type { SendCalendar } from '@tickler/domain';
import type { Queryable } from '../pool';
import { calendarParams } from './plan-future-slice';

const sqlFor = (scope: 'organization' | 'order') => `UPDATE reminders r SET send_at = m.send_at, updated_at = $3
  FROM (
    SELECT r2.id, tickler_send_at(r2.expires_on, r2.offset_days, $2, $4::boolean, $5::text[]) AS send_at
    FROM reminders r2 JOIN orders o ON o.id = r2.order_id
    WHERE ${scope === 'organization' ? 'o.organization_id' : 'o.id'} = $1 AND r2.status = 'queued'
  ) m
  WHERE r.id = m.id AND r.status = 'queued' AND r.send_at IS DISTINCT FROM m.send_at`;

export async function moveRemindersToZone(
  db: Queryable, scope: 'organization' | 'order', key: string, timeZone: string, at: Date, calendar?: SendCalendar,
): Promise<number> {
  return (await db.query(sqlFor(scope), [key, timeZone, at, ...calendarParams(calendar)])).rowCount ?? 0;
}
