/** SQLite implementation of TestSendsRepository (`test_sends`; instants are epoch milliseconds). */
import type { TestSendRow, TestSendsRepository } from '../repositories/types';
import type { Sqlite } from './connection';
import { makeStatementCache } from './statements';

interface TestSendSqlRow {
  id: number; template: string; locale: string; sample: string; email: string; requested_by: TestSendRow['requestedBy'];
  status: TestSendRow['status']; subject: string | null; provider_message_id: string | null; error: string | null;
  created_at: number; updated_at: number | null;
}

const COLUMNS = 'id, template, locale, sample, email, requested_by, status, subject, provider_message_id, error, created_at, updated_at';

function toRow(r: TestSendSqlRow): TestSendRow {
  return {
    id: r.id, template: r.template, locale: r.locale, sample: r.sample, email: r.email, requestedBy: r.requested_by, status: r.status,
    subject: r.subject, providerMessageId: r.provider_message_id, error: r.error,
    createdAt: new Date(r.created_at), updatedAt: r.updated_at === null ? null : new Date(r.updated_at),
  };
}

export function makeSqliteTestSendsRepository(sqlite: Sqlite): TestSendsRepository {
  const prepare = makeStatementCache(sqlite);
  const one = (row: unknown) => (row ? toRow(row as TestSendSqlRow) : null);
  return {
    async create(input, now) {
      const row = prepare(`INSERT INTO test_sends (template, locale, sample, email, requested_by, status, created_at)
        VALUES (?, ?, ?, ?, ?, 'queued', ?) RETURNING ${COLUMNS}`)
        .get(input.template, input.locale, input.sample, input.email, input.requestedBy, now.getTime());
      return toRow(row as TestSendSqlRow);
    },
    async get(id) {
      return one(prepare(`SELECT ${COLUMNS} FROM test_sends WHERE id = ?`).get(id));
    },
    async claim(id, now) {
      return one(prepare(`UPDATE test_sends SET status = 'sending', updated_at = ? WHERE id = ? AND status = 'queued' RETURNING ${COLUMNS}`).get(now.getTime(), id));
    },
    async markSent(id, subject, providerMessageId, now) {
      return prepare(`UPDATE test_sends SET status = 'sent', subject = ?, provider_message_id = ?, error = NULL, updated_at = ? WHERE id = ? AND status = 'sending'`)
        .run(subject, providerMessageId, now.getTime(), id).changes === 1;
    },
    async markFailed(id, error, now) {
      return prepare(`UPDATE test_sends SET status = 'failed', error = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'sending')`)
        .run(error, now.getTime(), id).changes === 1;
    },
    async recent(limit) {
      return (prepare(`SELECT ${COLUMNS} FROM test_sends ORDER BY id DESC LIMIT ?`).all(limit) as TestSendSqlRow[]).map(toRow);
    },
  };
}
