/** PostgreSQL implementation of TestSendsRepository (`test_sends`). */
import type pg from 'pg';
import type { TestSendRow, TestSendsRepository } from '../repositories/types';

interface TestSendSqlRow {
  id: number; template: string; locale: string; sample: string; email: string; requested_by: TestSendRow['requestedBy'];
  status: TestSendRow['status']; subject: string | null; provider_message_id: string | null; error: string | null;
  created_at: Date; updated_at: Date | null;
}

const COLUMNS = 'id, template, locale, sample, email, requested_by, status, subject, provider_message_id, error, created_at, updated_at';

function toRow(r: TestSendSqlRow): TestSendRow {
  return {
    id: Number(r.id), template: r.template, locale: r.locale, sample: r.sample, email: r.email, requestedBy: r.requested_by, status: r.status,
    subject: r.subject, providerMessageId: r.provider_message_id, error: r.error, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export function makePgTestSendsRepository(pool: pg.Pool): TestSendsRepository {
  const one = (rows: TestSendSqlRow[]) => (rows[0] ? toRow(rows[0]) : null);
  return {
    async create(input, now) {
      const { rows } = await pool.query<TestSendSqlRow>(`INSERT INTO test_sends (template, locale, sample, email, requested_by, status, created_at)
        VALUES ($1, $2, $3, $4, $5, 'queued', $6) RETURNING ${COLUMNS}`, [input.template, input.locale, input.sample, input.email, input.requestedBy, now]);
      return toRow(rows[0]!);
    },
    async get(id) {
      return one((await pool.query<TestSendSqlRow>(`SELECT ${COLUMNS} FROM test_sends WHERE id = $1`, [id])).rows);
    },
    async claim(id, now) {
      // Row lock: of concurrent claims the second re-reads the row after the first commits and matches nothing.
      const { rows } = await pool.query<TestSendSqlRow>(
        `UPDATE test_sends SET status = 'sending', updated_at = $1 WHERE id = $2 AND status = 'queued' RETURNING ${COLUMNS}`, [now, id]);
      return one(rows);
    },
    async markSent(id, subject, providerMessageId, now) {
      const result = await pool.query(`UPDATE test_sends SET status = 'sent', subject = $1, provider_message_id = $2, error = NULL, updated_at = $3
        WHERE id = $4 AND status = 'sending'`, [subject, providerMessageId, now, id]);
      return result.rowCount === 1;
    },
    async markFailed(id, error, now) {
      const result = await pool.query(`UPDATE test_sends SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3 AND status IN ('queued', 'sending')`, [error, now, id]);
      return result.rowCount === 1;
    },
    async recent(limit) {
      return (await pool.query<TestSendSqlRow>(`SELECT ${COLUMNS} FROM test_sends ORDER BY id DESC LIMIT $1`, [limit])).rows.map(toRow);
    },
  };
}
