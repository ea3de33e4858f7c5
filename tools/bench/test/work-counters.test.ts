import pg from 'pg';
import { makeRedisConnection } from '@tickler/queues';
import { countPgRoundTrips, redisCommands, sampleLockWaits } from '../src/benchmarks/work-counters';
import { createPgDatabase } from '../src/benchmarks/stores';

const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
let db: ReturnType<typeof createPgDatabase>;
beforeAll(() => { db = createPgDatabase(PG_URL, 'counters'); });
afterAll(() => db.drop());

describe('work counters on the real servers', () => {
  it('counts every statement a process sends to PostgreSQL: BEGIN, parameterised, prepared by name, COMMIT', async () => {
    const read = countPgRoundTrips();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const before = read();
      await client.query('BEGIN');
      await client.query('SELECT $1::int AS n', [1]);
      await client.query({ name: 'counted', text: 'SELECT 2 AS n' });
      await client.query('COMMIT');
      expect(read() - before).toBe(4);
    } finally {
      await client.end();
    }
  });

  it('sees a session waiting for a row lock, and none when nothing waits', async () => {
    const setup = new pg.Client({ connectionString: db.url });
    const holder = new pg.Client({ connectionString: db.url });
    const waiter = new pg.Client({ connectionString: db.url });
    await Promise.all([setup.connect(), holder.connect(), waiter.connect()]);
    try {
      await setup.query('CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY)');
      await setup.query('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING');
      const quiet = sampleLockWaits(db.url, 10);
      await new Promise((r) => setTimeout(r, 100));
      expect(await quiet.stop()).toMatchObject({ withWaiters: 0, mostWaiting: 0 });

      await holder.query('BEGIN');
      await holder.query('SELECT * FROM t WHERE id = 1 FOR UPDATE');
      const blocked = waiter.query('UPDATE t SET id = 1 WHERE id = 1');
      const busy = sampleLockWaits(db.url, 10);
      await new Promise((r) => setTimeout(r, 200));
      const seen = await busy.stop();
      await holder.query('COMMIT');
      await blocked;
      expect(seen!.samples).toBeGreaterThan(3);
      expect(seen!.withWaiters).toBeGreaterThan(0);
      expect(seen!.mostWaiting).toBe(1);
    } finally {
      await Promise.all([setup.end(), holder.end(), waiter.end()]);
    }
  });

  it('is null for SQLite, which has no sessions to sample', async () => {
    expect(await sampleLockWaits('file:/tmp/none.db').stop()).toBeNull();
  });

  it('reads the commands Redis has processed', async () => {
    const connection = makeRedisConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const before = await redisCommands(connection);
      for (let i = 0; i < 10; i += 1) await connection.ping();
      // The INFO of the first reading counts too, and other clients of a shared Redis may add more.
      expect((await redisCommands(connection)) - before).toBeGreaterThanOrEqual(10);
    } finally {
      connection.disconnect();
    }
  });
});
