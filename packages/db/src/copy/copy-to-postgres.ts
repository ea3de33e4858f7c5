/**
 * `tickler db copy --to postgres://…`: every table of a SQLite store into an empty PostgreSQL
 * database, ids kept (the jobs waiting in Redis name ledger rows by id, so they stay valid).
 *
 * - The target is migrated first and must be empty: a table with a row refuses the copy.
 * - Tables go in foreign-key order, each streamed with COPY FROM STDIN, all in ONE transaction: a copy
 *   that fails leaves the target as it was (empty), never half-written.
 * - Values are converted by the target column's type: epoch milliseconds → timestamptz, 0/1 →
 *   boolean; dates and text as they are.
 * - Identity sequences continue after the highest copied id; row counts are compared per table
 *   before the commit.
 */
import type pg from 'pg';
import { DatabaseUrlError, parseDatabaseUrl, redactDatabaseUrl, type PostgresTarget } from '../database-url';
import { migratePostgresDatabase } from '../postgres/migrate';
import { makePool } from '../postgres/pool';
import { openConnection, runMigrations, type Sqlite } from '../sqlite/connection';
import { translatePgError } from '../postgres/store-error';
import { copyRowsIn } from './copy-rows';
import { copyOrder, listTargetTables, type TargetTable } from './target-tables';

/** Not copied: each store keeps its own migration journal; the write probe is scratch. */
const SKIPPED = new Set(['__drizzle_migrations', 'write_probe']);

export class CopyRefusedError extends Error {
  override readonly name = 'CopyRefusedError';
}

export interface CopyResult { tables: Array<{ table: string; rows: number }>; rows: number; ms: number }

export interface CopyOptions {
  /** Called after each table with its row count (for progress output). */
  onTable?: (table: string, rows: number, index: number, total: number) => void;
}

/**
 * Copies the SQLite store at `sourceUrl` into the empty PostgreSQL database at `targetUrl`.
 * @throws DatabaseUrlError for a source that is not SQLite or a target that is not PostgreSQL
 * @throws CopyRefusedError when the target already holds data, or a count does not match
 */
export async function copySqliteToPostgres(sourceUrl: string, targetUrl: string, options: CopyOptions = {}): Promise<CopyResult> {
  const started = Date.now();
  const source = parseDatabaseUrl(sourceUrl);
  if (source.dialect !== 'sqlite' || source.kind !== 'file') throw new DatabaseUrlError(`DATABASE_URL must name a SQLite file to copy from (got ${JSON.stringify(redactDatabaseUrl(sourceUrl))})`);
  const target = parseTargetUrl(targetUrl);
  const sqlite = openConnection(sourceUrl);
  try {
    runMigrations(sqlite);
    await migratePostgresDatabase(target);
    const tables = await copyAll(sqlite, target, options);
    return { tables, rows: tables.reduce((n, t) => n + t.rows, 0), ms: Date.now() - started };
  } finally {
    sqlite.close();
  }
}

/** The target comes from `--to`: its errors name that, not DATABASE_URL. */
function parseTargetUrl(url: string): PostgresTarget {
  let target: ReturnType<typeof parseDatabaseUrl> | null = null;
  try {
    target = parseDatabaseUrl(url);
  } catch (error) {
    if (!(error instanceof DatabaseUrlError)) throw error;
    if (/^postgres(ql)?:\/\//i.test(url.trim())) throw new DatabaseUrlError(error.message.replace(/^DATABASE_URL\b/, '--to'));
  }
  if (target?.dialect !== 'postgres') throw new DatabaseUrlError(`--to must be a postgres:// URL (got ${JSON.stringify(redactDatabaseUrl(url))})`);
  return target;
}

async function copyAll(sqlite: Sqlite, target: PostgresTarget, options: CopyOptions): Promise<Array<{ table: string; rows: number }>> {
  const pool = makePool({ target, poolSize: 1, statementTimeoutMs: 0 });
  const client = await pool.connect().catch(translatePgError);
  try {
    const tables = copyOrder(await listTargetTables(client)).filter((t) => !SKIPPED.has(t.name));
    for (const table of tables) {
      const { rows } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM "${table.name}") AS any`);
      if (rows[0]?.any) throw new CopyRefusedError(`the target database is not empty (table ${table.name} has rows): copy only into a new, empty database`);
    }
    await client.query('BEGIN');
    const copied: Array<{ table: string; rows: number }> = [];
    for (const [index, table] of tables.entries()) {
      const rows = await copyTable(sqlite, client, table);
      copied.push({ table: table.name, rows });
      options.onTable?.(table.name, rows, index + 1, tables.length);
    }
    await client.query('COMMIT');
    return copied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof CopyRefusedError || error instanceof DatabaseUrlError) throw error;
    return translatePgError(error);
  } finally {
    client.release();
    await pool.end();
  }
}

async function copyTable(sqlite: Sqlite, client: pg.PoolClient, table: TargetTable): Promise<number> {
  const sourceColumns = new Set((sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).all(table.name) as Array<{ name: string }>).map((c) => c.name));
  const columns = table.columns.filter((c) => sourceColumns.has(c.name));
  if (columns.length === 0) throw new CopyRefusedError(`table ${table.name} is missing in the SQLite database`);
  const list = columns.map((c) => `"${c.name}"`).join(', ');
  const source = sqlite.prepare(`SELECT ${list} FROM "${table.name}" ORDER BY rowid`).raw().iterate() as Iterable<unknown[]>;
  const converted = function* () {
    for (const row of source) yield row.map((value, i) => columns[i]!.convert(value));
  };
  const copied = await copyRowsIn(client, table.name, columns.map((c) => c.name), converted());
  const expected = (sqlite.prepare(`SELECT count(*) AS n FROM "${table.name}"`).get() as { n: number }).n;
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table.name}"`);
  if (copied !== expected || rows[0]?.n !== expected) throw new CopyRefusedError(`table ${table.name}: ${expected} rows in SQLite, ${rows[0]?.n ?? 0} in PostgreSQL after the copy`);
  for (const identity of table.identityColumns) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max("${identity}") FROM "${table.name}"), 0) + 1, false)`, [table.name, identity]);
  }
  return copied;
}
