/**
 * `db copy` streams rows with COPY FROM STDIN in text format: every value must arrive as it was,
 * whatever characters it holds (the format's own delimiters and escapes included), and a failing
 * row must fail the copy, not skip it.
 */
import { makePool } from '../../src/postgres/pool';
import { parseDatabaseUrl, type PostgresTarget } from '../../src/database-url';
import { copyRowsIn, copyText } from '../../src/copy/copy-rows';
import { createTestDatabase, type TestDatabase } from './helpers';

let database: TestDatabase;
beforeAll(async () => { database = await createTestDatabase(); });
afterAll(async () => database.drop());

const tricky = [
  'plain', 'tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash', '\\N', '\\.', 'trailing\\',
  'Zürich 東京 Москва', '😀 emoji', ' leading and trailing ', '', 'a'.repeat(10_000),
];

test('text encoding escapes the delimiters and keeps NULL apart from the text "\\N"', () => {
  expect(copyText(null)).toBe('\\N');
  expect(copyText('\\N')).toBe('\\\\N');
  expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
  expect(copyText(true)).toBe('t');
  expect(copyText(new Date(Date.UTC(2026, 11, 7, 9)))).toBe('2026-12-07T09:00:00.000Z');
});

test('every value round-trips through COPY: text, NULL, numbers, booleans, instants', async () => {
  const pool = makePool({ target: parseDatabaseUrl(database.url) as PostgresTarget, poolSize: 1 });
  const client = await pool.connect();
  try {
    await client.query(`CREATE TABLE copy_probe (id bigint PRIMARY KEY, label text, flag boolean, at timestamptz)`);
    const rows: unknown[][] = tricky.map((label, i) => [i + 1, label, i % 2 === 0, new Date(Date.UTC(2026, 0, 1) + i * 1000)]);
    rows.push([tricky.length + 1, null, null, null]);
    expect(await copyRowsIn(client, 'copy_probe', ['id', 'label', 'flag', 'at'], rows)).toBe(rows.length);
    const { rows: back } = await client.query<{ id: number; label: string | null; flag: boolean | null; at: Date | null }>(`SELECT id, label, flag, at FROM copy_probe ORDER BY id`);
    expect(back.map((r) => [r.id, r.label, r.flag, r.at])).toEqual(rows);
  } finally {
    client.release();
    await pool.end();
  }
});

test('a row the table refuses fails the whole COPY (nothing is skipped silently)', async () => {
  const pool = makePool({ target: parseDatabaseUrl(database.url) as PostgresTarget, poolSize: 1 });
  const client = await pool.connect();
  try {
    await client.query(`CREATE TABLE copy_refuses (id bigint PRIMARY KEY, n integer NOT NULL)`);
    await client.query('BEGIN');
    const rows = Array.from({ length: 5_000 }, (_, i) => [i + 1, i === 4_321 ? null : i]);
    await expect(copyRowsIn(client, 'copy_refuses', ['id', 'n'], rows)).rejects.toThrow(/null value in column "n"/);
    await client.query('ROLLBACK');
    expect((await client.query(`SELECT count(*)::int AS n FROM copy_refuses`)).rows[0].n).toBe(0);
  } finally {
    client.release();
    await pool.end();
  }
});
