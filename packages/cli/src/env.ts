/**
 * The one place configuration is read. `loadEnv(source, role)` parses every variable of SPEC §5
 * (plus a few operational extras) with one zod schema and fails with ONE message naming every bad
 * or missing variable, so an operator fixes them all in one go. Nothing else reads `process.env`.
 */
import { z } from 'zod';
import { isDomainError, MAX_TOPIC_LENGTH, parseOffsets, perKind, REMINDER_KINDS, reminderKind, type ReminderKind } from '@tickler/domain';
import { redisUrlSetting } from '@tickler/queues';

/** What the process is about to do; each role requires a different subset of the variables. */
export type Role = 'base' | 'scheduler' | 'mailer' | 'http' | 'all';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MIN_SECRET_LENGTH = 16;

/** Variables each role cannot run without (beyond those that have defaults). */
const REQUIRED: Record<Role, readonly string[]> = {
  base: [],
  scheduler: [],
  mailer: ['PUBLIC_BASE_URL', 'TOKEN_SECRETS', 'SES_FROM_REMINDERS', 'SES_FROM_NEWSLETTER'],
  http: ['PUBLIC_BASE_URL', 'TOKEN_SECRETS', 'ADMIN_TOKEN', 'PORTAL_API_KEY', 'BILLING_WEBHOOK_SECRET'],
  all: ['PUBLIC_BASE_URL', 'TOKEN_SECRETS', 'ADMIN_TOKEN', 'PORTAL_API_KEY', 'BILLING_WEBHOOK_SECRET', 'SES_FROM_REMINDERS', 'SES_FROM_NEWSLETTER'],
};

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

/** Parses `15m`, `30s`, `2h`, `1d` into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  const ms = Number(m[1]) * unit;
  return ms > 0 ? ms : null;
}

const duration = (def: string) => trimmed.optional().transform((v, ctx) => {
  const ms = parseDuration(v || def);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like 30s, 15m, 2h or 1d (got "${v}")` });
    return z.NEVER;
  }
  return ms;
});

/** `N/DURATION`, e.g. `20/1h`: at most N in any DURATION (sliding window). */
const rateLimit = (def: string) => trimmed.optional().transform((v, ctx) => {
  const m = /^(\d+)\s*\/\s*(\S+)$/.exec(v || def);
  const max = m ? Number(m[1]) : NaN;
  const windowMs = m ? parseDuration(m[2] as string) : null;
  if (!Number.isInteger(max) || max < 1 || windowMs === null) {
    ctx.addIssue({ code: 'custom', message: `must be a count per duration like 20/1h or 5/10m (got "${v}")` });
    return z.NEVER;
  }
  return { max, windowMs };
});

/** Fastify's trustProxy: off (default), on, a hop count, or comma-separated addresses/CIDRs of the proxies. */
const trustProxy = trimmed.optional().transform((v, ctx): boolean | number | string[] => {
  const value = (v ?? '').toLowerCase();
  if (value === '' || value === 'off' || value === 'false') return false;
  if (value === 'on' || value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const proxies = list(value);
  if (proxies.every((p) => /^[0-9a-f.:]+(\/\d{1,3})?$/.test(p))) return proxies;
  ctx.addIssue({ code: 'custom', message: `must be off, on, a hop count, or comma-separated proxy addresses/CIDRs (got "${v}")` });
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

/** SQLite: `file:./data/tickler.db`, `file:///abs.db`, a bare path, or `:memory:` (the db package resolves it). */
const databaseUrl = trimmed.optional().transform((v, ctx) => {
  const url = v || 'file:./data/tickler.db';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file:')) {
    ctx.addIssue({ code: 'custom', message: `must be a SQLite file URL like file:./data/tickler.db (got "${v}")` });
    return z.NEVER;
  }
  const path = url === ':memory:' ? null : url.replace(/^file:(\/\/(?=\/))?/, '');
  return { url, path };
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

const emailish = (def: string | null) => optionalText.transform((v, ctx) => {
  const value = v ?? def;
  // Accepts `a@b.c` and `Name <a@b.c>`.
  if (value !== null && !/^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: `must be an email address like "Tickler <reminders@example.com>" (got "${v}")` });
    return z.NEVER;
  }
  return value;
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

/** `id:Label` pairs, comma-separated; a bare id is its own label. */
const newsletterTopics = trimmed.optional().transform((v, ctx) => {
  const items = list(v || 'product-news:Product news,security:Security advisories,events:Events and webinars');
  const topics = items.map((item) => {
    const [id = '', ...label] = item.split(':');
    return { id: id.trim(), label: label.join(':').trim() || id.trim() };
  });
  // Topic ids travel in newsletter unsubscribe links: bounded so every link stays short enough.
  if (topics.some((t) => !/^[a-z0-9][a-z0-9-]*$/.test(t.id) || t.id.length > MAX_TOPIC_LENGTH)) {
    ctx.addIssue({ code: 'custom', message: `must be id:Label pairs with ids of a-z, 0-9 and - of at most ${MAX_TOPIC_LENGTH} characters (got "${v}")` });
    return z.NEVER;
  }
  return topics;
});

const envSchema = z.object({
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: trimmed.optional().transform((v) => v || 'tickler'),
  HTTP_PORT: int(3000, 0, 65535),
  HTTP_HOST: trimmed.optional().transform((v) => v || '0.0.0.0'),
  HTTP_TRUST_PROXY: trustProxy,
  NEWSLETTER_RATE_LIMIT_IP: rateLimit('20/1h'),
  NEWSLETTER_RATE_LIMIT_ADDRESS: rateLimit('3/1h'),
  INVITATION_RATE_LIMIT: rateLimit('3/1h'),
  PUBLIC_BASE_URL: publicBaseUrl,
  TOKEN_SECRETS: tokenSecrets,
  ADMIN_TOKEN: secret,
  PORTAL_API_KEY: secret,
  BILLING_WEBHOOK_SECRET: secret,
  SES_REGION: trimmed.optional().transform((v) => v || 'us-east-1'),
  SES_ENDPOINT: optionalText.transform((v, ctx) => {
    if (v !== null && !/^https?:\/\/\S+$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `must be an http(s) URL (got "${v}")` });
      return z.NEVER;
    }
    return v;
  }),
  SES_FROM_REMINDERS: emailish(null),
  SES_FROM_NEWSLETTER: emailish(null),
  SES_CONFIGURATION_SET: optionalText,
  SES_MAX_SEND_RATE: positiveNumber(10),
  SNS_TOPIC_ARNS: snsTopicArns,
  SNS_CERT_CACHE_DIR: trimmed.optional().transform((v) => v || './data/sns-certs'),
  ...offsetVariables,
  SCAN_EVERY: duration('15m'),
  BILLING_MAX_CLOCK_SKEW: duration('5m'),
  MAILER_CONCURRENCY: int(50, 1, 1000),
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
  EMAIL_DOMAIN_ALLOWLIST: optionalText.transform((v) => list(v).map((d) => d.toLowerCase())),
  SUPPORT_EMAIL: emailish('support@example.com'),
  TEMPLATES_DIR: trimmed.optional().transform((v) => v || './templates'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
});

type Parsed = z.infer<typeof envSchema>;

/** Parsed configuration, in the shapes the packages take. */
export interface Env {
  databaseUrl: string;
  /** SQLite file path from DATABASE_URL (relative to the working directory); null for `:memory:`. */
  databasePath: string | null;
  redisUrl: string;
  queuePrefix: string;
  httpPort: number;
  httpHost: string;
  /** HTTP_TRUST_PROXY: whose X-Forwarded-For names the client (per-IP limits); false = nobody's. */
  httpTrustProxy: boolean | number | string[];
  /** Abuse limits: at most `max` in any `windowMs`. */
  rateLimits: {
    newsletterPerIp: { max: number; windowMs: number };
    newsletterPerAddress: { max: number; windowMs: number };
    invitationsPerAddress: { max: number; windowMs: number };
  };
  publicBaseUrl: string;
  tokenSecrets: string[];
  adminToken: string;
  portalApiKey: string;
  billingWebhookSecret: string;
  ses: { region: string; endpoint: string | null; fromReminders: string; fromNewsletter: string; configurationSet: string | null; maxSendRate: number };
  snsTopicArns: string[];
  snsCertCacheDir: string;
  offsets: Record<ReminderKind, number[]>;
  /** Scan interval, ms (SCAN_EVERY, default 15m). */
  scanEveryMs: number;
  /** How far a billing event's `occurredAt` may be ahead of this host's clock, ms (BILLING_MAX_CLOCK_SKEW, default 5m). */
  billingMaxClockSkewMs: number;
  mailerConcurrency: number;
  /** METRICS_PORT: where `tickler mailer` serves its own /metrics (send latency, SES outcomes); null = off. */
  metricsPort: number | null;
  newsletterTopics: Array<{ id: string; label: string }>;
  emailDomainAllowlist: string[];
  supportEmail: string;
  templatesDir: string;
  /** LOG_LEVEL; unset means info for long-lived roles and warn for one-shot commands. */
  logLevel: (typeof LOG_LEVELS)[number] | null;
}

/** Start-up refused: `message` is one line naming every bad variable; `variables` lists them. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(readonly variables: string[], readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

function missingFor(role: Role, parsed: Parsed): string[] {
  const present: Record<string, boolean> = {
    PUBLIC_BASE_URL: parsed.PUBLIC_BASE_URL !== null,
    TOKEN_SECRETS: parsed.TOKEN_SECRETS.length > 0,
    ADMIN_TOKEN: parsed.ADMIN_TOKEN !== null,
    PORTAL_API_KEY: parsed.PORTAL_API_KEY !== null,
    BILLING_WEBHOOK_SECRET: parsed.BILLING_WEBHOOK_SECRET !== null,
    SES_FROM_REMINDERS: parsed.SES_FROM_REMINDERS !== null,
    SES_FROM_NEWSLETTER: parsed.SES_FROM_NEWSLETTER !== null,
  };
  return REQUIRED[role].filter((name) => !present[name]);
}

function toEnv(p: Parsed): Env {
  return {
    databaseUrl: p.DATABASE_URL.url,
    databasePath: p.DATABASE_URL.path,
    redisUrl: p.REDIS_URL,
    queuePrefix: p.QUEUE_PREFIX,
    httpPort: p.HTTP_PORT,
    httpHost: p.HTTP_HOST,
    httpTrustProxy: p.HTTP_TRUST_PROXY,
    rateLimits: {
      newsletterPerIp: p.NEWSLETTER_RATE_LIMIT_IP,
      newsletterPerAddress: p.NEWSLETTER_RATE_LIMIT_ADDRESS,
      invitationsPerAddress: p.INVITATION_RATE_LIMIT,
    },
    publicBaseUrl: p.PUBLIC_BASE_URL ?? `http://localhost:${p.HTTP_PORT}`,
    tokenSecrets: p.TOKEN_SECRETS,
    adminToken: p.ADMIN_TOKEN ?? '',
    portalApiKey: p.PORTAL_API_KEY ?? '',
    billingWebhookSecret: p.BILLING_WEBHOOK_SECRET ?? '',
    ses: {
      region: p.SES_REGION,
      endpoint: p.SES_ENDPOINT,
      fromReminders: p.SES_FROM_REMINDERS ?? '',
      fromNewsletter: p.SES_FROM_NEWSLETTER ?? '',
      configurationSet: p.SES_CONFIGURATION_SET,
      maxSendRate: p.SES_MAX_SEND_RATE,
    },
    snsTopicArns: p.SNS_TOPIC_ARNS,
    snsCertCacheDir: p.SNS_CERT_CACHE_DIR,
    offsets: perKind((_, { offsetsVariable }) => (p as unknown as Record<string, number[]>)[offsetsVariable]!),
    scanEveryMs: p.SCAN_EVERY,
    billingMaxClockSkewMs: p.BILLING_MAX_CLOCK_SKEW,
    mailerConcurrency: p.MAILER_CONCURRENCY,
    metricsPort: p.METRICS_PORT,
    newsletterTopics: p.NEWSLETTER_TOPICS,
    emailDomainAllowlist: p.EMAIL_DOMAIN_ALLOWLIST,
    supportEmail: p.SUPPORT_EMAIL ?? 'support@example.com',
    templatesDir: p.TEMPLATES_DIR,
    logLevel: p.LOG_LEVEL ?? null,
  };
}

/**
 * Parses the environment for `role` (default `base`: only variables with defaults are needed).
 * Throws {@link EnvError} naming every missing or invalid variable at once.
 */
export function loadEnv(source: Record<string, string | undefined>, role: Role = 'base'): Env {
  const result = envSchema.safeParse(source);
  const problems = new Map<string, string>();
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      if (!problems.has(name)) problems.set(name, `${name} ${issue.message}`);
    }
  }
  // Role requirements are checked on the raw values too, so a bad and a missing variable are named together.
  const partial = result.success ? result.data : null;
  const missing = partial ? missingFor(role, partial) : REQUIRED[role].filter((n) => !source[n]?.trim());
  for (const name of missing) {
    if (!problems.has(name)) problems.set(name, `${name} is required for ${role === 'all' ? 'this command' : `the ${role} role`}`);
  }
  if (problems.size > 0 || !partial) throw new EnvError([...problems.keys()], [...problems.values()]);
  return toEnv(partial);
}

/** Every variable the schema reads (for docs and tests). */
export const ENV_VARIABLES = Object.keys(envSchema.shape);
