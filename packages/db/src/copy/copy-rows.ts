/**
 * Streams one table's rows into PostgreSQL with `COPY … FROM STDIN` (text format): one round trip
 * per table instead of one per batch of INSERTs, and no parameter limits. Values are written in
 * COPY's text encoding (tab-separated, `\N` for NULL, backslash escapes); the source's values were
 * already converted by the target column's type (epoch ms → Date, 0/1 → boolean).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** COPY text format: backslash, tab, newline and carriage return are escaped; NULL is `\N`. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  return String(value).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Rows per chunk handed to the stream: big enough to amortize writes, small enough to keep memory flat. */
const ROWS_PER_CHUNK = 2_000;

/** Writes `rows` into `table (columns)`; returns how many were written. Rejects (and aborts the COPY) on any error. */
export async function copyRowsIn(client: pg.PoolClient, table: string, columns: string[], rows: Iterable<unknown[]>): Promise<number> {
  const list = columns.map((c) => `"${c}"`).join(', ');
  const stream: Writable = client.query(copyFrom(`COPY "${table}" (${list}) FROM STDIN`));
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => undefined);
  let written = 0;
  let chunk: string[] = [];
  const write = async () => {
    const text = chunk.join('');
    chunk = [];
    if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failed]);
  };
  for (const row of rows) {
    chunk.push(`${row.map(copyText).join('\t')}\n`);
    written++;
    if (chunk.length >= ROWS_PER_CHUNK) await write();
  }
  if (chunk.length > 0) await write();
  stream.end();
  await Promise.race([once(stream, 'finish'), failed]);
  return written;
}
