/**
 * The one place configuration is read. `loadEnv(source, role)` parses every variable with one zod
 * schema (schema.ts) and fails with ONE message naming every bad or missing variable, so an
 * operator fixes them all in one go. Nothing else reads `process.env`.
 */
import { createSendCalendar, perKind, type NewsletterTopic, type ReminderKind, type SendCalendar, type SupportedLocale } from '@tickler/domain';
import { EnvError } from './env-error';
import { envSchema, type LogLevel, type ParsedEnv } from './schema';

/** What the process is about to do; each role requires a different subset of the variables. */
export type Role = 'base' | 'scheduler' | 'mailer' | 'http' | 'all';

/** Variables each role cannot run without (beyond those that have defaults). */
const REQUIRED: Record<Role, readonly string[]> = {
  base: [],
  scheduler: [],
  mailer: ['PUBLIC_BASE_URL', 'TOKEN_SECRETS', 'SES_FROM_REMINDERS', 'SES_FROM_NEWSLETTER'],
  http: ['PUBLIC_BASE_URL', 'TOKEN_SECRETS', 'ADMIN_TOKEN', 'PORTAL_API_KEY', 'BILLING_WEBHOOK_SECRET'],
  all: ['PUBLIC_BASE_URL', 'TOKEN_SECRETS', 'ADMIN_TOKEN', 'PORTAL_API_KEY', 'BILLING_WEBHOOK_SECRET', 'SES_FROM_REMINDERS', 'SES_FROM_NEWSLETTER'],
};

/** Parsed configuration, in the shapes the packages take. */
export interface Env {
  /** DATABASE_URL as given (default `file:./data/tickler.db`); the store resolves it. */
  databaseUrl: string;
  /** PostgreSQL connections per process (DATABASE_POOL_SIZE, default 10); SQLite ignores it. */
  databasePoolSize: number;
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
  /** REMINDER_DIGEST (default on): an organization's reminders due together go to each person as one email. */
  reminderDigest: boolean;
  /** Days reminders may go out on: REMINDER_SKIP_WEEKENDS (default off) and REMINDER_HOLIDAYS (default none). */
  sendCalendar: SendCalendar;
  /** Scan interval, ms (SCAN_EVERY, default 15m). */
  scanEveryMs: number;
  /** How far a billing event's `occurredAt` may be ahead of this host's clock, ms (BILLING_MAX_CLOCK_SKEW, default 5m). */
  billingMaxClockSkewMs: number;
  /**
   * How long a stopping role waits for its in-flight requests and jobs, ms (SHUTDOWN_TIMEOUT, default
   * 25s: inside the 30 s a container orchestrator gives before SIGKILL); then it exits anyway.
   */
  shutdownTimeoutMs: number;
  mailerConcurrency: number;
  /** METRICS_PORT: where `tickler mailer` serves its own /metrics (send latency, SES outcomes); null = off. */
  metricsPort: number | null;
  newsletterTopics: NewsletterTopic[];
  emailDomainAllowlist: string[];
  supportEmail: string;
  templatesDir: string;
  /** Language of emails and pages when neither the recipient nor the organization names a shipped one. */
  defaultLocale: SupportedLocale;
  /** LOG_LEVEL; unset means info for long-lived roles and warn for one-shot commands. */
  logLevel: LogLevel | null;
}
function missingFor(role: Role, parsed: ParsedEnv): string[] {
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

function toEnv(p: ParsedEnv): Env {
  return {
    databaseUrl: p.DATABASE_URL,
    databasePoolSize: p.DATABASE_POOL_SIZE,
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
    reminderDigest: p.REMINDER_DIGEST,
    sendCalendar: createSendCalendar({ skipWeekends: p.REMINDER_SKIP_WEEKENDS, holidays: p.REMINDER_HOLIDAYS }),
    scanEveryMs: p.SCAN_EVERY,
    billingMaxClockSkewMs: p.BILLING_MAX_CLOCK_SKEW,
    shutdownTimeoutMs: p.SHUTDOWN_TIMEOUT,
    mailerConcurrency: p.MAILER_CONCURRENCY,
    metricsPort: p.METRICS_PORT,
    newsletterTopics: p.NEWSLETTER_TOPICS,
    emailDomainAllowlist: p.EMAIL_DOMAIN_ALLOWLIST,
    supportEmail: p.SUPPORT_EMAIL ?? 'support@example.com',
    templatesDir: p.TEMPLATES_DIR,
    defaultLocale: p.DEFAULT_LOCALE,
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
