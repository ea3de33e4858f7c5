/** `tickler` as operators run it: real child processes, exit codes, one-line reasons, real SQLite and Redis. */
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { openStore } from '@tickler/db';
import { TEMPLATES_DIR } from '@tickler/testkit';
import { cleanPrefix, runCli, SECRETS, uniquePrefix } from './helpers/cli';

/** How many migrations are committed (drizzle's journal in the db package). */
const MIGRATION_COUNT = (JSON.parse(readFileSync(path.resolve(__dirname, '../../db/drizzle/meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

jest.setTimeout(120_000);

let dir: string;
let dbUrl: string;
const prefix = uniquePrefix('cli');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tickler-cli-'));
  dbUrl = `file:${path.join(dir, 'tickler.db')}`;
});
afterAll(async () => {
  await cleanPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ DATABASE_URL: dbUrl, QUEUE_PREFIX: prefix });

describe('help and usage', () => {
  it.each([
    [['--help'], /Usage: tickler/],
    [['scheduler', '--help'], /Usage: tickler scheduler/],
    [['mailer', '--help'], /Usage: tickler mailer/],
    [['http', '--help'], /Usage: tickler http/],
    [['start', '--help'], /Usage: tickler start/],
    [['db', 'migrate', '--help'], /Usage: tickler db migrate/],
    [['db', 'seed', '--help'], /--orders <n>/],
    [['scan', '--help'], /--dry-run/],
    [['forecast', '--help'], /--days <n>/],
    [['jobs', 'failed', '--help'], /--queue <queue>/],
    [['jobs', 'replay', '--help'], /--since <duration>/],
    [['newsletter', 'send', '--help'], /--template <name>/],
    [['templates', 'check', '--help'], /Usage: tickler templates check/],
    [['templates', 'preview', '--help'], /--out <dir>/],
  ])('%j prints help and exits 0', async (args, pattern) => {
    const result = await runCli(args, env());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(pattern);
  });

  it('an unknown command fails with one line', async () => {
    const result = await runCli(['frobnicate'], env());
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining("unknown command 'frobnicate'")]);
  });

  it('a bad option value fails with one line naming it', async () => {
    const result = await runCli(['jobs', 'replay', '--since', 'yesterday'], env());
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('--since')]);
  });
});

describe('configuration errors', () => {
  it('names a bad REDIS_URL and a missing TOKEN_SECRETS together, in one line, before starting', async () => {
    const { TOKEN_SECRETS: _omit, ...rest } = SECRETS;
    const result = await runCli(['http'], { ...env(), ...rest, PUBLIC_BASE_URL: 'https://tickler.example.com', REDIS_URL: 'http://not-redis' });
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/REDIS_URL/);
    expect(lines[0]).toMatch(/TOKEN_SECRETS/);
    expect(lines[0]).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('says Redis does not answer, in one line, instead of hanging', async () => {
    const result = await runCli(['scan', '--dry-run'], { ...env(), REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/Redis does not answer at redis:\/\/127\.0\.0\.1:1/)]);
  });
});

describe('environment problems found at run time: one line, exit 1', () => {
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

  it.each([[['db', 'migrate']], [['forecast']], [['scan', '--dry-run']]])('%j with DATABASE_URL naming a file that is not a database', async (args) => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'not a database\n'.repeat(50));
    const result = await runCli(args, { ...env(), DATABASE_URL: `file:${file}` });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`tickler: DATABASE_URL "file:${file}" names a file that is not a SQLite database`]);
    noStack(result.stderr);
  });

  it.each([[['db', 'migrate']], [['forecast']]])('%j with DATABASE_URL naming a SQLite file this user cannot write', async (args) => {
    // As root, file modes do not stop writes: the command then runs as nobody, as a locked-down service would.
    const asRoot = process.getuid?.() === 0;
    const nobody = { uid: 65534, gid: 65534 };
    const folder = mkdtempSync(path.join(tmpdir(), 'tickler-ro-'));
    const file = path.join(folder, 'tickler.db');
    try {
      await (await openStore({ url: `file:${file}` })).close();
      for (const f of readdirSync(folder)) if (f !== 'tickler.db') rmSync(path.join(folder, f));
      chmodSync(file, 0o444);
      chmodSync(folder, 0o555);
      const cache = mkdtempSync(path.join(tmpdir(), 'tickler-ro-cache-'));
      if (asRoot) chownSync(cache, nobody.uid, nobody.gid);
      const result = await runCli(args, { ...env(), DATABASE_URL: `file:${file}`, SNS_CERT_CACHE_DIR: cache, HOME: cache }, 60_000, asRoot ? nobody : undefined);
      rmSync(cache, { recursive: true, force: true });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringContaining(`tickler: DATABASE_URL "file:${file}" names a SQLite file this process cannot write (attempt to write a readonly database): the file and its folder must be writable`),
      ]);
      noStack(result.stderr);
    } finally {
      chmodSync(folder, 0o755);
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it.each([[['db', 'migrate']], [['http']]])('%j with DATABASE_URL in a folder that cannot be created (under /proc) names it instead of hanging', async (args) => {
    const url = 'file:/proc/tickler-test/data/tickler.db';
    const result = await runCli(args, { ...env(), ...SECRETS, PUBLIC_BASE_URL: 'https://tickler.example.com', HTTP_PORT: '0', DATABASE_URL: url }, 20_000);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`tickler: DATABASE_URL "${url}" cannot be opened: ENOENT: no such file or directory, mkdir '/proc/tickler-test'`]);
    noStack(result.stderr);
  });

  it('http with HTTP_PORT already in use', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      // A database of its own: this role migrates it, and the `db migrate` test below counts migrations on the shared one.
      const result = await runCli(['http'], {
        ...env(), ...SECRETS, DATABASE_URL: `file:${path.join(dir, 'port-in-use.db')}`, PUBLIC_BASE_URL: 'https://tickler.example.com', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port),
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([`tickler: HTTP_PORT ${port} is already in use (127.0.0.1:${port}): stop the other process or set HTTP_PORT to a free port.`]);
      noStack(result.stderr);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
  it.each([
    [['mailer']], [['templates', 'check']], [['templates', 'preview']], [['newsletter', 'send', '--topic', 'security', '--template', 'product-news']],
    [['templates', 'send-test', '--template', 'license-reminder', '--to', 'ann@acme.example']],
  ])('%j with a TEMPLATES_DIR that does not exist names TEMPLATES_DIR', async (args) => {
    const missing = path.join(dir, 'no-templates-here');
    const result = await runCli(args, {
      ...env(), TOKEN_SECRETS: SECRETS.TOKEN_SECRETS, PUBLIC_BASE_URL: 'https://tickler.example.com',
      SES_FROM_REMINDERS: 'reminders@tickler.example', SES_FROM_NEWSLETTER: 'news@tickler.example', TEMPLATES_DIR: missing,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `tickler: TEMPLATES_DIR "${missing}" is not a folder this process can read (no such folder): set it to the folder of the email templates (the repository ships them in templates/).`,
    ]);
    noStack(result.stderr);
  });

  it('http with an HTTP_HOST that does not resolve names HTTP_HOST', async () => {
    const result = await runCli(['http'], {
      ...env(), ...SECRETS, DATABASE_URL: `file:${path.join(dir, 'host-unknown.db')}`, PUBLIC_BASE_URL: 'https://tickler.example.com', HTTP_HOST: 'tickler-edge.invalid', HTTP_PORT: '0',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^tickler: HTTP_HOST "tickler-edge\.invalid" does not resolve to an address to listen on \((ENOTFOUND|EAI_AGAIN|EAI_FAIL)\): set an address of this machine/),
    ]);
    noStack(result.stderr);
  });

  it('mailer with METRICS_PORT already in use', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const result = await runCli(['mailer'], {
        ...env(), TOKEN_SECRETS: SECRETS.TOKEN_SECRETS, DATABASE_URL: `file:${path.join(dir, 'metrics-port-in-use.db')}`, PUBLIC_BASE_URL: 'https://tickler.example.com',
        SES_FROM_REMINDERS: 'reminders@tickler.example', SES_FROM_NEWSLETTER: 'news@tickler.example', HTTP_HOST: '127.0.0.1', METRICS_PORT: String(port),
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([`tickler: METRICS_PORT ${port} is already in use (127.0.0.1:${port}): stop the other process or set METRICS_PORT to a free port.`]);
      noStack(result.stderr);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

describe('PostgreSQL refusing the URL, bad option values: one line naming the setting, exit 1', () => {
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at |unexpected error/m);
  const ownSqlite = (name: string) => ({ ...env(), DATABASE_URL: `file:${path.join(dir, name)}` });
  const missing = `tickler_missing_${process.pid}`;

  it('db copy --to a database that does not exist names --to and says how to create it', async () => {
    const result = await runCli(['db', 'copy', '--to', `postgres://postgres@127.0.0.1:5432/${missing}`], ownSqlite('copy-source.db'));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `tickler: database (--to): database "${missing}" does not exist; create it with \`createdb ${missing}\` or correct the database name in --to`,
    ]);
    noStack(result.stderr);
  });

  it('db migrate as a user PostgreSQL does not know names DATABASE_URL and says to check the user and password', async () => {
    const result = await runCli(['db', 'migrate'], { ...env(), DATABASE_URL: `postgres://${missing}@127.0.0.1:5432/postgres` });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `tickler: database (DATABASE_URL): role "${missing}" does not exist; check the user and password in DATABASE_URL`,
    ]);
    noStack(result.stderr);
  });

  it('db copy --to a URL of another scheme names --to, not DATABASE_URL', async () => {
    const result = await runCli(['db', 'copy', '--to', 'mysql://x/y'], ownSqlite('copy-source.db'));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual(['tickler: --to must be a postgres:// URL (got "mysql://x/y")']);
  });

  it('db seed on PostgreSQL says SQLite only and how to get a PostgreSQL demo database, before connecting', async () => {
    const result = await runCli(['db', 'seed', '--orders', '10'], { ...env(), DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tickler' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^tickler: db seed writes SQLite only, .*seed a SQLite file .*db copy --to postgres:/)]);
    expect((await runCli(['db', 'seed', '--help'], env())).stdout).toMatch(/SQLite only/);
  });

  it.each([['/etc/passwd/x', /^tickler: --out: cannot write previews to "\/etc\/passwd\/x" \(ENOTDIR/], ['', /--out must not be empty/]])(
    'templates preview --out %j names --out', async (out, reason) => {
      const result = await runCli(['templates', 'preview', '--out', out], env());
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(reason)]);
      noStack(result.stderr);
    },
  );

  it('forecast --help shows the default once and the limit; --days past it is refused by the option parser, before the environment', async () => {
    const help = await runCli(['forecast', '--help'], env());
    expect(help.stdout).toMatch(/--days <n>\s+days ahead, 1 to 366 \(default: 30\)\n/);
    const result = await runCli(['forecast', '--days', '100000'], { ...env(), SES_REGION: 'not a region' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('--days must be a whole number from 1 to 366')]);
  });

  it('an empty LOG_LEVEL is unset, as every other empty variable', async () => {
    const result = await runCli(['forecast', '--days', '1'], { ...ownSqlite('log-level.db'), LOG_LEVEL: '' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('db migrate', () => {
  it('applies every committed migration once; running it again applies none', async () => {
    const first = await runCli(['db', 'migrate'], env());
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^${MIGRATION_COUNT} migrations applied`));
    const second = await runCli(['db', 'migrate'], env());
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^0 migrations applied .*up to date/);
  });
});

describe('db seed', () => {
  it('loads synthetic orders (through @tickler/bench) that the store reads, and says how many', async () => {
    const seedUrl = `file:${path.join(dir, 'seeded.db')}`;
    const result = await runCli(['db', 'seed', '--orders', '300'], { ...env(), DATABASE_URL: seedUrl });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^seeded 300 orders, \d+ organizations, \d+ users, \d+ contacts in [\d.]+ s; database .*seeded\.db is [\d.]+ MiB$/m);
    const store = await openStore({ url: seedUrl });
    try {
      expect(await store.directory.getOrder('SEED-0000300')).not.toBeNull();
      expect(await store.directory.getOrder('SEED-0000301')).toBeNull();
    } finally {
      await store.close();
    }
  });
});

describe('scan', () => {
  // A real scan runs at the real time, so the order expires 4 days from today: its 7-day license
  // reminder fell due 3 days ago (within the first scan's 7-day look-back), and no other is due.
  const today = new Date().toISOString().slice(0, 10);
  const expiresOn = new Date(Date.parse(`${today}T00:00:00Z`) + 4 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    const store = await openStore({ url: dbUrl });
    try {
      await store.directory.applyOrderUpsert({
        orderId: 'ORD-CLI-1', organization: { id: 'org-cli', name: 'CLI GmbH', timeZone: 'Europe/Berlin' }, product: 'Barcode Reader SDK',
        licenseExpiresOn: expiresOn, maintenanceExpiresOn: null, purchaserEmail: 'ann@cli-gmbh.example', purchaserName: 'Ann', occurredAt: new Date('2026-01-01T00:00:00Z'),
      });
    } finally {
      await store.close();
    }
  });

  /** Everything a scan could change: the reminders ledger, the saved horizon, and every Redis key of the prefix. */
  async function snapshot(): Promise<{ reminders: unknown[]; horizon: string | null; queued: number; redisKeys: string[] }> {
    const store = await openStore({ url: dbUrl });
    const queue = new Queue('reminders', { connection: { url: 'redis://127.0.0.1:6379' }, prefix });
    const client = new Redis('redis://127.0.0.1:6379');
    try {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized');
      return {
        reminders: await store.reminders.listForOrder('ORD-CLI-1'),
        horizon: await store.state.get('scan.horizon'),
        queued: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
        redisKeys: (await client.keys(`${prefix}:*`)).sort(),
      };
    } finally {
      client.disconnect();
      await queue.close();
      await store.close();
    }
  }

  it('--dry-run reports the due reminder and writes nothing', async () => {
    const before = await snapshot();
    const result = await runCli(['scan', '--dry-run'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dry run \(nothing written\)/);
    expect(result.stdout).toMatch(/license\s+7\s+1\s+1\s+0\s+0/);
    expect(before.reminders).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('--now without --dry-run is refused with one line, before anything is written', async () => {
    const before = await snapshot();
    const future = new Date(Date.now() + 40 * 86_400_000).toISOString();
    const result = await runCli(['scan', '--now', future], env());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(['tickler: --now is a what-if and only works together with --dry-run; a real scan always runs at the current time.']);
    expect(await snapshot()).toEqual(before);
  });

  it('a real scan records and enqueues it; a second scan finds nothing new', async () => {
    const result = await runCli(['scan'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/total: 1 due, 1 enqueued/);
    const after = await snapshot();
    expect(after.reminders).toHaveLength(1);
    expect(after.queued).toBe(1);
    const again = await runCli(['scan'], env());
    expect(again.code).toBe(0);
    expect((await snapshot()).queued).toBe(1);
  });

  it('a what-if far in the future (--dry-run --now) reports, but changes neither the ledger, the horizon nor the queues', async () => {
    const before = await snapshot();
    expect(before.horizon).not.toBeNull();
    const future = new Date(Date.now() + 40 * 86_400_000).toISOString();
    const result = await runCli(['scan', '--dry-run', '--now', future], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dry run \(nothing written\)/);
    expect(result.stdout).toMatch(/total: [1-9]\d* due/); // the 1-, 0- and -7-day reminders lie in that window
    expect(await snapshot()).toEqual(before);
  });

  it.each([['tomorrow'], ['2026-02-30'], ['2026-02-30T09:00:00Z'], ['2026-11-27T24:00:00Z'], ['2026-11-27T09:00:00']])('refuses --now %s with one line', async (value) => {
    const result = await runCli(['scan', '--dry-run', '--now', value], env());
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--now <iso>.*expected a real ISO date-time/)]);
  });
});

describe('forecast, jobs, templates', () => {
  it('forecast prints one row per day', async () => {
    const result = await runCli(['forecast', '--days', '10', '--now', '2026-11-27T00:00:00Z'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/2026-11-27/);
    expect(result.stdout).toMatch(/2026-12-06/);
    expect(result.stdout).toMatch(/reminders? in 10 days/);
  });

  it('forecast follows REMINDER_SKIP_WEEKENDS and REMINDER_HOLIDAYS; a bad holiday file stops it with one line', async () => {
    const url = `file:${path.join(dir, 'business-days.db')}`;
    const store = await openStore({ url });
    // License expiring Sunday 2027-01-31 in UTC: the reminder 1 day before falls on Saturday the 30th.
    await store.directory.applyOrderUpsert({
      orderId: 'ORD-WE', organization: { id: 'org-we', name: 'Weekend', timeZone: 'UTC' }, product: 'SDK', licenseExpiresOn: '2027-01-31',
      maintenanceExpiresOn: null, purchaserEmail: 'we@example.com', purchaserName: null, occurredAt: new Date('2026-11-26T10:00:00Z'),
    });
    await store.close();
    const rows = (stdout: string) => Object.fromEntries(stdout.split('\n').filter((l) => /^2027-01-\d\d /.test(l)).map((l) => l.trim().split(/\s+/)).map((c) => [c[0], c[c.length - 1]]));
    const args = ['forecast', '--days', '4', '--now', '2027-01-28T00:00:00Z'];
    expect(rows((await runCli(args, { ...env(), DATABASE_URL: url })).stdout)).toEqual({ '2027-01-28': '0', '2027-01-29': '0', '2027-01-30': '1', '2027-01-31': '1' });
    const holidays = path.join(dir, 'holidays.txt');
    writeFileSync(holidays, '# closed\nUTC 2027-01-29\n');
    const skipping = await runCli(args, { ...env(), DATABASE_URL: url, REMINDER_SKIP_WEEKENDS: 'on', REMINDER_HOLIDAYS: holidays });
    // Saturday → Friday, a holiday → Thursday; Sunday (expiry day) → Monday, beyond the 4 days.
    expect(rows(skipping.stdout)).toEqual({ '2027-01-28': '1', '2027-01-29': '0', '2027-01-30': '0', '2027-01-31': '0' });
    writeFileSync(holidays, '2027-01-29\n2027-02-30\n');
    const bad = await runCli(args, { ...env(), DATABASE_URL: url, REMINDER_HOLIDAYS: holidays });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringContaining(`REMINDER_HOLIDAYS "${holidays}" line 2: "2027-02-30" is not a calendar date`)]);
  });

  it('jobs failed says there are none; replaying an unknown id fails with one line', async () => {
    const failed = await runCli(['jobs', 'failed'], env());
    expect(failed.code).toBe(0);
    expect(failed.stdout).toMatch(/no failed jobs/);
    const replay = await runCli(['jobs', 'replay', '--id', 'delivery-999999'], env());
    expect(replay.code).not.toBe(0);
    expect(replay.stderr.trim().split('\n')).toEqual([expect.stringContaining('no failed job with id "delivery-999999"')]);
  });

  it('templates check passes on the shipped templates and fails on a folder without any', async () => {
    expect((await runCli(['templates', 'check'], env())).code).toBe(0);
    const bad = await runCli(['templates', 'check'], { ...env(), TEMPLATES_DIR: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/template problem/);
  });

  it('templates check fails, one line per problem, when a locale lacks a message or its placeholders differ', async () => {
    const broken = path.join(dir, 'broken-templates');
    await cp(TEMPLATES_DIR, broken, { recursive: true });
    const edit = async (locale: string, change: (c: Record<string, Record<string, string>>) => void) => {
      const file = path.join(broken, 'messages', `${locale}.json`);
      const catalog = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, string>>;
      change(catalog);
      await writeFile(file, JSON.stringify(catalog, null, 2));
    };
    await edit('fr', (c) => { delete c['license-reminder']!['button']; });
    await edit('ja', (c) => { c['invitation']!['heading'] = '{organisation} に参加する'; });
    const result = await runCli(['templates', 'check'], { ...env(), TEMPLATES_DIR: broken });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/messages\/fr\.json license-reminder\.button: message missing \(en has it\)$/),
      expect.stringMatching(/messages\/ja\.json invitation\.heading: placeholders \{organisation\} differ from en's \{organizationName\}$/),
      expect.stringContaining('2 template problems'),
    ]);
  });

  it('refuses a DEFAULT_LOCALE that is not shipped, in one line', async () => {
    const result = await runCli(['templates', 'check'], { ...env(), DEFAULT_LOCALE: 'pt-BR' });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/DEFAULT_LOCALE.*must be one of the shipped locales: en, de, fr, ja, zh-CN/)]);
  });

  it('newsletter send refuses an unknown topic', async () => {
    const result = await runCli(['newsletter', 'send', '--topic', 'nope', '--template', 'newsletter-product-news'], env());
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('unknown topic "nope"')]);
  });
});
