/**
 * PostgreSQL implementation of InboundEventsRepository: billing and SES events, recorded once each.
 * Concurrent `get`s (the order-event worker's jobs) are batched (batched.ts): one round trip for all
 * of them, where each alone cost one.
 */
import type pg from 'pg';
import type { InboundEventInput, InboundEventsRepository, InboundStatus } from '../repositories/types';
import { emailKey } from '../email';
import { batchedByKey } from './batched';
import { EVENT_COLUMNS, type EventSqlRow, recordEvents, toEvent } from './sql/record-events';

const normalised = (input: InboundEventInput): InboundEventInput => ({ ...input, email: input.email == null ? null : emailKey(input.email) });

export function makePgInboundEventsRepository(pool: pg.Pool): InboundEventsRepository {
  const list = async (where: string, params: unknown[]) =>
    (await pool.query<EventSqlRow>(`SELECT ${EVENT_COLUMNS} FROM inbound_events WHERE ${where}`, params)).rows.map(toEvent);
  const get = batchedByKey(async (ids: number[]) => (await list(`id = ANY($1::bigint[])`, [ids])).map((row) => [row.id, row] as const));

  return {
    async record(input) {
      return (await recordEvents(pool, [normalised(input)]))[0]!;
    },
    async recordMany(inputs) {
      return inputs.length === 0 ? [] : recordEvents(pool, inputs.map(normalised));
    },
    get,
    async mark(id, status, reason, at) {
      await pool.query(`UPDATE inbound_events SET status = $2, reason = $3, applied_at = $4 WHERE id = $1`, [id, status, reason, at]);
    },
    async listPending(limit) {
      return list(`status = 'pending' ORDER BY id LIMIT $1`, [limit]);
    },
    async listByOrder(orderId) {
      return list(`order_id = $1 ORDER BY id`, [orderId]);
    },
    async listByEmail(email) {
      return list(`email = $1 ORDER BY id`, [emailKey(email)]);
    },
    async countBySourceAndStatus() {
      const { rows } = await pool.query<{ source: string; status: InboundStatus; count: number }>(
        `SELECT source, status, count(*) AS count FROM inbound_events GROUP BY source, status ORDER BY source, status`);
      return rows.map((r) => ({ source: r.source, status: r.status, count: r.count }));
    },
  };
}
