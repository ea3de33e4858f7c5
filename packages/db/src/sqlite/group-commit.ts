/**
 * Group commit for hot single-row writes (the send path's claim and mark-sent, order events, the
 * inbound-event ledger).
 *
 * Every SQLite commit appends the changed pages to the WAL; with dozens of concurrent operations each
 * writing the same few pages, one commit per operation is most of the database's cost. Operations
 * issued in the same event-loop turn are therefore run together in ONE immediate transaction at
 * the next `setImmediate`, and each caller's promise settles only after that commit. Semantics per
 * caller are unchanged (its write is durable when its promise resolves; one failing operation
 * rejects only its own promise); latency grows by at most one loop turn.
 *
 * Waiting for another process's write lock happens here, not in SQLite's busy handler: that handler
 * blocks the event loop and polls in growing sleeps (1, 2, 5 … 25, 50, 100 ms), so a process whose
 * peer writes often keeps waking up inside the peer's next transaction (seen: 128 ms stalls of the
 * HTTP edge while the order-event worker committed every few ms). Instead `BEGIN IMMEDIATE` is tried
 * without waiting and, while the lock is taken, retried every millisecond from a timer: the event
 * loop stays free, operations arriving meanwhile join the batch, and the lock is taken within about
 * a millisecond of being released. After the connection's busy timeout the batch fails with SQLITE_BUSY.
 */
import type { Sqlite } from './connection';

interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export type GroupCommit = <T>(run: () => T) => Promise<T>;

const perConnection = new WeakMap<Sqlite, GroupCommit>();
const RETRY_EVERY_MS = 1;

/**
 * The group committer of a connection, shared by every repository on it so that, e.g., an order
 * event's upsert, its planned reminders and its event status share one commit with other events'.
 * An operation may itself be a better-sqlite3 transaction function: nested, it runs as a savepoint.
 */
export function groupCommitFor(sqlite: Sqlite): GroupCommit {
  let group = perConnection.get(sqlite);
  if (!group) {
    group = makeGroupCommit(sqlite);
    perConnection.set(sqlite, group);
  }
  return group;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY_'));
}

function makeGroupCommit(sqlite: Sqlite): GroupCommit {
  let pending: Pending[] = [];
  let scheduled = false;
  let busySince: number | undefined;
  const busyTimeoutMs = Number(sqlite.pragma('busy_timeout', { simple: true }));
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');

  /** Takes the write lock if it is free right now. */
  const tryBegin = (): boolean => {
    // Not a prepared statement: SQLite applies this pragma when it is compiled, not when it runs.
    sqlite.pragma('busy_timeout = 0');
    try {
      begin.run();
      return true;
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    } finally {
      sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    }
  };

  const settle = (batch: Pending[], error: unknown) => {
    for (const op of batch) op.reject(error);
  };

  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    try {
      if (!tryBegin()) {
        busySince ??= Date.now();
        if (Date.now() - busySince < busyTimeoutMs) return schedule(RETRY_EVERY_MS);
        const error = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        busySince = undefined;
        return settle(pending.splice(0), error);
      }
    } catch (error) {
      busySince = undefined;
      return settle(pending.splice(0), error);
    }
    busySince = undefined;
    const batch = pending;
    pending = [];
    const results = batch.map((op) => {
      try {
        return { ok: true, value: op.run() };
      } catch (error) {
        return { ok: false, value: error };
      }
    });
    try {
      commit.run();
    } catch (error) {
      if (sqlite.inTransaction) rollback.run();
      return settle(batch, error);
    }
    batch.forEach((op, i) => {
      const result = results[i]!;
      if (result.ok) op.resolve(result.value);
      else op.reject(result.value);
    });
  };

  function schedule(delayMs = 0): void {
    if (scheduled) return;
    scheduled = true;
    if (delayMs === 0) setImmediate(flush);
    else setTimeout(flush, delayMs);
  }

  return <T>(run: () => T) => new Promise<T>((resolve, reject) => {
    pending.push({ run, resolve: resolve as (value: unknown) => void, reject });
    schedule();
  });
}
