/** PostgreSQL test helpers of the db package: the shared ones (tools/testkit) and emptying a database. */
import { withClient } from '@tickler/testkit';

export { createTestDatabase, TEST_POSTGRES_URL, urlForDatabase, withAdmin, withClient, type TestDatabase } from '@tickler/testkit';

/**
 * Empties every table of a migrated test database and restarts its id sequences. DELETE (with
 * foreign-key triggers off for this session) is much cheaper than TRUNCATE on a handful of rows.
 */
export async function emptyDatabase(url: string): Promise<void> {
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`);
    const { rows: sequences } = await client.query<{ name: string }>(`SELECT quote_ident(sequencename) AS name FROM pg_sequences WHERE schemaname = 'public'`);
    await client.query(['SET session_replication_role = replica', ...rows.map((r) => `DELETE FROM ${r.name}`),
      ...sequences.map((q) => `ALTER SEQUENCE ${q.name} RESTART`)].join(';\n'));
  });
}
