/**
 * Records inbound events in one statement: each (source, event id) not yet known is inserted (the
 * first of duplicates within the batch), in input order; the rows of the others are read back — from
 * the statement's snapshot, or, for a key a concurrent call inserted meanwhile, by a second query.
 */
import type { InboundEventRow, InboundEventsRepository, InboundStatus } from '../../repositories/types';
import type { Queryable } from '../pool';

export type RecordInput = Parameters<InboundEventsRepository['record']>[0];

export interface EventSqlRow {
  id: number; source: string; event_id: string; type: string; status: InboundStatus; reason: string | null; order_id: string | null;
  email: string | null; occurred_at: Date | null; payload: string; created_at: Date; applied_at: Date | null;
}
export const EVENT_COLUMNS = 'id, source, event_id, type, status, reason, order_id, email, occurred_at, payload, created_at, applied_at';

export function toEvent(row: EventSqlRow): InboundEventRow {
  return {
    id: row.id, source: row.source, eventId: row.event_id, type: row.type, status: row.status, reason: row.reason,
    orderId: row.order_id, email: row.email, occurredAt: row.occurred_at, payload: row.payload, receivedAt: row.created_at, appliedAt: row.applied_at,
  };
}

const RECORD_SQL = `WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[])
      WITH ORDINALITY AS t(source, event_id, type, status, reason, order_id, email, occurred_at, payload, ord)
  ),
  first AS (SELECT DISTINCT ON (source, event_id) * FROM input ORDER BY source, event_id, ord),
  inserted AS (
    INSERT INTO inbound_events (source, event_id, type, status, reason, order_id, email, occurred_at, payload)
    SELECT source, event_id, type, status, reason, order_id, email, occurred_at, payload FROM first ORDER BY ord
    ON CONFLICT (source, event_id) DO NOTHING
    RETURNING ${EVENT_COLUMNS}
  )
  SELECT ${EVENT_COLUMNS}, true AS fresh FROM inserted
  UNION ALL
  SELECT ${EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')}, false FROM inbound_events e
    JOIN first k ON k.source = e.source AND k.event_id = e.event_id`;

const READ_SQL = `SELECT ${EVENT_COLUMNS} FROM inbound_events WHERE (source, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;

const keyOf = (source: string, eventId: string) => `${source}\u0000${eventId}`;

/** `inputs` must carry normalised addresses. One result per input, in input order. */
export async function recordEvents(db: Queryable, inputs: RecordInput[]): Promise<Array<{ row: InboundEventRow; duplicate: boolean }>> {
  const { rows } = await db.query<EventSqlRow & { fresh: boolean }>(RECORD_SQL, [
    inputs.map((i) => i.source), inputs.map((i) => i.eventId), inputs.map((i) => i.type), inputs.map((i) => i.status),
    inputs.map((i) => i.reason ?? null), inputs.map((i) => i.orderId ?? null), inputs.map((i) => i.email ?? null),
    inputs.map((i) => i.occurredAt ?? null), inputs.map((i) => i.payload),
  ]);
  const byKey = new Map(rows.map((r) => [keyOf(r.source, r.event_id), r]));
  const missing = inputs.filter((i) => !byKey.has(keyOf(i.source, i.eventId)));
  if (missing.length > 0) {
    const { rows: raced } = await db.query<EventSqlRow>(READ_SQL, [missing.map((i) => i.source), missing.map((i) => i.eventId)]);
    for (const r of raced) byKey.set(keyOf(r.source, r.event_id), { ...r, fresh: false });
  }
  const claimed = new Set<string>();
  return inputs.map((input) => {
    const key = keyOf(input.source, input.eventId);
    const row = byKey.get(key);
    if (!row) throw new Error(`inbound event ${input.source}/${input.eventId} was neither inserted nor found`);
    // Only the first of duplicates within the batch is the one that inserted the row.
    const duplicate = !row.fresh || claimed.has(key);
    claimed.add(key);
    const { fresh: _fresh, ...plain } = row;
    return { row: toEvent(plain), duplicate };
  });
}
