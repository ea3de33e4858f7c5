/** What `db copy` needs to know about the PostgreSQL schema: tables, column types, foreign-key order. */
import type pg from 'pg';

export interface TargetColumn { name: string; type: string; convert: (value: unknown) => unknown }
export interface TargetTable { name: string; columns: TargetColumn[]; identityColumns: string[]; parents: string[] }

/** SQLite stores instants as epoch milliseconds and booleans as 0/1. */
function converterFor(type: string): (value: unknown) => unknown {
  if (type === 'timestamp with time zone') return (v) => (typeof v === 'number' ? new Date(v) : v);
  if (type === 'boolean') return (v) => (typeof v === 'number' ? v !== 0 : v);
  return (v) => v;
}

export async function listTargetTables(client: pg.PoolClient): Promise<TargetTable[]> {
  const columns = await client.query<{ table_name: string; column_name: string; data_type: string; is_identity: string; is_generated: string }>(
    `SELECT table_name, column_name, data_type, is_identity, is_generated FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`);
  const foreignKeys = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND n.nspname = current_schema()`);
  const tables = new Map<string, TargetTable>();
  for (const row of columns.rows) {
    const table = tables.get(row.table_name) ?? { name: row.table_name, columns: [], identityColumns: [], parents: [] };
    tables.set(row.table_name, table);
    if (row.is_generated === 'ALWAYS') continue;
    table.columns.push({ name: row.column_name, type: row.data_type, convert: converterFor(row.data_type) });
    if (row.is_identity === 'YES') table.identityColumns.push(row.column_name);
  }
  for (const { child, parent } of foreignKeys.rows) {
    if (child !== parent) tables.get(child)?.parents.push(parent);
  }
  return [...tables.values()];
}

/** Parents before children (a table whose parents are all placed goes next; ties by name). */
export function copyOrder(tables: TargetTable[]): TargetTable[] {
  const placed = new Set<string>();
  const order: TargetTable[] = [];
  const pending = [...tables].sort((a, b) => a.name.localeCompare(b.name));
  while (pending.length > 0) {
    const next = pending.findIndex((t) => t.parents.every((p) => placed.has(p) || !tables.some((x) => x.name === p)));
    if (next === -1) throw new Error(`foreign keys form a cycle among ${pending.map((t) => t.name).join(', ')}`);
    const [table] = pending.splice(next, 1);
    placed.add(table!.name);
    order.push(table!);
  }
  return order;
}
