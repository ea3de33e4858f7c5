/** PostgreSQL implementation of ListsRepository: per-list unsubscribes and address-wide suppressions. */
import type { ListId, SuppressionReason } from '@tickler/domain';
import type pg from 'pg';
import type { AddressLocale, ListsRepository, Suppression } from '../repositories/types';
import { emailKey } from '../email';
import { batched, batchedByKey } from './batched';

interface SuppressionSqlRow { email: string; reason: SuppressionReason; detail: string | null; created_at: Date }
interface RecipientSqlRow { email: string; suppressed: boolean; lists: ListId[]; locale: string | null; source: AddressLocale['source'] | null }

export function makePgListsRepository(pool: pg.Pool): ListsRepository {
  const keys = (emails: string[]) => [...new Set(emails.map(emailKey))];
  const emailsOf = async (sql: string, params: unknown[]) => new Set((await pool.query<{ email: string }>(sql, params)).rows.map((r) => r.email));
  // What every send checks about its recipient — suppressed, the lists left, the language — in one
  // statement for all three questions, batched across the process's concurrent send jobs (see batched.ts).
  const recipientFacts = batchedByKey(async (emails: string[]) => (await pool.query<RecipientSqlRow>(
    `SELECT e.email, EXISTS (SELECT 1 FROM suppressions s WHERE s.email = e.email) AS suppressed,
      ARRAY(SELECT u.list_id FROM list_unsubscribes u WHERE u.email = e.email) AS lists, l.locale, l.source
      FROM unnest($1::text[]) AS e(email) LEFT JOIN address_locales l ON l.email = e.email`, [emails])).rows.map((r) => [r.email, {
    suppressed: r.suppressed, lists: r.lists, locale: r.locale === null || r.source === null ? null : { locale: r.locale, source: r.source },
  }] as const));
  // Every address asked about gets a row (unnest … LEFT JOIN), so a fact is never missing.
  const factsOf = async (email: string) => (await recipientFacts(email))!;
  // Lists of addresses (a reminder's fan-out), batched among themselves.
  const suppressedLists = batched(async (lists: ReadonlyArray<string[]>) => {
    const suppressed = await emailsOf(`SELECT email FROM suppressions WHERE email = ANY($1::text[])`, [[...new Set(lists.flat())]]);
    return lists.map((emails) => new Set(emails.filter((email) => suppressed.has(email))));
  });

  return {
    async unsubscribe(email, listId, source) {
      await pool.query(`INSERT INTO list_unsubscribes (email, list_id, source) VALUES ($1, $2, $3) ON CONFLICT (email, list_id) DO NOTHING`,
        [emailKey(email), listId, source]);
    },
    async resubscribe(email, listId) {
      await pool.query(`DELETE FROM list_unsubscribes WHERE email = $1 AND list_id = $2`, [emailKey(email), listId]);
    },
    async isUnsubscribed(email, listId) {
      return (await factsOf(emailKey(email))).lists.includes(listId);
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
      const addresses = keys(emails);
      if (addresses.length === 1) return (await factsOf(addresses[0]!)).suppressed ? new Set(addresses) : new Set();
      return addresses.length === 0 ? new Set() : suppressedLists(addresses);
    },
    async suppressionsAmong(emails) {
      const found = new Map<string, Suppression>();
      if (emails.length === 0) return found;
      const { rows } = await pool.query<SuppressionSqlRow>(`SELECT email, reason, detail, created_at FROM suppressions WHERE email = ANY($1::text[])`, [keys(emails)]);
      for (const row of rows) found.set(row.email, { reason: row.reason, detail: row.detail, createdAt: row.created_at });
      return found;
    },
    async getLocale(email) {
      return (await factsOf(emailKey(email))).locale;
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
