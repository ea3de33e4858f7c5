/** SQLite implementation of InboundEventsRepository: billing and SES events, recorded once each. */
import { randomBytes } from 'node:crypto';
import type { InboundEventInput, InboundEventRow, InboundEventsRepository, InboundStatus, RecordedEvent } from '../repositories/types';
import type { Sqlite } from './connection';
import { contentSha256, sameContent } from '../event-content';
import { emailKey } from './email';
import { groupCommitFor } from './group-commit';
import { makeStatementCache, toDate } from './statements';

interface EventSqlRow {
  id: number; source: string; event_id: string; type: string; status: InboundStatus; reason: string | null; order_id: string | null;
  email: string | null; occurred_at: number | null; payload: string; payload_sha256: string | null; job_key: string;
  conflicts: number; last_conflict_at: number | null; created_at: number; applied_at: number | null;
}
const COLUMNS = `id, source, event_id, type, status, reason, order_id, email, occurred_at, payload, payload_sha256, job_key,
  conflicts, last_conflict_at, created_at, applied_at`;

function toEvent(row: EventSqlRow): InboundEventRow {
  return {
    id: row.id, source: row.source, eventId: row.event_id, type: row.type, status: row.status, reason: row.reason,
    orderId: row.order_id, email: row.email, occurredAt: toDate(row.occurred_at), payload: row.payload,
    receivedAt: new Date(row.created_at), appliedAt: toDate(row.applied_at), payloadSha256: row.payload_sha256, jobKey: row.job_key,
    conflicts: row.conflicts, lastConflictAt: toDate(row.last_conflict_at),
  };
}

/** 64 random bits, hex: the part of an event's job id that a row id handed out again cannot repeat. */
const newJobKey = () => randomBytes(8).toString('hex');

export function makeSqliteInboundEventsRepository(sqlite: Sqlite): InboundEventsRepository {
  const prepare = makeStatementCache(sqlite);
  const group = groupCommitFor(sqlite);
  const list = (where: string, ...params: unknown[]) =>
    (prepare(`SELECT ${COLUMNS} FROM inbound_events WHERE ${where}`).all(...params) as EventSqlRow[]).map(toEvent);

  /** A repeat of a recorded event: the same content is a plain duplicate; other content is counted as a conflict. */
  const repeated = (input: InboundEventInput, payloadSha256: string): RecordedEvent => {
    const existing = prepare(`SELECT ${COLUMNS} FROM inbound_events WHERE source = ? AND event_id = ?`).get(input.source, input.eventId) as EventSqlRow;
    if (sameContent(existing, input, payloadSha256)) return { row: toEvent(existing), duplicate: true, conflict: false };
    const counted = prepare(`UPDATE inbound_events SET conflicts = conflicts + 1, last_conflict_at = unixepoch('subsec') * 1000
      WHERE id = ? RETURNING ${COLUMNS}`).get(existing.id) as EventSqlRow;
    return { row: toEvent(counted), duplicate: true, conflict: true };
  };

  const recordOne = (input: InboundEventInput): RecordedEvent => {
    const email = input.email == null ? null : emailKey(input.email);
    const payloadSha256 = contentSha256(input);
    const inserted = prepare(`INSERT INTO inbound_events (source, event_id, type, status, reason, order_id, email, occurred_at, payload, payload_sha256, job_key)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source, event_id) DO NOTHING RETURNING ${COLUMNS}`)
      .get(input.source, input.eventId, input.type, input.status, input.reason ?? null, input.orderId ?? null, email,
        input.occurredAt?.getTime() ?? null, input.payload, payloadSha256, newJobKey()) as EventSqlRow | undefined;
    return inserted ? { row: toEvent(inserted), duplicate: false, conflict: false } : repeated(input, payloadSha256);
  };
  // Group commit: one transaction (one WAL commit) for many events costs a fraction of one per
  // event. A lone event goes the same way, so its result is only returned once COMMIT succeeded.
  const recordBatch = sqlite.transaction((inputs: InboundEventInput[]) => inputs.map(recordOne));

  return {
    async record(input) {
      const [recorded] = await group(() => recordBatch([input]));
      return recorded!;
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
