/**
 * After downtime only the latest due reminder of a cycle is sent: the earlier still-queued reminders
 * of each due reminder's cycle (order, kind, expiry) become skipped/superseded — earlier, or at the
 * same time farther from expiry (the domain's `supersedingReminder`) — all in one statement, each
 * attributed to the latest due reminder overtaking it. A row another call already
 * superseded is re-checked under its lock and not returned twice.
 */
import type { SupersededReminder } from '../../repositories/types';
import type { Queryable } from '../pool';

const SQL = `UPDATE reminders r SET status = 'skipped', reason = 'superseded', updated_at = now()
  FROM (
    SELECT DISTINCT ON (earlier.id) earlier.id, d.id AS due_id
    FROM reminders d
    JOIN reminders earlier ON earlier.order_id = d.order_id AND earlier.kind = d.kind AND earlier.expires_on = d.expires_on
      AND earlier.status = 'queued'
      AND (earlier.send_at < d.send_at OR (earlier.send_at = d.send_at AND earlier.offset_days > d.offset_days))
    WHERE d.id = ANY($1::bigint[])
    ORDER BY earlier.id, d.send_at DESC, d.offset_days ASC, d.id DESC
  ) m
  WHERE r.id = m.id AND r.status = 'queued'
  RETURNING r.id, r.order_id, m.due_id`;

export async function supersedeReminders(db: Queryable, dueIds: number[]): Promise<SupersededReminder[]> {
  const { rows } = await db.query<{ id: number; order_id: string; due_id: number }>(SQL, [dueIds]);
  return rows.map((r) => ({ id: r.id, orderId: r.order_id, supersededBy: r.due_id })).sort((a, b) => a.id - b.id);
}
