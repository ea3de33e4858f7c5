/** `tickler db seed`: bulk demo data. SQLite only for now; PostgreSQL is filled with `tickler db copy`. */
import { DatabaseUrlError, parseDatabaseUrl } from './database-url';
import { seedDatabase as seedSqlite, type SeedOptions, type SeedResult } from './sqlite/seed';

export type { SeedOptions, SeedResult };

/**
 * Seeds the SQLite database at `url` (see sqlite/seed.ts).
 * @throws DatabaseUrlError for a PostgreSQL URL: seed a SQLite file and copy it over instead
 */
export async function seedDatabase(url: string, options: SeedOptions): Promise<SeedResult> {
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'postgres') {
    throw new DatabaseUrlError(`DATABASE_URL ${JSON.stringify(target.display)}: seeding writes SQLite only; seed a file: database and copy it to PostgreSQL`);
  }
  return seedSqlite(url, options);
}
