/**
 * The zod schema of every variable of SPEC §5 (plus a few operational extras): each variable's
 * parser, its default, and the one-line message naming what a bad value should look like.
 */
import { mkdtempSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DatabaseUrlError, parseDatabaseUrl } from '@tickler/db';
import {
  isSupportedLocale, SUPPORTED_LOCALES, type SupportedLocale,
  isDomainError, MAX_TOPIC_LENGTH, normalizeDomain, normalizeEmail, parseDuration, parseHolidayFile, parseOffsets, REMINDER_KINDS, reminderKind,
} from '@tickler/domain';
import { redisUrlSetting } from '@tickler/queues';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const MIN_SECRET_LENGTH = 16;

const trimmed = z.string().trim();
const optionalText = trimmed.optional().transform((v) => (v ? v : null));
const list = (v: string | null | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function int(def: number, min: number, max: number) {
  return trimmed.optional().transform((v, ctx) => {
    if (!v) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max} (got "${v}")` });
      return z.NEVER;
    }
    return n;
  });
}

function positiveNumber(def: number) {
  return trimmed.optional().transform((v, ctx) => {
    if (!v) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be a positive number (got "${v}")` });
      return z.NEVER;
    }
    return n;
  });
}

/**
 * The longest duration any setting takes: below Node's timer limit (2^31 − 1 ms, about 24.8 days), past
 * which `setTimeout` fires after 1 ms with a TimeoutOverflowWarning.
 */
const MAX_DURATION = '24d';

/** A duration from `min` to `max` (both written as durations, e.g. `1s` and `1h`), default `def`. */
const duration = (def: string, bounds: { min?: string; max?: string } = {}) => trimmed.optional().transform((v, ctx) => {
  const ms = parseDuration(v || def);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like 30s, 15m, 2h or 1d (got "${v}")` });
    return z.NEVER;
  }
  const problem = outOfBounds(ms, bounds);
  if (problem !== null) {
    ctx.addIssue({ code: 'custom', message: `${problem} (got "${v}")` });
    return z.NEVER;
  }
  return ms;
});

/** Why `ms` lies outside `bounds` (default: up to MAX_DURATION), or null when it does not. */
function outOfBounds(ms: number, { min, max = MAX_DURATION }: { min?: string; max?: string }): string | null {
  const tooShort = min !== undefined && ms < (parseDuration(min) ?? 0);
  if (!tooShort && ms <= (parseDuration(max) ?? 0)) return null;
  return min === undefined ? `must be at most ${max}` : `must be from ${min} to ${max}`;
}

/** `N/DURATION`, e.g. `20/1h`: at most N in any DURATION (sliding window). */
const rateLimit = (def: string) => trimmed.optional().transform((v, ctx) => {
  const m = /^(\d+)\s*\/\s*(\S+)$/.exec(v || def);
  const max = m ? Number(m[1]) : NaN;
  const windowMs = m ? parseDuration(m[2] as string) : null;
  if (!Number.isInteger(max) || max < 1 || windowMs === null) {
    ctx.addIssue({ code: 'custom', message: `must be a count per duration like 20/1h or 5/10m (got "${v}")` });
    return z.NEVER;
  }
  const problem = outOfBounds(windowMs, {});
  if (problem !== null) {
    ctx.addIssue({ code: 'custom', message: `has a window that ${problem} (got "${v}")` });
    return z.NEVER;
  }
  return { max, windowMs };
});

/** HTTP_HOST: an IP address or a host name (letters, digits, hyphens, dots) to listen on; whether it is this machine's shows at listen. */
const listenHost = trimmed.optional().transform((v, ctx) => {
  const host = v || '0.0.0.0';
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
  if (isIP(host) === 0 && (host.length > 253 || !host.replace(/\.$/, '').split('.').every((l) => label.test(l)))) {
    ctx.addIssue({ code: 'custom', message: `must be an IP address or host name to listen on, such as 0.0.0.0, 127.0.0.1, :: or localhost (got "${v}")` });
    return z.NEVER;
  }
  return host;
});

/** proxy-addr's names for address ranges (loopback: 127.0.0.1/8 and ::1; and so on). */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Why `entry` is not a proxy address, CIDR or range name fastify's proxy-addr takes, or null when it
 * is. Stricter than proxy-addr (plain dotted IPv4 only), so nothing accepted here throws there.
 */
function proxyEntryProblem(entry: string): string | null {
  if (PROXY_RANGE_NAMES.includes(entry)) return null;
  const slash = entry.lastIndexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `"${entry}" is not an IP address`;
  if (slash === -1) return null;
  const bits = family === 4 ? 32 : 128;
  const prefix = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) < 1 || Number(prefix) > bits) return `"${entry}" needs a prefix length from 1 to ${bits}`;
  return null;
}

/**
 * Fastify's trustProxy: off (default), on, a hop count, or comma-separated addresses/CIDRs of the
 * proxies (and proxy-addr's loopback, linklocal, uniquelocal).
 */
const trustProxy = trimmed.optional().transform((v, ctx): boolean | number | string[] => {
  const value = (v ?? '').toLowerCase();
  if (value === '' || value === 'off' || value === 'false') return false;
  if (value === 'on' || value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const proxies = list(value);
  const problems = proxies.map(proxyEntryProblem).filter((p): p is string => p !== null);
  if (proxies.length > 0 && problems.length === 0) return proxies;
  ctx.addIssue({
    code: 'custom',
    message: `must be off, on, a hop count, or comma-separated proxy addresses/CIDRs such as 10.0.0.0/8 or loopback${problems.length > 0 ? `: ${problems.join(', ')}` : ` (got "${v}")`}`,
  });
  return z.NEVER;
});

/** Days before expiry, comma-separated whole numbers (negative = after expiry); the domain's parser. */
const offsets = (variable: string, def: string) => trimmed.optional().transform((v, ctx) => {
  try {
    return parseOffsets(v || def, variable);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    ctx.addIssue({ code: 'custom', message: `is invalid: ${error.message.replace(`${variable}: `, '')}` });
    return z.NEVER;
  }
});

/** `REMINDER_OFFSETS_<KIND>`, one per reminder kind, defaulting to the kind table's offsets. */
const offsetVariables = Object.fromEntries(REMINDER_KINDS.map((kind) => {
  const { offsetsVariable, defaultOffsets } = reminderKind(kind);
  return [offsetsVariable, offsets(offsetsVariable, defaultOffsets.join(','))];
})) as { [variable: `REMINDER_OFFSETS_${string}`]: ReturnType<typeof offsets> };

/** `on` or `off` (also true/false, yes/no, 1/0), default `def`. */
const onOff = (def: 'on' | 'off') => trimmed.optional().transform((v, ctx) => {
  const value = (v || def).toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(value)) return true;
  if (['off', 'false', 'no', '0'].includes(value)) return false;
  ctx.addIssue({ code: 'custom', message: `must be on or off (got "${v}")` });
  return z.NEVER;
});

/** REMINDER_HOLIDAYS: the path of a holiday file (format in the domain's holiday-file.ts), read once at start-up. */
const holidayFile = optionalText.transform((path, ctx): string[] => {
  if (path === null) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    ctx.addIssue({ code: 'custom', message: `cannot be read: "${path}" (${code === 'ENOENT' ? 'no such file' : code ?? String(error)})` });
    return z.NEVER;
  }
  try {
    return parseHolidayFile(text);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    ctx.addIssue({ code: 'custom', message: `"${path}" ${error.message.replace(/^REMINDER_HOLIDAYS /, '')}` });
    return z.NEVER;
  }
});

/** `file:./data/tickler.db` (SQLite, the default), a path, `:memory:`, or `postgres://…` (the db package's one parser). */
const databaseUrl = trimmed.optional().transform((v, ctx) => {
  const url = v || 'file:./data/tickler.db';
  try {
    parseDatabaseUrl(url);
    return url;
  } catch (error) {
    if (!(error instanceof DatabaseUrlError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message.replace(/^DATABASE_URL /, '') });
    return z.NEVER;
  }
});

const redisUrl = redisUrlSetting;

/** https, except plain http on the local machine (embedded mode, development). */
const publicBaseUrl = optionalText.transform((v, ctx) => {
  if (v === null) return null;
  try {
    const u = new URL(v);
    const local = u.hostname === 'localhost' || u.hostname === '127.0.0.1';
    if (u.protocol === 'https:' || (u.protocol === 'http:' && local)) return v.replace(/\/+$/, '');
  } catch { /* reported below */ }
  ctx.addIssue({ code: 'custom', message: `must be an https:// URL (got "${v}")` });
  return z.NEVER;
});

const tokenSecrets = optionalText.transform((v, ctx) => {
  const secrets = list(v);
  if (secrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
    ctx.addIssue({ code: 'custom', message: `each secret must be at least ${MIN_SECRET_LENGTH} characters (comma-separated, newest first)` });
    return z.NEVER;
  }
  return secrets;
});

const secret = optionalText.transform((v, ctx) => {
  if (v !== null && v.length < MIN_SECRET_LENGTH) {
    ctx.addIssue({ code: 'custom', message: `must be at least ${MIN_SECRET_LENGTH} characters` });
    return z.NEVER;
  }
  return v;
});

/**
 * Why `value` is not `a@b.c` or `Name <a@b.c>` (the display name optionally in double quotes), or
 * null when it is one. The address is checked by the domain's email parser.
 */
function senderProblem(value: string): string | null {
  let address = value;
  if (/[<>]/.test(value)) {
    const m = /^([^<>]*)<([^<>]*)>$/.exec(value);
    if (!m) return value.includes('>') && !value.includes('<') ? '">" without "<"' : '"<" must be closed by ">" at the end, around the address';
    const name = (m[1] ?? '').trim();
    if ((name.match(/(?<!\\)"/g) ?? []).length % 2 !== 0) return `the name ${name} has an unclosed double quote`;
    address = (m[2] ?? '').trim();
  }
  try {
    normalizeEmail(address);
    return null;
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return error.message.replace(/\.$/, '');
  }
}

const emailish = (def: string | null) => optionalText.transform((v, ctx) => {
  const value = v ?? def;
  const problem = value === null ? null : senderProblem(value);
  if (problem !== null) {
    ctx.addIssue({ code: 'custom', message: `must be an email address like reminders@example.com or "Tickler <reminders@example.com>" (got "${v}": ${problem})` });
    return z.NEVER;
  }
  return value;
});

/** EMAIL_DOMAIN_ALLOWLIST: domains (IDN allowed), comma-separated; kept in the domain's normal form. */
const domainList = optionalText.transform((v, ctx) => {
  const entries = list(v);
  const bad = entries.filter((d) => normalizeDomain(d) === null);
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `must be comma-separated domains like example.com or mail.example.co.uk, without @, scheme or path (bad: ${bad.map((d) => `"${d}"`).join(', ')})` });
    return z.NEVER;
  }
  return entries.map((d) => normalizeDomain(d) as string);
});

/**
 * An AWS region name such as `eu-west-1`, `us-gov-west-1` or `cn-north-1`: the shape, not a list
 * that goes stale when AWS opens a region. A malformed one would only fail later, on every send.
 */
const awsRegion = trimmed.optional().transform((v, ctx) => {
  const region = v || 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    ctx.addIssue({ code: 'custom', message: `must be an AWS region name like eu-west-1 or us-gov-west-1 (got "${v}")` });
    return z.NEVER;
  }
  return region;
});

/** SES's rule for configuration set names: letters, digits, `_` and `-`, at most 64 characters. */
const configurationSet = optionalText.transform((v, ctx) => {
  if (v !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(v)) {
    ctx.addIssue({ code: 'custom', message: `must be a configuration set name of letters, digits, _ and - of at most 64 characters (got "${v}")` });
    return z.NEVER;
  }
  return v;
});

/**
 * Why a folder cannot be created or written, or null when it can: a throw-away folder is made and
 * removed in it, or in its nearest existing parent when it does not exist yet. Not `mkdir -p`:
 * Node's recursive mkdir never returns under /proc.
 */
function unwritableFolder(dir: string): string | null {
  let existing = path.resolve(dir);
  for (;;) {
    try {
      if (!statSync(existing).isDirectory()) return `"${existing}" is not a folder`;
      break;
    } catch (error) {
      const parent = path.dirname(existing);
      if (!['ENOENT', 'ENOTDIR'].includes(String((error as { code?: string }).code)) || parent === existing) return `cannot look at "${existing}" (${(error as { code?: string }).code ?? String(error)})`;
      existing = parent;
    }
  }
  try {
    rmdirSync(mkdtempSync(path.join(existing, '.tickler-probe-')));
    return null;
  } catch (error) {
    return `cannot create or write a folder in "${existing}" (${(error as { code?: string }).code ?? String(error)})`;
  }
}

/** SNS_CERT_CACHE_DIR: checked at start-up, so a bad folder is named now, not on the first SES webhook. */
const writableFolder = (def: string) => trimmed.optional().transform((v, ctx) => {
  const dir = v || def;
  const problem = unwritableFolder(dir);
  if (problem !== null) {
    ctx.addIssue({ code: 'custom', message: `must be a folder Tickler can create and write: ${problem}` });
    return z.NEVER;
  }
  return dir;
});

const snsTopicArns = optionalText.transform((v, ctx) => {
  const arns = list(v);
  const bad = arns.filter((a) => !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(a));
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `must be comma-separated SNS topic ARNs (bad: ${bad.join(', ')})` });
    return z.NEVER;
  }
  return arns;
});

/** The shipped topics, labelled in every shipped language. */
export const DEFAULT_NEWSLETTER_TOPICS = [
  'product-news:Product news|de=Produktneuigkeiten|fr=Nouveautés produits|ja=製品ニュース|zh-CN=产品新闻',
  'security:Security advisories|de=Sicherheitshinweise|fr=Avis de sécurité|ja=セキュリティ勧告|zh-CN=安全公告',
  'events:Events and webinars|de=Veranstaltungen und Webinare|fr=Événements et webinaires|ja=イベントとウェビナー|zh-CN=活动和网络研讨会',
].join(',');

/**
 * `id:Label` pairs, comma-separated; a bare id is its own label. A label may carry its translations,
 * `id:Label|de=Etikett|ja=ラベル`; a language without one reads `Label`.
 */
const newsletterTopics = trimmed.optional().transform((v, ctx) => {
  const problems: string[] = [];
  const topics = list(v || DEFAULT_NEWSLETTER_TOPICS).map((item) => {
    const [idPart = '', ...rest] = item.split(':');
    const id = idPart.trim();
    const [label = '', ...translations] = rest.join(':').split('|').map((part) => part.trim());
    const labels: Partial<Record<SupportedLocale, string>> = {};
    for (const translation of translations) {
      const [locale = '', ...text] = translation.split('=');
      const value = text.join('=').trim();
      if (isSupportedLocale(locale.trim()) && value) labels[locale.trim() as SupportedLocale] = value;
      else problems.push(`"${translation}" of topic ${id} is not locale=Label with a shipped locale (${SUPPORTED_LOCALES.join(', ')})`);
    }
    return { id, label: label || id, ...(translations.length > 0 ? { labels } : {}) };
  });
  // Topic ids travel in newsletter unsubscribe links: bounded so every link stays short enough.
  if (topics.some((t) => !/^[a-z0-9][a-z0-9-]*$/.test(t.id) || t.id.length > MAX_TOPIC_LENGTH)) {
    problems.unshift(`must be id:Label pairs with ids of a-z, 0-9 and - of at most ${MAX_TOPIC_LENGTH} characters (got "${v}")`);
  }
  if (problems.length > 0) {
    ctx.addIssue({ code: 'custom', message: problems.join('; ') });
    return z.NEVER;
  }
  return topics;
});

export const envSchema = z.object({
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: int(10, 1, 500),
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: trimmed.optional().transform((v) => v || 'tickler'),
  HTTP_PORT: int(3000, 0, 65535),
  HTTP_HOST: listenHost,
  HTTP_TRUST_PROXY: trustProxy,
  NEWSLETTER_RATE_LIMIT_IP: rateLimit('20/1h'),
  NEWSLETTER_RATE_LIMIT_ADDRESS: rateLimit('3/1h'),
  INVITATION_RATE_LIMIT: rateLimit('3/1h'),
  PUBLIC_BASE_URL: publicBaseUrl,
  TOKEN_SECRETS: tokenSecrets,
  ADMIN_TOKEN: secret,
  PORTAL_API_KEY: secret,
  BILLING_WEBHOOK_SECRET: secret,
  SES_REGION: awsRegion,
  SES_ENDPOINT: optionalText.transform((v, ctx) => {
    if (v !== null && !/^https?:\/\/\S+$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `must be an http(s) URL (got "${v}")` });
      return z.NEVER;
    }
    return v;
  }),
  SES_FROM_REMINDERS: emailish(null),
  SES_FROM_NEWSLETTER: emailish(null),
  SES_CONFIGURATION_SET: configurationSet,
  SES_MAX_SEND_RATE: positiveNumber(10),
  SNS_TOPIC_ARNS: snsTopicArns,
  SNS_CERT_CACHE_DIR: writableFolder('./data/sns-certs'),
  ...offsetVariables,
  REMINDER_DIGEST: onOff('on'),
  REMINDER_SKIP_WEEKENDS: onOff('off'),
  REMINDER_HOLIDAYS: holidayFile,
  // The scheduler role refuses less than 1s; a day covers any sensible planning cadence.
  SCAN_EVERY: duration('15m', { min: '1s', max: '1d' }),
  // More than an hour ahead is a wrong clock, and a far-future event would block that order's later ones.
  BILLING_MAX_CLOCK_SKEW: duration('5m', { max: '1h' }),
  SHUTDOWN_TIMEOUT: duration('25s', { max: '1h' }),
  MAILER_CONCURRENCY: int(128, 1, 1000),
  METRICS_PORT: trimmed.optional().transform((v, ctx) => {
    if (!v) return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: `must be a port from 1 to 65535 (got "${v}")` });
      return z.NEVER;
    }
    return n;
  }),
  NEWSLETTER_TOPICS: newsletterTopics,
  EMAIL_DOMAIN_ALLOWLIST: domainList,
  SUPPORT_EMAIL: emailish('support@example.com'),
  TEMPLATES_DIR: trimmed.optional().transform((v) => v || './templates'),
  DEFAULT_LOCALE: trimmed.optional().transform((v) => v || 'en')
    .refine(isSupportedLocale, { message: `must be one of the shipped locales: ${SUPPORTED_LOCALES.join(', ')}` })
    .transform((v) => v as SupportedLocale),
  // Empty is unset, as for every other variable.
  LOG_LEVEL: trimmed.optional().transform((v) => v || undefined)
    .pipe(z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).optional()),
});

/** The schema's output: one field per variable, defaults applied. */
export type ParsedEnv = z.infer<typeof envSchema>;

/** Every variable the schema reads (for docs and tests). */
export const ENV_VARIABLES = Object.keys(envSchema.shape);
