/**
 * Cancels an order's still-queued reminders in one statement: all of them (order cancelled), or, per
 * kind whose expiry changed, those of other cycles than the new expiry date.
 */
import type { ReminderKind } from '@tickler/domain';
import type { Queryable } from '../pool';

export async function cancelPendingReminders(
  db: Queryable, orderId: string, reason: string, at: Date, only?: Array<{ kind: ReminderKind; keepExpiresOn: string | null }>,
): Promise<number[]> {
  if (only !== undefined && only.length === 0) return [];
  const params: unknown[] = [orderId, reason, at];
  let scope = '';
  if (only) {
    const clauses = only.map(({ kind, keepExpiresOn }) => {
      params.push(kind, keepExpiresOn);
      return `(kind = $${params.length - 1} AND expires_on IS DISTINCT FROM $${params.length}::date)`;
    });
    scope = ` AND (${clauses.join(' OR ')})`;
  }
  const { rows } = await db.query<{ id: number }>(`UPDATE reminders SET status = 'cancelled', reason = $2, updated_at = $3
    WHERE order_id = $1 AND status = 'queued'${scope} RETURNING id`, params);
  return rows.map((r) => r.id).sort((a, b) => a - b);
}
