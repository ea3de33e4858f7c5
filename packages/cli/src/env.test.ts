import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENV_VARIABLES, EnvError, loadEnv } from './env';

const httpReady = {
  PUBLIC_BASE_URL: 'https://tickler.example.com/',
  TOKEN_SECRETS: 'new-secret-0123456789,old-secret-0123456789',
  ADMIN_TOKEN: 'admin-token-0123456789',
  PORTAL_API_KEY: 'portal-key-0123456789',
  BILLING_WEBHOOK_SECRET: 'billing-secret-0123456789',
};

function errorOf(fn: () => unknown): EnvError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error('expected an EnvError');
}

describe('loadEnv', () => {
  it('applies the SPEC defaults when nothing is set', () => {
    const env = loadEnv({});
    expect(env.databaseUrl).toBe('file:./data/tickler.db');
    expect(env.databasePoolSize).toBe(10);
    expect(env.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(env.queuePrefix).toBe('tickler');
    expect(env.httpPort).toBe(3000);
    expect(env.offsets.license).toEqual([60, 30, 14, 7, 1, 0, -7]);
    expect(env.offsets.maintenance).toEqual([60, 30, 7, 0, -30]);
    expect(env.scanEveryMs).toBe(15 * 60_000);
    expect(env.billingMaxClockSkewMs).toBe(5 * 60_000);
    expect(env.ses.region).toBe('us-east-1');
    expect(env.ses.endpoint).toBeNull();
  });

  it('parses the http role configuration', () => {
    const env = loadEnv({ ...httpReady, SNS_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:ses-events', HTTP_PORT: '8080' }, 'http');
    expect(env.publicBaseUrl).toBe('https://tickler.example.com');
    expect(env.tokenSecrets).toEqual(['new-secret-0123456789', 'old-secret-0123456789']);
    expect(env.snsTopicArns).toEqual(['arn:aws:sns:eu-west-1:123456789012:ses-events']);
    expect(env.httpPort).toBe(8080);
  });

  it('names a bad REDIS_URL and a missing TOKEN_SECRETS in one message', () => {
    const { TOKEN_SECRETS: _omit, ...rest } = httpReady;
    const error = errorOf(() => loadEnv({ ...rest, REDIS_URL: 'http://nope' }, 'http'));
    expect(error.variables.sort()).toEqual(['REDIS_URL', 'TOKEN_SECRETS']);
    expect(error.message).toContain('REDIS_URL must be a redis://');
    expect(error.message).toContain('TOKEN_SECRETS is required for the http role');
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('names every missing variable of the http role', () => {
    const error = errorOf(() => loadEnv({}, 'http'));
    expect(error.variables.sort()).toEqual(['ADMIN_TOKEN', 'BILLING_WEBHOOK_SECRET', 'PORTAL_API_KEY', 'PUBLIC_BASE_URL', 'TOKEN_SECRETS']);
  });

  it('refuses a plain-http public URL outside the local machine', () => {
    const error = errorOf(() => loadEnv({ ...httpReady, PUBLIC_BASE_URL: 'http://tickler.example.com' }, 'http'));
    expect(error.variables).toEqual(['PUBLIC_BASE_URL']);
    expect(loadEnv({ ...httpReady, PUBLIC_BASE_URL: 'http://localhost:3000' }, 'http').publicBaseUrl).toBe('http://localhost:3000');
  });

  it('refuses malformed offsets, ports, durations, short secrets and ARNs, all together', () => {
    const error = errorOf(() => loadEnv({
      REMINDER_OFFSETS_LICENSE: '30,x,7',
      REMINDER_OFFSETS_MAINTENANCE: '7,7',
      HTTP_PORT: '70000',
      SCAN_EVERY: 'often',
      TOKEN_SECRETS: 'short',
      SNS_TOPIC_ARNS: 'not-an-arn',
      DATABASE_URL: 'postgres://x',
      LOG_LEVEL: 'loud',
    }));
    expect(error.variables.sort()).toEqual([
      'DATABASE_URL', 'HTTP_PORT', 'LOG_LEVEL', 'REMINDER_OFFSETS_LICENSE', 'REMINDER_OFFSETS_MAINTENANCE', 'SCAN_EVERY', 'SNS_TOPIC_ARNS', 'TOKEN_SECRETS',
    ]);
  });

  it('names every bad part of an offset list, with clean punctuation between variables', () => {
    const error = errorOf(() => loadEnv({ REMINDER_OFFSETS_LICENSE: '1,1,x', HTTP_PORT: 'x' }));
    expect(error.message).toContain('REMINDER_OFFSETS_LICENSE is invalid: 1 is listed twice, "x" is not a whole number of days');
    expect(error.message).not.toMatch(/\.;|\.$/);
  });

  it('treats an empty LOG_LEVEL as unset, like every other variable', () => {
    expect(loadEnv({ LOG_LEVEL: '' }).logLevel).toBeNull();
    expect(loadEnv({ LOG_LEVEL: ' debug ' }).logLevel).toBe('debug');
  });

  describe('SES and SNS settings', () => {
    let dir: string;
    beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'tickler-env-sns-')); });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('takes AWS region names of every partition and SES configuration set names', () => {
      for (const region of ['eu-west-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-2', 'us-isob-east-1']) {
        expect(loadEnv({ SES_REGION: region }).ses.region).toBe(region);
      }
      expect(loadEnv({ SES_CONFIGURATION_SET: 'tickler_events-1' }).ses.configurationSet).toBe('tickler_events-1');
      expect(loadEnv({ SES_CONFIGURATION_SET: 'a'.repeat(64) }).ses.configurationSet).toHaveLength(64);
    });

    it('takes a cache folder that does not exist yet, without creating it', () => {
      const cache = path.join(dir, 'not', 'yet');
      expect(loadEnv({ SNS_CERT_CACHE_DIR: cache }).snsCertCacheDir).toBe(cache);
      expect(readdirSync(dir)).toEqual([]);
    });

    it('names a malformed region, a bad configuration set and a cache folder that cannot be created, in one message', () => {
      const file = path.join(dir, 'a-file');
      writeFileSync(file, '');
      const error = errorOf(() => loadEnv({ SES_REGION: 'eu west 1', SES_CONFIGURATION_SET: 'bad set!', SNS_CERT_CACHE_DIR: '/proc/nope', LOG_LEVEL: 'loud' }));
      expect(error.variables.sort()).toEqual(['LOG_LEVEL', 'SES_CONFIGURATION_SET', 'SES_REGION', 'SNS_CERT_CACHE_DIR']);
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message).toContain('SES_REGION must be an AWS region name like eu-west-1');
      expect(error.message).toContain('SNS_CERT_CACHE_DIR must be a folder Tickler can create and write');
      expect(errorOf(() => loadEnv({ SES_CONFIGURATION_SET: 'a'.repeat(65) })).variables).toEqual(['SES_CONFIGURATION_SET']);
      expect(errorOf(() => loadEnv({ SNS_CERT_CACHE_DIR: path.join(file, 'certs') })).message).toContain(`"${file}" is not a folder`);
      rmSync(file);
    });
  });

  it('REMINDER_DIGEST is on by default, off when told, and names a bad value', () => {
    expect(loadEnv({}).reminderDigest).toBe(true);
    expect(loadEnv({ REMINDER_DIGEST: 'off' }).reminderDigest).toBe(false);
    expect(loadEnv({ REMINDER_DIGEST: 'ON' }).reminderDigest).toBe(true);
    const error = errorOf(() => loadEnv({ REMINDER_DIGEST: 'sometimes' }));
    expect(error.variables).toEqual(['REMINDER_DIGEST']);
    expect(error.message).toContain('must be on or off');
  });

  it('takes a PostgreSQL DATABASE_URL and a pool size; names a bad URL without its password', () => {
    const env = loadEnv({ DATABASE_URL: 'postgres://tickler:s3cret@db.internal:5432/tickler', DATABASE_POOL_SIZE: '25' });
    expect(env.databaseUrl).toBe('postgres://tickler:s3cret@db.internal:5432/tickler');
    expect(env.databasePoolSize).toBe(25);
    expect(loadEnv({ DATABASE_URL: 'postgresql://postgres@127.0.0.1/t' }).databaseUrl).toBe('postgresql://postgres@127.0.0.1/t');
    const error = errorOf(() => loadEnv({ DATABASE_URL: 'mysql://root:hunter2@db/x', DATABASE_POOL_SIZE: '0' }));
    expect(error.variables.sort()).toEqual(['DATABASE_POOL_SIZE', 'DATABASE_URL']);
    expect(error.message).not.toContain('hunter2');
  });

  it('requires sender addresses for the mailer role', () => {
    const error = errorOf(() => loadEnv({ PUBLIC_BASE_URL: 'https://t.example.com', TOKEN_SECRETS: httpReady.TOKEN_SECRETS, SES_FROM_REMINDERS: 'nope' }, 'mailer'));
    expect(error.variables.sort()).toEqual(['SES_FROM_NEWSLETTER', 'SES_FROM_REMINDERS']);
    const env = loadEnv({
      PUBLIC_BASE_URL: 'https://t.example.com', TOKEN_SECRETS: httpReady.TOKEN_SECRETS,
      SES_FROM_REMINDERS: 'Tickler <reminders@example.com>', SES_FROM_NEWSLETTER: 'news@example.com', SES_MAX_SEND_RATE: '2.5',
    }, 'mailer');
    expect(env.ses.fromReminders).toBe('Tickler <reminders@example.com>');
    expect(env.ses.maxSendRate).toBe(2.5);
  });

  it('names a sender that is not a@b.c or Name <a@b.c>, and says what is wrong with it', () => {
    const ok = ['reminders@example.com', 'Tickler <reminders@example.com>', '"Tickler, Inc." <billing+renewals@mail.example.co.uk>', '<r@example.com>'];
    for (const from of ok) expect(loadEnv({ SES_FROM_REMINDERS: from }).ses.fromReminders).toBe(from);
    for (const [from, problem] of [
      ['Tickler <reminders@example.com', '"<" must be closed by ">" at the end, around the address'],
      ['Tickler reminders@example.com>', '">" without "<"'],
      ['Tickler <reminders@example.com> x', '"<" must be closed by ">" at the end, around the address'],
      ['Tickler <<reminders@example.com>>', '"<" must be closed by ">" at the end, around the address'],
      ['"Tickler <reminders@example.com>', 'the name "Tickler has an unclosed double quote'],
      ['Tickler <>', 'The email address is empty'],
      ['Tickler <reminders@example>', '"example" is not a valid domain'],
      ['reminders at example.com', 'it has no "@"'],
    ] as const) {
      const error = errorOf(() => loadEnv({ SES_FROM_NEWSLETTER: from }));
      expect(error.variables).toEqual(['SES_FROM_NEWSLETTER']);
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message).toContain(`SES_FROM_NEWSLETTER must be an email address like reminders@example.com or "Tickler <reminders@example.com>" (got "${from}": `);
      expect(error.message).toContain(problem);
    }
    expect(errorOf(() => loadEnv({ SUPPORT_EMAIL: 'Help <help@example.com' })).variables).toEqual(['SUPPORT_EMAIL']);
  });

  it('reads EMAIL_DOMAIN_ALLOWLIST as domains (any case, IDN), and names every entry that is not one', () => {
    expect(loadEnv({ EMAIL_DOMAIN_ALLOWLIST: 'Gmail.com, mail.example.co.uk., bücher.de' }).emailDomainAllowlist).toEqual(['gmail.com', 'mail.example.co.uk', 'xn--bcher-kva.de']);
    expect(loadEnv({ EMAIL_DOMAIN_ALLOWLIST: '' }).emailDomainAllowlist).toEqual([]);
    const error = errorOf(() => loadEnv({ EMAIL_DOMAIN_ALLOWLIST: '@gmail.com, http://x, example.com, localhost' }));
    expect(error.variables).toEqual(['EMAIL_DOMAIN_ALLOWLIST']);
    expect(error.message).toContain('EMAIL_DOMAIN_ALLOWLIST must be comma-separated domains like example.com or mail.example.co.uk, without @, scheme or path (bad: "@gmail.com", "http://x", "localhost")');
  });

  it('reads BILLING_MAX_CLOCK_SKEW as a duration and names it when malformed', () => {
    expect(loadEnv({ BILLING_MAX_CLOCK_SKEW: '90s' }).billingMaxClockSkewMs).toBe(90_000);
    expect(errorOf(() => loadEnv({ BILLING_MAX_CLOCK_SKEW: 'a while' })).variables).toEqual(['BILLING_MAX_CLOCK_SKEW']);
  });

  it('bounds every duration below the timer limit, and each where a smaller bound makes sense, naming the maximum', () => {
    expect(loadEnv({ SHUTDOWN_TIMEOUT: '1h', SCAN_EVERY: '1d', BILLING_MAX_CLOCK_SKEW: '60m' })).toMatchObject({
      shutdownTimeoutMs: 3_600_000, scanEveryMs: 86_400_000, billingMaxClockSkewMs: 3_600_000,
    });
    expect(loadEnv({ SCAN_EVERY: '1s', INVITATION_RATE_LIMIT: '3/24d' })).toMatchObject({ scanEveryMs: 1000, rateLimits: { invitationsPerAddress: { windowMs: 24 * 86_400_000 } } });
    const error = errorOf(() => loadEnv({
      SHUTDOWN_TIMEOUT: '30d', SCAN_EVERY: '500ms', BILLING_MAX_CLOCK_SKEW: '2h', NEWSLETTER_RATE_LIMIT_IP: '20/25d',
    }));
    expect(error.variables.sort()).toEqual(['BILLING_MAX_CLOCK_SKEW', 'NEWSLETTER_RATE_LIMIT_IP', 'SCAN_EVERY', 'SHUTDOWN_TIMEOUT']);
    expect(error.message).toContain('SHUTDOWN_TIMEOUT must be at most 1h (got "30d")');
    expect(error.message).toContain('SCAN_EVERY must be from 1s to 1d (got "500ms")');
    expect(error.message).toContain('BILLING_MAX_CLOCK_SKEW must be at most 1h (got "2h")');
    expect(error.message).toContain('NEWSLETTER_RATE_LIMIT_IP has a window that must be at most 24d (got "20/25d")');
    expect(errorOf(() => loadEnv({ SHUTDOWN_TIMEOUT: `${'9'.repeat(400)}d` })).message).toContain('SHUTDOWN_TIMEOUT must be at most 1h');
  });

  it('parses the abuse limits (N/duration) and HTTP_TRUST_PROXY, naming bad ones', () => {
    expect(loadEnv({}).rateLimits).toEqual({
      newsletterPerIp: { max: 20, windowMs: 3_600_000 },
      newsletterPerAddress: { max: 3, windowMs: 3_600_000 },
      invitationsPerAddress: { max: 3, windowMs: 3_600_000 },
    });
    expect(loadEnv({}).httpTrustProxy).toBe(false);
    const env = loadEnv({ NEWSLETTER_RATE_LIMIT_IP: '100 / 10m', INVITATION_RATE_LIMIT: '5/1d', HTTP_TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' });
    expect(env.rateLimits.newsletterPerIp).toEqual({ max: 100, windowMs: 600_000 });
    expect(env.rateLimits.invitationsPerAddress).toEqual({ max: 5, windowMs: 86_400_000 });
    expect(env.httpTrustProxy).toEqual(['10.0.0.0/8', '192.168.1.1']);
    expect(loadEnv({ HTTP_TRUST_PROXY: '1' }).httpTrustProxy).toBe(1);
    expect(loadEnv({ HTTP_TRUST_PROXY: 'on' }).httpTrustProxy).toBe(true);
    const error = errorOf(() => loadEnv({ NEWSLETTER_RATE_LIMIT_ADDRESS: '0/1h', NEWSLETTER_RATE_LIMIT_IP: 'lots', INVITATION_RATE_LIMIT: '3/sometimes', HTTP_TRUST_PROXY: 'the proxy' }));
    expect(error.variables.sort()).toEqual(['HTTP_TRUST_PROXY', 'INVITATION_RATE_LIMIT', 'NEWSLETTER_RATE_LIMIT_ADDRESS', 'NEWSLETTER_RATE_LIMIT_IP']);
    expect(error.message).toContain('NEWSLETTER_RATE_LIMIT_IP must be a count per duration like 20/1h');
  });

  it('takes only HTTP_TRUST_PROXY values fastify\'s proxy-addr accepts, naming each bad entry', () => {
    expect(loadEnv({ HTTP_TRUST_PROXY: 'loopback, 10.0.0.0/8, 2001:DB8::/32, ::ffff:10.0.0.1, 1.2.3.4/32' }).httpTrustProxy)
      .toEqual(['loopback', '10.0.0.0/8', '2001:db8::/32', '::ffff:10.0.0.1', '1.2.3.4/32']);
    expect(loadEnv({ HTTP_TRUST_PROXY: 'uniquelocal,linklocal' }).httpTrustProxy).toEqual(['uniquelocal', 'linklocal']);
    expect(loadEnv({ HTTP_TRUST_PROXY: '2' }).httpTrustProxy).toBe(2);
    for (const [value, problem] of [
      ['abc', '"abc" is not an IP address'],
      ['1.2.3.4/99', '"1.2.3.4/99" needs a prefix length from 1 to 32'],
      ['10.0.0.0/0', '"10.0.0.0/0" needs a prefix length from 1 to 32'],
      ['::1/129', '"::1/129" needs a prefix length from 1 to 128'],
      ['10.0.0.0/8, 1.2.3', '"1.2.3" is not an IP address'],
      ['10.0.0.0/', '"10.0.0.0/" needs a prefix length from 1 to 32'],
      [',', '(got ",")'],
    ] as const) {
      const error = errorOf(() => loadEnv({ HTTP_TRUST_PROXY: value }));
      expect(error.variables).toEqual(['HTTP_TRUST_PROXY']);
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message).toContain(`HTTP_TRUST_PROXY must be off, on, a hop count, or comma-separated proxy addresses/CIDRs such as 10.0.0.0/8 or loopback`);
      expect(error.message).toContain(problem);
    }
  });

  it('takes an IP address or host name as HTTP_HOST and names anything else', () => {
    for (const host of ['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost', 'edge-1.internal.example.com']) expect(loadEnv({ HTTP_HOST: host }).httpHost).toBe(host);
    expect(loadEnv({}).httpHost).toBe('0.0.0.0');
    for (const host of ['not a host', 'http://localhost', '[::1]', 'host:3000', '-edge', 'a..b']) {
      const error = errorOf(() => loadEnv({ HTTP_HOST: host }));
      expect(error.message).toBe(`invalid configuration: HTTP_HOST must be an IP address or host name to listen on, such as 0.0.0.0, 127.0.0.1, :: or localhost (got "${host}")`);
    }
  });

  it('parses newsletter topics as id:Label pairs', () => {
    expect(loadEnv({ NEWSLETTER_TOPICS: 'releases:New releases, tips' }).newsletterTopics).toEqual([
      { id: 'releases', label: 'New releases' },
      { id: 'tips', label: 'tips' },
    ]);
  });

  it('reads a topic label\'s translations, and names a translation that is not locale=Label in a shipped locale', () => {
    expect(loadEnv({ NEWSLETTER_TOPICS: 'releases:New releases|de=Neue Versionen|zh-CN=新版本, tips' }).newsletterTopics).toEqual([
      { id: 'releases', label: 'New releases', labels: { de: 'Neue Versionen', 'zh-CN': '新版本' } },
      { id: 'tips', label: 'tips' },
    ]);
    expect(loadEnv({}).newsletterTopics.map((t) => t.labels?.ja)).toEqual(['製品ニュース', 'セキュリティ勧告', 'イベントとウェビナー']);
    const error = errorOf(() => loadEnv({ NEWSLETTER_TOPICS: 'releases:New releases|pt=Novidades|de' }));
    expect(error.message).toMatch(/NEWSLETTER_TOPICS.*"pt=Novidades" of topic releases is not locale=Label.*"de" of topic releases/);
  });

  it('refuses a newsletter topic id longer than 64 characters (it travels in unsubscribe links)', () => {
    expect(loadEnv({ NEWSLETTER_TOPICS: `${'t'.repeat(64)}:Longest` }).newsletterTopics[0]?.id).toHaveLength(64);
    expect(errorOf(() => loadEnv({ NEWSLETTER_TOPICS: `${'t'.repeat(65)}:Too long` })).message).toMatch(/NEWSLETTER_TOPICS.*at most 64 characters/);
  });

  describe('business days', () => {
    let dir: string;
    beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'tickler-holidays-')); });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const holidayFile = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    it('skips nothing by default; REMINDER_SKIP_WEEKENDS=on and a holiday file make the send calendar', () => {
      expect(loadEnv({}).sendCalendar).toMatchObject({ skipWeekends: false, maxShiftDays: 0 });
      const file = holidayFile('ok.txt', '# Germany\n2026-12-25\nEurope/Berlin 2026-10-03 # unity day\n');
      const env = loadEnv({ REMINDER_SKIP_WEEKENDS: 'on', REMINDER_HOLIDAYS: file });
      expect(env.sendCalendar.skipWeekends).toBe(true);
      expect([...env.sendCalendar.holidays]).toEqual(['2026-12-25', 'Europe/Berlin 2026-10-03']);
      expect(loadEnv({ REMINDER_SKIP_WEEKENDS: 'OFF' }).sendCalendar.skipWeekends).toBe(false);
    });

    it('names the variable, the file and the line of a bad holiday, and a bad on/off, in one line', () => {
      const file = holidayFile('bad.txt', '2026-12-25\n\n2026-13-01\n');
      const error = errorOf(() => loadEnv({ REMINDER_SKIP_WEEKENDS: 'sometimes', REMINDER_HOLIDAYS: file }));
      expect(error.variables.sort()).toEqual(['REMINDER_HOLIDAYS', 'REMINDER_SKIP_WEEKENDS']);
      expect(error.message).toContain('REMINDER_SKIP_WEEKENDS must be on or off (got "sometimes")');
      expect(error.message).toContain(`REMINDER_HOLIDAYS "${file}" line 3: "2026-13-01" is not a calendar date (YYYY-MM-DD)`);
      expect(error.message).not.toMatch(/\.;|\.$/); // the file parser's full stop is dropped, not left before "; "
      expect(error.message.split('\n')).toHaveLength(1);
    });

    it('names a missing holiday file and a bad zone', () => {
      const missing = path.join(dir, 'nope.txt');
      expect(errorOf(() => loadEnv({ REMINDER_HOLIDAYS: missing })).message).toContain(`REMINDER_HOLIDAYS cannot be read: "${missing}" (no such file)`);
      const file = holidayFile('zone.txt', 'DE 2026-10-03\n');
      expect(errorOf(() => loadEnv({ REMINDER_HOLIDAYS: file })).message).toContain('line 1: "DE" is not a known IANA time zone');
    });
  });
});

describe('.env.example', () => {
  const text = readFileSync(path.resolve(__dirname, '../../../.env.example'), 'utf8');
  const values = Object.fromEntries(text.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

  it('documents every variable the schema reads', () => {
    for (const name of ENV_VARIABLES) expect(text).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it('is a valid configuration for every role', () => {
    expect(() => loadEnv(values, 'all')).not.toThrow();
  });
});
