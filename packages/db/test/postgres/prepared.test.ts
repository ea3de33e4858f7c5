/**
 * The store prepares its parameterised statements once per connection (unless `?prepare=off`):
 * visible in the session's pg_prepared_statements, reused on the next call, and never for
 * parameterless statements or query objects.
 */
import { parseDatabaseUrl, type PostgresTarget } from '../../src/database-url';
import { makePool } from '../../src/postgres/pool';
import { statementName } from '../../src/postgres/prepared';
import { createTestDatabase, type TestDatabase } from './helpers';

let database: TestDatabase;
beforeAll(async () => { database = await createTestDatabase(); });
afterAll(async () => database.drop());

const target = (url: string) => parseDatabaseUrl(url) as PostgresTarget;
const PROBE = 'SELECT $1::int + 1 AS n';

async function preparedOnOneConnection(url: string): Promise<{ statements: string[]; answers: number[] }> {
  const pool = makePool({ target: target(url), poolSize: 1 });
  try {
    const answers: number[] = [];
    for (const n of [1, 2, 3]) answers.push((await pool.query<{ n: number }>(PROBE, [n])).rows[0]!.n);
    await pool.query('SELECT 1');
    const { rows } = await pool.query<{ name: string; statement: string }>({ text: 'SELECT name, statement FROM pg_prepared_statements ORDER BY name' });
    return { statements: rows.map((r) => `${r.name} ${r.statement}`), answers };
  } finally {
    await pool.end();
  }
}

test('a parameterised statement is prepared once on the connection and reused', async () => {
  const { statements, answers } = await preparedOnOneConnection(database.url);
  expect(answers).toEqual([2, 3, 4]);
  expect(statements).toEqual([`${statementName(PROBE)} ${PROBE}`]);
});

test('?prepare=off sends every statement unnamed, and the driver never sees the parameter', async () => {
  const off = `${database.url}${database.url.includes('?') ? '&' : '?'}prepare=off`;
  expect(target(off).connectionString).not.toContain('prepare');
  expect(target(off).prepare).toBe(false);
  const { statements, answers } = await preparedOnOneConnection(off);
  expect(answers).toEqual([2, 3, 4]);
  expect(statements).toEqual([]);
});

test('a name is stable per text and differs between texts', () => {
  expect(statementName(PROBE)).toBe(statementName(`${PROBE}`));
  expect(statementName(PROBE)).not.toBe(statementName('SELECT $1::int + 2 AS n'));
  expect(statementName(PROBE)).toMatch(/^t_[0-9a-f]{20}$/);
});
