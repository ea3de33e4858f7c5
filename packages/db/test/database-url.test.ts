/** DATABASE_URL, parsed in one place: which store, where, and clear errors (never showing a password). */
import { DatabaseUrlError, parseDatabaseUrl, redactDatabaseUrl } from '../src/database-url';

describe('parseDatabaseUrl', () => {
  it('reads SQLite forms: file:, file://, a bare path and :memory:', () => {
    expect(parseDatabaseUrl('file:./data/tickler.db', '/srv/app')).toEqual({ dialect: 'sqlite', kind: 'file', path: '/srv/app/data/tickler.db' });
    expect(parseDatabaseUrl('file:///var/lib/tickler.db', '/srv')).toEqual({ dialect: 'sqlite', kind: 'file', path: '/var/lib/tickler.db' });
    expect(parseDatabaseUrl('/var/lib/t.db', '/srv')).toEqual({ dialect: 'sqlite', kind: 'file', path: '/var/lib/t.db' });
    expect(parseDatabaseUrl(':memory:')).toEqual({ dialect: 'sqlite', kind: 'memory' });
  });

  it('reads postgres:// and postgresql:// URLs, keeping the URL for the driver and a redacted one for messages', () => {
    expect(parseDatabaseUrl('postgres://tickler:s3cret@db.internal:5432/tickler?sslmode=require')).toEqual({
      dialect: 'postgres', connectionString: 'postgres://tickler:s3cret@db.internal:5432/tickler?sslmode=require',
      display: 'postgres://tickler:***@db.internal:5432/tickler?sslmode=require', database: 'tickler', prepare: true,
    });
    expect(parseDatabaseUrl('postgres://db/app?prepare=off&sslmode=require')).toMatchObject({ connectionString: 'postgres://db/app?sslmode=require', prepare: false });
    expect(parseDatabaseUrl('PostgreSQL://db/app')).toMatchObject({ dialect: 'postgres', database: 'app' });
    expect(parseDatabaseUrl('postgres:///app?host=/var/run/postgresql')).toMatchObject({ dialect: 'postgres', database: 'app' });
  });

  it.each([
    ['', /DATABASE_URL is empty/],
    ['   ', /DATABASE_URL is empty/],
    ['file:', /DATABASE_URL "file:" does not name a database file/],
    ['./data/', /does not name a database file/],
    ['mysql://u:pw@h/db', /DATABASE_URL "mysql:\/\/u:\*\*\*@h\/db" has an unsupported scheme "mysql:"/],
    ['postgres://u:pw@db.internal:5432', /DATABASE_URL "postgres:\/\/u:\*\*\*@db.internal:5432" does not name one database/],
    ['postgres:///tickler', /names no host/],
    ['postgres://u:pw@host:notaport/db', /not a valid URL|invalid port/],
    ['postgres://u:pw@host/db?prepare=yes', /has prepare=yes: expected prepare=on or prepare=off/],
  ])('refuses %j with a DatabaseUrlError naming DATABASE_URL', (url, message) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DatabaseUrlError);
    expect(error).toMatchObject({ code: 'invalid_database_url', field: 'DATABASE_URL', message: expect.stringMatching(message) });
    expect((error as Error).message).not.toContain(':pw@');
  });

  it('redacts passwords only', () => {
    expect(redactDatabaseUrl('postgres://u:p%40ss@h/db')).toBe('postgres://u:***@h/db');
    expect(redactDatabaseUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactDatabaseUrl('file:./x.db')).toBe('file:./x.db');
  });
});
