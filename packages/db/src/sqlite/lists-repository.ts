/** SQLite implementation of ListsRepository: per-list unsubscribes and address-wide suppressions. */
import type { ListId, SuppressionReason } from '@tickler/domain';
import type { AddressLocale, ListsRepository, Suppression } from '../repositories/types';
import type { Sqlite } from './connection';
import { emailKey } from './email';
import { chunk, makeStatementCache, placeholders } from './statements';

/** Bound parameters per IN list (SQLite's limit is 32766; stay well below). */
const IN_CHUNK = 500;

export function makeSqliteListsRepository(sqlite: Sqlite): ListsRepository {
  const prepare = makeStatementCache(sqlite);

  /** The members of `emails` (normalised) for which `sqlFor(n)` returns a row; queried in chunks. */
  const among = (emails: string[], sqlFor: (n: number) => string, lead: unknown[]): Set<string> => {
    const found = new Set<string>();
    const unique = [...new Set(emails.map(emailKey))];
    for (const part of chunk(unique, IN_CHUNK)) {
      for (const row of prepare(sqlFor(part.length)).all(...lead, ...part) as Array<{ email: string }>) found.add(row.email);
    }
    return found;
  };

  return {
    async unsubscribe(email, listId, source) {
      prepare(`INSERT INTO list_unsubscribes (email, list_id, source) VALUES (?, ?, ?) ON CONFLICT(email, list_id) DO NOTHING`)
        .run(emailKey(email), listId, source);
    },
    async resubscribe(email, listId) {
      prepare(`DELETE FROM list_unsubscribes WHERE email = ? AND list_id = ?`).run(emailKey(email), listId);
    },
    async isUnsubscribed(email, listId) {
      return prepare(`SELECT 1 FROM list_unsubscribes WHERE email = ? AND list_id = ?`).get(emailKey(email), listId) !== undefined;
    },
    async unsubscribedAmong(listId, emails) {
      return among(emails, (n) => `SELECT email FROM list_unsubscribes WHERE list_id = ? AND email IN (${placeholders(n)})`, [listId]);
    },
    async listUnsubscribed(email) {
      const rows = prepare(`SELECT list_id FROM list_unsubscribes WHERE email = ? ORDER BY list_id`).all(emailKey(email)) as Array<{ list_id: ListId }>;
      return rows.map((r) => r.list_id);
    },
    async suppress(email, reason, detail) {
      // The latest reason wins (a complaint after a bounce is still a suppression, with newer detail).
      prepare(`INSERT INTO suppressions (email, reason, detail) VALUES (?, ?, ?)
        ON CONFLICT(email) DO UPDATE SET reason = excluded.reason, detail = excluded.detail`).run(emailKey(email), reason, detail);
    },
    async unsuppress(email) {
      return prepare(`DELETE FROM suppressions WHERE email = ?`).run(emailKey(email)).changes > 0;
    },
    async getSuppression(email) {
      const row = prepare(`SELECT reason, detail, created_at FROM suppressions WHERE email = ?`).get(emailKey(email)) as
        { reason: SuppressionReason; detail: string | null; created_at: number } | undefined;
      return row ? { reason: row.reason, detail: row.detail, createdAt: new Date(row.created_at) } : null;
    },
    async suppressedAmong(emails) {
      return among(emails, (n) => `SELECT email FROM suppressions WHERE email IN (${placeholders(n)})`, []);
    },
    async suppressionsAmong(emails) {
      const found = new Map<string, Suppression>();
      for (const part of chunk([...new Set(emails.map(emailKey))], IN_CHUNK)) {
        const rows = prepare(`SELECT email, reason, detail, created_at FROM suppressions WHERE email IN (${placeholders(part.length)})`)
          .all(...part) as Array<{ email: string; reason: SuppressionReason; detail: string | null; created_at: number }>;
        for (const row of rows) found.set(row.email, { reason: row.reason, detail: row.detail, createdAt: new Date(row.created_at) });
      }
      return found;
    },
      async getLocale(email) {
      const row = prepare(`SELECT locale, source FROM address_locales WHERE email = ?`).get(emailKey(email)) as AddressLocale | undefined;
      return row ? { locale: row.locale, source: row.source } : null;
    },
    async setLocale(email, locale, source) {
      if (locale === null) {
        if (source === 'preferences') prepare(`DELETE FROM address_locales WHERE email = ?`).run(emailKey(email));
        return;
      }
      prepare(`INSERT INTO address_locales (email, locale, source, updated_at) VALUES (?, ?, ?, unixepoch('subsec') * 1000)
        ON CONFLICT(email) DO UPDATE SET locale = excluded.locale, source = excluded.source, updated_at = excluded.updated_at
        WHERE address_locales.source = 'sign-up' OR excluded.source = 'preferences'`).run(emailKey(email), locale, source);
    },
  };
}
