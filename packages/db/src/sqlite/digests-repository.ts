/** SQLite implementation of DigestsRepository: several reminders' deliveries sent as one email. */
import { DEFAULT_SENDING_LEASE_MS } from '../repositories/defaults';
import type { DigestGroup, DigestRow, DigestsRepository, DigestWithDeliveries } from '../repositories/types';
import type { Sqlite } from './connection';
import { COLUMNS, type DeliverySqlRow, toDelivery } from './deliveries-repository';
import { emailKey } from './email';
import { makeStatementCache } from './statements';

interface DigestSqlRow { id: number; organization_id: string; send_at: number; email: string; created_at: number; closed_at: number | null }
const DIGEST_COLUMNS = 'id, organization_id, send_at, email, created_at, closed_at';

const toDigest = (row: DigestSqlRow): DigestRow => ({
  id: row.id, organizationId: row.organization_id, sendAt: new Date(row.send_at), email: row.email, createdAt: new Date(row.created_at),
  closedAt: row.closed_at === null ? null : new Date(row.closed_at),
});

export function makeSqliteDigestsRepository(sqlite: Sqlite): DigestsRepository {
  const prepare = makeStatementCache(sqlite);
  const deliveriesOf = (id: number) =>
    (prepare(`SELECT ${COLUMNS} FROM deliveries WHERE digest_id = ? ORDER BY id`).all(id) as DeliverySqlRow[]).map(toDelivery);
  const read = (id: number): DigestWithDeliveries | null => {
    const row = prepare(`SELECT ${DIGEST_COLUMNS} FROM reminder_digests WHERE id = ?`).get(id) as DigestSqlRow | undefined;
    return row ? { digest: toDigest(row), deliveries: deliveriesOf(row.id) } : null;
  };

  const attach = sqlite.transaction((group: DigestGroup, deliveryIds: number[]): DigestWithDeliveries => {
    const email = emailKey(group.email);
    const sendAt = group.sendAt.getTime();
    // Immediate transactions: an attach and a claim (which closes the digest) never interleave.
    prepare(`INSERT INTO reminder_digests (organization_id, send_at, email) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`).run(group.organizationId, sendAt, email);
    const row = prepare(`SELECT ${DIGEST_COLUMNS} FROM reminder_digests WHERE organization_id = ? AND send_at = ? AND email = ? AND closed_at IS NULL`)
      .get(group.organizationId, sendAt, email) as DigestSqlRow;
    const update = prepare(`UPDATE deliveries SET digest_id = ?, updated_at = ? WHERE id = ? AND status = 'queued' AND digest_id IS NULL`);
    const now = Date.now();
    for (const id of deliveryIds) update.run(row.id, now, id);
    return { digest: toDigest(row), deliveries: deliveriesOf(row.id) };
  });

  const claim = sqlite.transaction((id: number, leaseMs: number) => {
    const now = Date.now();
    if (prepare(`UPDATE reminder_digests SET closed_at = coalesce(closed_at, ?) WHERE id = ?`).run(now, id).changes === 0) return null;
    const claimed = (prepare(`UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ?
      WHERE digest_id = ? AND (status = 'queued' OR (status = 'sending' AND coalesce(updated_at, created_at) <= ?)) RETURNING ${COLUMNS}`)
      .all(now, id, now - leaseMs) as DeliverySqlRow[]).map(toDelivery).sort((a, b) => a.id - b.id);
    const mine = new Set(claimed.map((d) => d.id));
    return { claimed, others: deliveriesOf(id).filter((d) => !mine.has(d.id)) };
  });

  const markSent = sqlite.transaction((ids: number[], messageId: string, at: number) => {
    const update = prepare(`UPDATE deliveries SET status = 'sent', provider_message_id = ?, sent_at = ?, updated_at = ?, last_error = NULL WHERE id = ?`);
    for (const id of ids) update.run(messageId, at, at, id);
  });

  return {
    async attach(group, deliveryIds) {
      return attach.immediate(group, deliveryIds);
    },
    async get(id) {
      return read(id);
    },
    async claimForSending(id, options = {}) {
      return claim.immediate(id, options.leaseMs ?? DEFAULT_SENDING_LEASE_MS);
    },
    async markSent(deliveryIds, providerMessageId, at) {
      if (deliveryIds.length > 0) markSent.immediate(deliveryIds, providerMessageId, at.getTime());
    },
  };
}
