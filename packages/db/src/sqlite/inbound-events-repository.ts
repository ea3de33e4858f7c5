/** SQLite implementation of InboundEventsRepository: billing and SES events, recorded once each. */
import type { InboundEventRow, InboundEventsRepository, InboundStatus } from '../repositories/types';
import type { Sqlite } from './connection';
import { emailKey } from './email';
import { groupCommitFor } from './group-commit';
import { makeStatementCache } from './statements';

type RecordInput = Parameters<InboundEventsRepository['record']>[0];

interface EventSqlRow {
  id: number; source: string; event_id: string; type: string; status: InboundStatus; reason: string | null; order_id: string | null;
  email: string | null; occurred_at: number | null; payload: string; created_at: number; applied_at: number | null;
}
const COLUMNS = 'id, source, event_id, type, status, reason, order_id, email, occurred_at, payload, created_at, applied_at';

function toEvent(row: EventSqlRow): InboundEventRow {
  return {
    id: row.id, source: row.source, eventId: row.event_id, type: row.type, status: row.status, reason: row.reason,
    orderId: row.order_id, email: row.email, occurredAt: row.occurred_at === null ? null : new Date(row.occurred_at),
    payload: row.payload, receivedAt: new Date(row.created_at), appliedAt: row.applied_at === null ? null : new Date(row.applied_at),
  };
}

export function makeSqliteInboundEventsRepository(sqlite: Sqlite): InboundEventsRepository {
  const prepare = makeStatementCache(sqlite);
  const group = groupCommitFor(sqlite);
  const list = (where: string, ...params: unknown[]) =>
    (prepare(`SELECT ${COLUMNS} FROM inbound_events WHERE ${where}`).all(...params) as EventSqlRow[]).map(toEvent);

  const recordOne = (input: RecordInput): { row: InboundEventRow; duplicate: boolean } => {
    const email = input.email == null ? null : emailKey(input.email);
    const inserted = prepare(`INSERT INTO inbound_events (source, event_id, type, status, reason, order_id, email, occurred_at, payload)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source, event_id) DO NOTHING RETURNING ${COLUMNS}`)
      .get(input.source, input.eventId, input.type, input.status, input.reason ?? null, input.orderId ?? null, email,
        input.occurredAt?.getTime() ?? null, input.payload) as EventSqlRow | undefined;
    if (inserted) return { row: toEvent(inserted), duplicate: false };
    const existing = prepare(`SELECT ${COLUMNS} FROM inbound_events WHERE source = ? AND event_id = ?`).get(input.source, input.eventId) as EventSqlRow;
    return { row: toEvent(existing), duplicate: true };
  };
  // Group commit: one transaction (one WAL commit) for many events costs a fraction of one per event.
  const recordBatch = sqlite.transaction((inputs: RecordInput[]) => inputs.map(recordOne));

  return {
    async record(input) {
      return recordOne(input);
    },
    async recordMany(inputs) {
      return inputs.length === 0 ? [] : group(() => recordBatch(inputs));
    },
    async get(id) {
      const row = prepare(`SELECT ${COLUMNS} FROM inbound_events WHERE id = ?`).get(id) as EventSqlRow | undefined;
      return row ? toEvent(row) : null;
    },
    async mark(id, status, reason, at) {
      await group(() => prepare(`UPDATE inbound_events SET status = ?, reason = ?, applied_at = ? WHERE id = ?`).run(status, reason, at.getTime(), id));
    },
    async listPending(limit) {
      return list(`status = 'pending' ORDER BY id LIMIT ?`, limit);
    },
    async listByOrder(orderId) {
      return list(`order_id = ? ORDER BY id`, orderId);
    },
    async listByEmail(email) {
      return list(`email = ? ORDER BY id`, emailKey(email));
    },
    async countBySourceAndStatus() {
      const rows = prepare(`SELECT source, status, count(*) AS count FROM inbound_events GROUP BY source, status ORDER BY source, status`)
        .all() as Array<{ source: string; status: InboundStatus; count: number }>;
      return rows.map((r) => ({ source: r.source, status: r.status, count: r.count }));
    },
  };
}
