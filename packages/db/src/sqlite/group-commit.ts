/**
 * Group commit for hot single-row writes (the send path's claim and mark-sent).
 *
 * Every SQLite commit appends the changed pages to the WAL; with dozens of concurrent sends each
 * writing the same few pages, one commit per email is most of the database's cost. Operations
 * issued in the same event-loop turn are therefore run together in ONE immediate transaction at
 * the next `setImmediate`, and each caller's promise settles only after that commit. Semantics per
 * caller are unchanged (its write is durable when its promise resolves; one failing operation
 * rejects only its own promise); latency grows by at most one loop turn.
 */
import type { Sqlite } from './connection';

interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export type GroupCommit = <T>(run: () => T) => Promise<T>;

const perConnection = new WeakMap<Sqlite, GroupCommit>();

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

function makeGroupCommit(sqlite: Sqlite): GroupCommit {
  let pending: Pending[] = [];
  let scheduled = false;

  const runAll = sqlite.transaction((batch: Pending[]) =>
    batch.map((op) => {
      try {
        return { ok: true, value: op.run() };
      } catch (error) {
        return { ok: false, value: error };
      }
    }));

  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    let results: Array<{ ok: boolean; value: unknown }>;
    try {
      results = runAll.immediate(batch);
    } catch (error) {
      for (const op of batch) op.reject(error);
      return;
    }
    batch.forEach((op, i) => {
      const result = results[i]!;
      if (result.ok) op.resolve(result.value);
      else op.reject(result.value);
    });
  };

  return <T>(run: () => T) => new Promise<T>((resolve, reject) => {
    pending.push({ run, resolve: resolve as (value: unknown) => void, reject });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}
