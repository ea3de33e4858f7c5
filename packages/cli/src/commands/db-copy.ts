import { copySqliteToPostgres, redactDatabaseUrl } from '@tickler/db';
import type { Env } from '../env';
import { formatTable } from '../output/table';
import { makeProgress } from '../output/progress';
import { CliError, storeErrorLine } from '../runtime/errors';

/**
 * `tickler db copy --to postgres://…`: every table of the configured SQLite store into an empty
 * PostgreSQL database, ids kept, in one transaction; refuses a target that holds data. The upgrade
 * path: stop the roles, copy, switch DATABASE_URL, start the roles.
 */
export async function dbCopyCommand(env: Env, opts: { to: string }): Promise<void> {
  let progress: ReturnType<typeof makeProgress> | null = null;
  try {
    const result = await copySqliteToPostgres(env.databaseUrl, opts.to, {
      onTable: (_table, _rows, index, total) => {
        progress ??= makeProgress('copying tables', total);
        progress.tick(1);
        if (index === total) progress.stop();
      },
    });
    const rows = result.tables.map((t) => [t.table, t.rows]);
    process.stdout.write(`${formatTable(['table', 'rows'], rows)}\n`
      + `copied ${result.rows} rows in ${result.tables.length} tables from ${env.databaseUrl} to ${redactDatabaseUrl(opts.to)} in ${(result.ms / 1000).toFixed(1)} s; `
      + 'row counts match. Next: point DATABASE_URL at the new database and start the roles.\n');
  } catch (error) {
    // The source is SQLite: every other store failure is the target's, named by --to, not DATABASE_URL.
    if (error instanceof Error && error.name === 'StoreError' && !String((error as { code?: unknown }).code).startsWith('SQLITE_')) {
      throw new CliError(storeErrorLine(error, '--to'));
    }
    throw error;
  } finally {
    (progress as ReturnType<typeof makeProgress> | null)?.stop();
  }
}
