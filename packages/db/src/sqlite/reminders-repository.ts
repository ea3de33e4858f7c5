/** SQLite implementation of RemindersRepository: the reminder ledger. */
import type { ReminderKind, ReminderStatus } from '@tickler/domain';
import type { NewReminder, ReminderRow, RemindersRepository, SupersededReminder } from '../repositories/types';
import type { Sqlite } from './connection';
import { groupCommitFor } from './group-commit';
import { makeFutureSlicePlanner, type FutureSlicePlanner } from './future-slices';
import { chunk, makeStatementCache, placeholders } from './statements';

/** Ids per IN list (SQLite's limit is 32,766 bound parameters; stay well below). */
const IN_CHUNK = 500;

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

  /**
   * Earlier queued reminders of each due reminder's cycle (or at the same time farther from expiry,
   * as the domain's `supersedingReminder`) → skipped/superseded: per chunk of due ids
   * one query finds them (with the latest due reminder overtaking each), one update records them.
   */
  const supersedeBatch = sqlite.transaction((dueIds: number[]): SupersededReminder[] => {
    const found = new Map<number, SupersededReminder>();
    for (const part of chunk([...new Set(dueIds)], IN_CHUNK)) {
      const rows = prepare(`SELECT r.id, r.order_id, d.id AS due_id FROM reminders d
        JOIN reminders r ON r.order_id = d.order_id AND r.kind = d.kind AND r.expires_on = d.expires_on
          AND r.status = 'queued' AND (r.send_at < d.send_at OR (r.send_at = d.send_at AND r.offset_days > d.offset_days))
        WHERE d.id IN (${placeholders(part.length)}) ORDER BY d.send_at, d.offset_days DESC, d.id`).all(...part) as Array<{ id: number; order_id: string; due_id: number }>;
      for (const row of rows) found.set(row.id, { id: row.id, orderId: row.order_id, supersededBy: row.due_id });
    }
    const ids = [...found.keys()];
    for (const part of chunk(ids, IN_CHUNK)) {
      prepare(`UPDATE reminders SET status = 'skipped', reason = 'superseded', updated_at = ? WHERE id IN (${placeholders(part.length)})`)
        .run(Date.now(), ...part);
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
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
    async forgetCancelledByExpiryChange(orderId, kind, expiresOn) {
      return prepare(`DELETE FROM reminders WHERE order_id = ? AND kind = ? AND expires_on = ? AND status = 'cancelled' AND reason = 'expiry-changed'`)
        .run(orderId, kind, expiresOn).changes;
    },
    async listQueuedDueBy(organizationId, now) {
      const rows = prepare(`SELECT ${COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')} FROM reminders r JOIN orders o ON o.id = r.order_id
        WHERE o.organization_id = ? AND r.status = 'queued' AND r.send_at <= ? ORDER BY r.id`).all(organizationId, now.getTime()) as ReminderSqlRow[];
      return rows.map(toReminder);
    },
    async listDueAt(organizationId, sendAt) {
      const rows = prepare(`SELECT ${COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')} FROM reminders r JOIN orders o ON o.id = r.order_id
        WHERE o.organization_id = ? AND r.send_at = ? ORDER BY r.id`).all(organizationId, sendAt.getTime()) as ReminderSqlRow[];
      return rows.map(toReminder);
    },
    async supersedeEarlier(dueIds) {
      if (dueIds.length === 0) return [];
      return group(() => supersedeBatch(dueIds));
    },
    async listForOrders(orderIds) {
      const rows: ReminderSqlRow[] = [];
      for (const part of chunk([...new Set(orderIds)], IN_CHUNK)) {
        rows.push(...prepare(`SELECT ${COLUMNS} FROM reminders WHERE order_id IN (${placeholders(part.length)})`).all(...part) as ReminderSqlRow[]);
      }
      return rows.sort((a, b) => a.send_at - b.send_at || a.id - b.id).map(toReminder);
    },
  };
}
