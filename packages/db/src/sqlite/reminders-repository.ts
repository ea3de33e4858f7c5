/** SQLite implementation of RemindersRepository: the reminder ledger and the scheduler's small state. */
import type { ReminderKind, ReminderStatus } from '@tickler/domain';
import type { NewReminder, ReminderRow, RemindersRepository } from '../repositories/types';
import type { Sqlite } from './connection';
import { groupCommitFor } from './group-commit';
import { makeFutureSlicePlanner, type FutureSlicePlanner } from './future-slices';
import { chunk, makeStatementCache } from './statements';

interface ReminderSqlRow {
  id: number; order_id: string; kind: ReminderKind; expires_on: string; offset_days: number; send_at: number;
  status: ReminderStatus; reason: string | null; created_at: number;
}
const COLUMNS = 'id, order_id, kind, expires_on, offset_days, send_at, status, reason, created_at';

function toReminder(row: ReminderSqlRow): ReminderRow {
  return {
    id: row.id, orderId: row.order_id, kind: row.kind, expiresOn: row.expires_on, offsetDays: row.offset_days,
    sendAt: new Date(row.send_at), status: row.status, reason: row.reason, createdAt: new Date(row.created_at),
  };
}

export interface RemindersRepositoryOptions {
  /** The connection `planFutureSlice` runs on (see future-slices.ts); default: the repository's own. */
  plannerConnection?: () => Sqlite;
}

export function makeSqliteRemindersRepository(sqlite: Sqlite, repositoryOptions: RemindersRepositoryOptions = {}): RemindersRepository {
  const prepare = makeStatementCache(sqlite);
  const group = groupCommitFor(sqlite);

  /** Rows per multi-row INSERT: 7 parameters each, well under SQLite's 32,766 bound parameters. */
  const ROWS_PER_STATEMENT = 200;
  const insertSql = (n: number) => `INSERT INTO reminders (order_id, kind, expires_on, offset_days, send_at, status, reason, updated_at)
    VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, NULL)').join(', ')}
    ON CONFLICT(order_id, kind, expires_on, offset_days) DO NOTHING RETURNING ${COLUMNS}`;

  /** One transaction for the whole batch; rows already in the ledger are left untouched. */
  const insertBatch = sqlite.transaction((rows: NewReminder[]): ReminderRow[] => {
    const inserted: ReminderRow[] = [];
    for (const slice of chunk(rows, ROWS_PER_STATEMENT)) {
      const params = slice.flatMap((r) => [r.orderId, r.kind, r.expiresOn, r.offsetDays, r.sendAt.getTime(), r.status, r.reason]);
      for (const row of prepare(insertSql(slice.length)).all(...params) as ReminderSqlRow[]) inserted.push(toReminder(row));
    }
    // RETURNING order is unspecified for multi-row inserts: keep the callers' (send time) order.
    return inserted.sort((a, b) => a.id - b.id);
  });

  let planFuture: FutureSlicePlanner | undefined;

  return {
    async insertNew(rows) {
      return rows.length === 0 ? [] : group(() => insertBatch(rows));
    },
    async planFutureSlice(slice, options) {
      planFuture ??= makeFutureSlicePlanner(repositoryOptions.plannerConnection?.() ?? sqlite);
      return planFuture(slice, options);
    },
    async get(id) {
      const row = prepare(`SELECT ${COLUMNS} FROM reminders WHERE id = ?`).get(id) as ReminderSqlRow | undefined;
      return row ? toReminder(row) : null;
    },
    async setStatus(id, status, reason) {
      prepare(`UPDATE reminders SET status = ?, reason = ?, updated_at = ? WHERE id = ?`).run(status, reason, Date.now(), id);
    },
    async listQueued(before, limit) {
      const rows = prepare(`SELECT ${COLUMNS} FROM reminders WHERE status = 'queued' AND send_at <= ? ORDER BY send_at, id LIMIT ?`)
        .all(before.getTime(), limit) as ReminderSqlRow[];
      return rows.map(toReminder);
    },
    async listForOrder(orderId) {
      const rows = prepare(`SELECT ${COLUMNS} FROM reminders WHERE order_id = ? ORDER BY send_at, id`).all(orderId) as ReminderSqlRow[];
      return rows.map(toReminder);
    },
    async listOpenForOrganization(organizationId) {
      const rows = prepare(`SELECT ${COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')} FROM reminders r JOIN orders o ON o.id = r.order_id
        WHERE o.organization_id = ? AND r.status = 'queued' ORDER BY r.send_at, r.id`).all(organizationId) as ReminderSqlRow[];
      return rows.map(toReminder);
    },
    async getState(key) {
      const row = prepare(`SELECT value FROM scheduler_state WHERE key = ?`).get(key) as { value: string } | undefined;
      return row?.value ?? null;
    },
    async claimState(key, value) {
      return prepare(`INSERT INTO scheduler_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING`)
        .run(key, value, Date.now()).changes === 1;
    },
    async setState(key, value) {
      prepare(`INSERT INTO scheduler_state (key, value, updated_at) VALUES (?, ?, ?)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(key, value, Date.now());
    },
  };
}
