/** PostgreSQL implementation of DigestsRepository: several reminders' deliveries sent as one email. */
import type pg from 'pg';
import { DEFAULT_SENDING_LEASE_MS } from '../repositories/defaults';
import type { DigestRow, DigestsRepository, DigestWithDeliveries } from '../repositories/types';
import { emailKey } from '../email';
import { type Queryable, withStatementRetry, withTransaction } from './pool';
import { DELIVERY_COLUMNS, type DeliverySqlRow, toDelivery } from './sql/delivery-rows';

interface DigestSqlRow { id: number; organization_id: string; send_at: Date; email: string; created_at: Date; closed_at: Date | null }
const DIGEST_COLUMNS = 'id, organization_id, send_at, email, created_at, closed_at';

const toDigest = (row: DigestSqlRow): DigestRow => ({
  id: row.id, organizationId: row.organization_id, sendAt: row.send_at, email: row.email, createdAt: row.created_at, closedAt: row.closed_at,
});

async function deliveriesOf(db: Queryable, id: number) {
  const { rows } = await db.query<DeliverySqlRow>(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE digest_id = $1 ORDER BY id`, [id]);
  return rows.map(toDelivery);
}

/** The lease is measured on the database's clock, so hosts with skewed clocks agree (as for single deliveries). */
const CLAIM_SQL = `UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = now()
  WHERE digest_id = $1 AND (status = 'queued'
    OR (status = 'sending' AND coalesce(updated_at, created_at) <= now() - $2::integer * interval '1 millisecond'))
  RETURNING ${DELIVERY_COLUMNS}`;

export function makePgDigestsRepository(pool: pg.Pool): DigestsRepository {
  const read = async (db: Queryable, id: number): Promise<DigestWithDeliveries | null> => {
    const { rows: [row] } = await db.query<DigestSqlRow>(`SELECT ${DIGEST_COLUMNS} FROM reminder_digests WHERE id = $1`, [id]);
    return row ? { digest: toDigest(row), deliveries: await deliveriesOf(db, row.id) } : null;
  };
  return {
    async attach(group, deliveryIds) {
      const email = emailKey(group.email);
      return withTransaction(pool, async (tx) => {
        // DO UPDATE (a no-op write) rather than DO NOTHING: the open row comes back even when a
        // concurrent call inserted it, locked until commit, so a claim (which closes it) waits for this
        // attach; one that closed it first took it out of the partial unique index, and a new digest opens.
        const { rows: [row] } = await tx.query<DigestSqlRow>(`INSERT INTO reminder_digests (organization_id, send_at, email) VALUES ($1, $2, $3)
          ON CONFLICT (organization_id, send_at, email) WHERE closed_at IS NULL DO UPDATE SET email = excluded.email RETURNING ${DIGEST_COLUMNS}`,
        [group.organizationId, group.sendAt, email]);
        const digest = row as DigestSqlRow;
        await tx.query(`UPDATE deliveries SET digest_id = $1, updated_at = now() WHERE id = ANY($2::bigint[]) AND status = 'queued' AND digest_id IS NULL`,
          [digest.id, deliveryIds]);
        return { digest: toDigest(digest), deliveries: await deliveriesOf(tx, digest.id) };
      });
    },
    async get(id) {
      return read(pool, id);
    },
    async claimForSending(id, options = {}) {
      const leaseMs = Math.max(0, Math.floor(options.leaseMs ?? DEFAULT_SENDING_LEASE_MS));
      return withTransaction(pool, async (tx) => {
        // Closing takes the digest's row lock: an attach in flight commits first (see attach).
        const { rowCount } = await tx.query(`UPDATE reminder_digests SET closed_at = coalesce(closed_at, now()) WHERE id = $1`, [id]);
        if (rowCount === 0) return null;
        const { rows } = await tx.query<DeliverySqlRow>(CLAIM_SQL, [id, leaseMs]);
        const claimed = rows.map(toDelivery).sort((a, b) => a.id - b.id);
        const mine = new Set(claimed.map((d) => d.id));
        return { claimed, others: (await deliveriesOf(tx, id)).filter((d) => !mine.has(d.id)) };
      });
    },
    async markSent(deliveryIds, providerMessageId, at) {
      if (deliveryIds.length === 0) return;
      await withStatementRetry(() => pool.query(`UPDATE deliveries SET status = 'sent', provider_message_id = $2, sent_at = $3, updated_at = $3, last_error = NULL
        WHERE id = ANY($1::bigint[])`, [deliveryIds, providerMessageId, at]));
    },
  };
}
