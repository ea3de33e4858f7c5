/**
 * The deliveries of a fan-out in one statement: keys (source, email) not yet in the ledger are
 * inserted, and the rows of every key come back — inserted ones from RETURNING, existing ones from
 * the statement's snapshot. A key inserted by a concurrent call after that snapshot is read by a
 * second query (rare: only when two fan-outs of one source race).
 */
import type { DeliveryRow, NewDelivery } from '../../repositories/types';
import type { Queryable } from '../pool';
import { DELIVERY_COLUMNS, type DeliverySqlRow, toDelivery } from './delivery-rows';

const INPUT = `SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
    AS t(source_type, source_id, email, list_id, order_id, status, reason, ord)`;

const UPSERT_SQL = `WITH input AS (${INPUT}),
  first AS (SELECT DISTINCT ON (source_type, source_id, email) * FROM input ORDER BY source_type, source_id, email, ord),
  inserted AS (
    INSERT INTO deliveries (source_type, source_id, email, list_id, order_id, status, reason, updated_at)
    SELECT source_type, source_id, email, list_id, order_id, status, reason, now() FROM first ORDER BY ord
    ON CONFLICT (source_type, source_id, email) DO NOTHING
    RETURNING ${DELIVERY_COLUMNS}
  )
  SELECT ${DELIVERY_COLUMNS} FROM inserted
  UNION ALL
  SELECT ${DELIVERY_COLUMNS.split(', ').map((c) => `d.${c}`).join(', ')} FROM deliveries d
    JOIN first k ON k.source_type = d.source_type AND k.source_id = d.source_id AND k.email = d.email`;

const READ_SQL = `SELECT ${DELIVERY_COLUMNS} FROM deliveries
  WHERE (source_type, source_id, email) IN (SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[]))`;

const keyOf = (sourceType: string, sourceId: number, email: string) => `${sourceType}\u0000${sourceId}\u0000${email}`;

/** `rows` must carry normalised addresses. Returns one row per distinct key, in first-occurrence order. */
export async function upsertDeliveries(db: Queryable, rows: NewDelivery[]): Promise<DeliveryRow[]> {
  const { rows: found } = await db.query<DeliverySqlRow>(UPSERT_SQL, [
    rows.map((r) => r.sourceType), rows.map((r) => r.sourceId), rows.map((r) => r.email), rows.map((r) => r.listId),
    rows.map((r) => r.orderId), rows.map((r) => r.status), rows.map((r) => r.reason),
  ]);
  const byKey = new Map(found.map((r) => [keyOf(r.source_type, r.source_id, r.email), r]));
  const missing = rows.filter((r) => !byKey.has(keyOf(r.sourceType, r.sourceId, r.email)));
  if (missing.length > 0) {
    const { rows: raced } = await db.query<DeliverySqlRow>(READ_SQL, [missing.map((r) => r.sourceType), missing.map((r) => r.sourceId), missing.map((r) => r.email)]);
    for (const r of raced) byKey.set(keyOf(r.source_type, r.source_id, r.email), r);
  }
  const out: DeliveryRow[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const key = keyOf(r.sourceType, r.sourceId, r.email);
    const row = byKey.get(key);
    if (seen.has(key) || !row) continue;
    seen.add(key);
    out.push(toDelivery(row));
  }
  return out;
}
