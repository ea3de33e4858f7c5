/** PostgreSQL implementation of ListsRepository: per-list unsubscribes and address-wide suppressions. */
import type { ListId, SuppressionReason } from '@tickler/domain';
import type pg from 'pg';
import type { AddressLocale, ListsRepository, Suppression } from '../repositories/types';
import { emailKey } from '../email';
import { batched, batchedByKey, batchedPairTest } from './batched';

interface SuppressionSqlRow { email: string; reason: SuppressionReason; detail: string | null; created_at: Date }

export function makePgListsRepository(pool: pg.Pool): ListsRepository {
  const keys = (emails: string[]) => [...new Set(emails.map(emailKey))];
  const emailsOf = async (sql: string, params: unknown[]) => new Set((await pool.query<{ email: string }>(sql, params)).rows.map((r) => r.email));
  // The checks every send makes, batched across the process's concurrent send jobs (see batched.ts).
  const isUnsubscribed = batchedPairTest(async (emails, listIds) => (await pool.query<{ email: string; list_id: string }>(`SELECT u.email, u.list_id
    FROM list_unsubscribes u JOIN unnest($1::text[], $2::text[]) AS p(email, list_id) ON u.email = p.email AND u.list_id = p.list_id`,
  [emails, listIds])).rows.map((r) => [r.email, r.list_id] as const));
  const suppressedLists = batched(async (lists: ReadonlyArray<string[]>) => {
    const suppressed = await emailsOf(`SELECT email FROM suppressions WHERE email = ANY($1::text[])`, [[...new Set(lists.flat())]]);
    return lists.map((emails) => new Set(emails.filter((email) => suppressed.has(email))));
  });
  const locales = batchedByKey(async (emails: string[]) => (await pool.query<AddressLocale & { email: string }>(
    `SELECT email, locale, source FROM address_locales WHERE email = ANY($1::text[])`, [emails])).rows.map((r) => [r.email, { locale: r.locale, source: r.source }] as const));

  return {
    async unsubscribe(email, listId, source) {
      await pool.query(`INSERT INTO list_unsubscribes (email, list_id, source) VALUES ($1, $2, $3) ON CONFLICT (email, list_id) DO NOTHING`,
        [emailKey(email), listId, source]);
    },
    async resubscribe(email, listId) {
      await pool.query(`DELETE FROM list_unsubscribes WHERE email = $1 AND list_id = $2`, [emailKey(email), listId]);
    },
    async isUnsubscribed(email, listId) {
      return isUnsubscribed(emailKey(email), listId);
    },
    async unsubscribedAmong(listId, emails) {
      if (emails.length === 0) return new Set();
      return emailsOf(`SELECT email FROM list_unsubscribes WHERE list_id = $1 AND email = ANY($2::text[])`, [listId, keys(emails)]);
    },
    async listUnsubscribed(email) {
      const { rows } = await pool.query<{ list_id: ListId }>(`SELECT list_id FROM list_unsubscribes WHERE email = $1 ORDER BY list_id`, [emailKey(email)]);
      return rows.map((r) => r.list_id);
    },
    async suppress(email, reason, detail) {
      // The latest reason wins (a complaint after a bounce is still a suppression, with newer detail).
      await pool.query(`INSERT INTO suppressions (email, reason, detail) VALUES ($1, $2, $3)
        ON CONFLICT (email) DO UPDATE SET reason = excluded.reason, detail = excluded.detail`, [emailKey(email), reason, detail]);
    },
    async unsuppress(email) {
      return (await pool.query(`DELETE FROM suppressions WHERE email = $1`, [emailKey(email)])).rowCount === 1;
    },
    async getSuppression(email) {
      const { rows: [row] } = await pool.query<SuppressionSqlRow>(`SELECT email, reason, detail, created_at FROM suppressions WHERE email = $1`, [emailKey(email)]);
      return row ? { reason: row.reason, detail: row.detail, createdAt: row.created_at } : null;
    },
    async suppressedAmong(emails) {
      if (emails.length === 0) return new Set();
      return suppressedLists(keys(emails));
    },
    async suppressionsAmong(emails) {
      const found = new Map<string, Suppression>();
      if (emails.length === 0) return found;
      const { rows } = await pool.query<SuppressionSqlRow>(`SELECT email, reason, detail, created_at FROM suppressions WHERE email = ANY($1::text[])`, [keys(emails)]);
      for (const row of rows) found.set(row.email, { reason: row.reason, detail: row.detail, createdAt: row.created_at });
      return found;
    },
      async getLocale(email) {
      return locales(emailKey(email));
    },
    async setLocale(email, locale, source) {
      if (locale === null) {
        if (source === 'preferences') await pool.query(`DELETE FROM address_locales WHERE email = $1`, [emailKey(email)]);
        return;
      }
      await pool.query(`INSERT INTO address_locales (email, locale, source, updated_at) VALUES ($1, $2, $3, now())
        ON CONFLICT (email) DO UPDATE SET locale = excluded.locale, source = excluded.source, updated_at = excluded.updated_at
        WHERE address_locales.source = 'sign-up' OR excluded.source = 'preferences'`, [emailKey(email), locale, source]);
    },
  };
}
