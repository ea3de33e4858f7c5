/**
 * Records inbound events in one statement: each (source, event id) not yet known is inserted (the
 * first of duplicates within the batch), in input order, with the SHA-256 of its content and a
 * random job key; the rows of the others are read back — from the statement's snapshot, or, for a
 * key a concurrent call inserted meanwhile, by a second query. Repeats whose content differs from
 * the stored one are conflicts: counted on the stored row by one more statement.
 */
import { randomBytes } from 'node:crypto';
import type { InboundEventInput, InboundEventRow, InboundStatus, RecordedEvent } from '../../repositories/types';
import { contentSha256, sameContent } from '../../event-content';
import { type Queryable, withStatementRetry } from '../pool';

export interface EventSqlRow {
  id: number; source: string; event_id: string; type: string; status: InboundStatus; reason: string | null; order_id: string | null;
  email: string | null; occurred_at: Date | null; payload: string; payload_sha256: string | null; job_key: string;
  conflicts: number; last_conflict_at: Date | null; created_at: Date; applied_at: Date | null;
}
export const EVENT_COLUMNS = `id, source, event_id, type, status, reason, order_id, email, occurred_at, payload, payload_sha256, job_key,
  conflicts, last_conflict_at, created_at, applied_at`;
const prefixedColumns = (alias: string) => EVENT_COLUMNS.split(',').map((c) => `${alias}.${c.trim()}`).join(', ');

export function toEvent(row: EventSqlRow): InboundEventRow {
  return {
    id: row.id, source: row.source, eventId: row.event_id, type: row.type, status: row.status, reason: row.reason,
    orderId: row.order_id, email: row.email, occurredAt: row.occurred_at, payload: row.payload, receivedAt: row.created_at,
    appliedAt: row.applied_at, payloadSha256: row.payload_sha256, jobKey: row.job_key, conflicts: row.conflicts, lastConflictAt: row.last_conflict_at,
  };
}

/** 64 random bits, hex: the part of an event's job id that a row id handed out again cannot repeat. */
const newJobKey = () => randomBytes(8).toString('hex');

const RECORD_SQL = `WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::text[], $11::text[])
      WITH ORDINALITY AS t(source, event_id, type, status, reason, order_id, email, occurred_at, payload, payload_sha256, job_key, ord)
  ),
  first AS (SELECT DISTINCT ON (source, event_id) * FROM input ORDER BY source, event_id, ord),
  inserted AS (
    INSERT INTO inbound_events (source, event_id, type, status, reason, order_id, email, occurred_at, payload, payload_sha256, job_key)
    SELECT source, event_id, type, status, reason, order_id, email, occurred_at, payload, payload_sha256, job_key FROM first ORDER BY ord
    ON CONFLICT (source, event_id) DO NOTHING
    RETURNING ${EVENT_COLUMNS}
  )
  SELECT ${EVENT_COLUMNS}, true AS fresh FROM inserted
  UNION ALL
  SELECT ${prefixedColumns('e')}, false FROM inbound_events e JOIN first k ON k.source = e.source AND k.event_id = e.event_id`;

const READ_SQL = `SELECT ${EVENT_COLUMNS} FROM inbound_events WHERE (source, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;

const COUNT_CONFLICTS_SQL = `UPDATE inbound_events e SET conflicts = e.conflicts + c.n, last_conflict_at = now()
  FROM unnest($1::bigint[], $2::integer[]) AS c(id, n) WHERE e.id = c.id RETURNING ${prefixedColumns('e')}`;

const keyOf = (source: string, eventId: string) => `${source}\u0000${eventId}`;

/** `inputs` must carry normalised addresses. One result per input, in input order. */
export async function recordEvents(db: Queryable, inputs: InboundEventInput[]): Promise<RecordedEvent[]> {
  const hashes = inputs.map(contentSha256);
  // Two batches inserting the same keys in another order can deadlock: the victim inserted nothing, so it runs again.
  const { rows } = await withStatementRetry(() => db.query<EventSqlRow & { fresh: boolean }>(RECORD_SQL, [
    inputs.map((i) => i.source), inputs.map((i) => i.eventId), inputs.map((i) => i.type), inputs.map((i) => i.status),
    inputs.map((i) => i.reason ?? null), inputs.map((i) => i.orderId ?? null), inputs.map((i) => i.email ?? null),
    inputs.map((i) => i.occurredAt ?? null), inputs.map((i) => i.payload), hashes, inputs.map(() => newJobKey()),
  ]));
  const byKey = new Map(rows.map((r) => [keyOf(r.source, r.event_id), r]));
  const missing = inputs.filter((i) => !byKey.has(keyOf(i.source, i.eventId)));
  if (missing.length > 0) {
    const { rows: raced } = await db.query<EventSqlRow>(READ_SQL, [missing.map((i) => i.source), missing.map((i) => i.eventId)]);
    for (const r of raced) byKey.set(keyOf(r.source, r.event_id), { ...r, fresh: false });
  }
  // Which input inserted each row (the first of its key, when fresh), and which repeats carry another payload.
  const inserter = new Set<string>();
  const outcomes = inputs.map((input, i) => {
    const key = keyOf(input.source, input.eventId);
    const row = byKey.get(key);
    if (!row) throw new Error(`inbound event ${input.source}/${input.eventId} was neither inserted nor found`);
    const inserted = row.fresh && !inserter.has(key);
    if (inserted) inserter.add(key);
    const conflict = !inserted && !sameContent(row, input, hashes[i]!);
    return { key, row, inserted, conflict };
  });
  const conflictsByRow = new Map<number, number>();
  for (const o of outcomes) if (o.conflict) conflictsByRow.set(o.row.id, (conflictsByRow.get(o.row.id) ?? 0) + 1);
  const counted = new Map<number, EventSqlRow>();
  if (conflictsByRow.size > 0) {
    const { rows: updated } = await db.query<EventSqlRow>(COUNT_CONFLICTS_SQL, [[...conflictsByRow.keys()], [...conflictsByRow.values()]]);
    for (const r of updated) counted.set(r.id, r);
  }
  return outcomes.map(({ row, inserted, conflict }) => {
    const { fresh: _fresh, ...plain } = row;
    return { row: toEvent(counted.get(row.id) ?? plain), duplicate: !inserted, conflict };
  });
}
