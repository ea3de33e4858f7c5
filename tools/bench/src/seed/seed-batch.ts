/**
 * Multi-row INSERTs for bulk loading: rows are buffered and written `rowsPerStatement` at a time
 * through one prepared statement, which cuts the per-row cost of crossing into SQLite.
 */
import type { BulkLoadConnection } from '@tickler/db';

export interface BatchInsert {
  push(...values: unknown[]): void;
  /** Writes whatever is buffered. */
  flush(): void;
}

/**
 * `parents` are flushed before this table's rows are written, so foreign keys always find their
 * parent row (deferring the check to commit would make SQLite scan unindexed child columns).
 */
export function makeBatchInsert(sqlite: BulkLoadConnection, table: string, columns: readonly string[], parents: BatchInsert[] = [], rowsPerStatement = 200): BatchInsert {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
  const full = sqlite.prepare(head + Array.from({ length: rowsPerStatement }, () => tuple).join(', '));
  const partial = new Map<number, typeof full>();
  let buffer: unknown[] = [];
  let rows = 0;
  const write = () => {
    if (rows === 0) return;
    for (const parent of parents) parent.flush();
    let statement = rows === rowsPerStatement ? full : partial.get(rows);
    if (!statement) {
      statement = sqlite.prepare(head + Array.from({ length: rows }, () => tuple).join(', '));
      partial.set(rows, statement);
    }
    statement.run(buffer);
    buffer = [];
    rows = 0;
  };
  return {
    push(...values) {
      if (values.length !== columns.length) throw new Error(`${table}: expected ${columns.length} values, got ${values.length}`);
      buffer.push(...values);
      rows += 1;
      if (rows === rowsPerStatement) write();
    },
    flush: write,
  };
}
