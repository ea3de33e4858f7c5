import type { Logger } from 'pino';
import type { Store } from '@tickler/db';
import type { Queues } from '@tickler/queues';
import type { NewsletterTopic, ReminderKind, SendCalendar, SupportedLocale } from '@tickler/domain';
import type { RateLimiter, RateLimits } from './rate-limit/rate-limiter';

/** Configuration the HTTP edge needs; parsed from the environment once, by the composition root. */
export interface HttpConfig {
  /** https base URL used in links, e.g. https://tickler.example.com (no trailing slash). */
  publicBaseUrl: string;
  /** Token signing secrets, newest first; all are accepted when verifying (key rotation). */
  tokenSecrets: string[];
  adminToken: string;
  portalApiKey: string;
  billingWebhookSecret: string;
  /** SNS topic ARNs whose messages are accepted. */
  snsTopicArns: string[];
  /** Folder where SNS signing certificates are cached as `<sha256 of URL>.pem`. */
  snsCertCacheDir: string;
  /** Reminder offsets per kind, for `GET /admin/forecast` (default: the kind table's defaults). */
  reminderOffsets?: Record<ReminderKind, number[]>;
  /** Days reminders may go out on, for `GET /admin/forecast` (default every day open). */
  sendCalendar?: SendCalendar;
  /** Newsletter topics offered on the subscription form. */
  newsletterTopics: NewsletterTopic[];
  /** Domains accepted as business email even if on a free-mail list. */
  emailDomainAllowlist: string[];
  supportEmail: string;
  /** Language of recipient pages when neither the address's choice nor `Accept-Language` names a shipped one (default `en`). */
  defaultLocale?: SupportedLocale;
  /** Largest accepted webhook body, bytes (default 64 KiB). */
  bodyLimitBytes: number;
  /** How long a request waits for Redis to take a job before answering anyway, ms (default 2000). */
  enqueueTimeoutMs?: number;
  /** How far a billing event's `occurredAt` may be ahead of now, ms (BILLING_MAX_CLOCK_SKEW; default 5 minutes). */
  billingMaxClockSkewMs?: number;
  /** Abuse limits; each one not given is DEFAULT_RATE_LIMITS'. */
  rateLimits?: Partial<RateLimits>;
  /**
   * Which proxies' `X-Forwarded-For` names the client (fastify `trustProxy`): true = any, a number =
   * that many hops, or addresses/CIDRs. Default none: the per-IP limit then sees the peer address.
   */
  trustProxy?: boolean | number | string[];
  /** How long an admin route waits for Redis before answering 503 `redis_unavailable`, ms (default 2000). */
  redisTimeoutMs?: number;
}

/** What a preview or test send renders: a template, a locale, a named sample. */
export interface TestEmailRequest { template: string; locale: string; sample: string }

/**
 * Template previews for `/admin/templates`, given by the composition root: the mailer renders
 * (`makeTemplatePreviews`), the edge only shows the result and enqueues test sends.
 */
export interface TemplatePreviews {
  /** Every template × locale, with the sample names it can be rendered with. */
  list(): Array<{ template: string; locale: string; samples: string[] }>;
  /** Subject, HTML and text of one preview; throws on an unknown template, locale or sample. */
  render(request: TestEmailRequest): { subject: string; html: string; text: string };
  /** Null when a test send of `request` to `to` may be asked for, else the bad field and a one-line reason. */
  problem(request: TestEmailRequest & { to: string }): { field: string; message: string } | null;
}

/** Everything the HTTP edge talks to; created by the composition root, never inside the server. */
export interface HttpDeps {
  store: Store;
  queues: Queues;
  config: HttpConfig;
  logger: Logger;
  /**
   * Counts requests against the abuse limits. Shared by every edge process (Redis,
   * `makeRedisRateLimiter`); the in-memory one suits a single process only.
   */
  rateLimiter: RateLimiter;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
  /** Fetches a URL's body as text (SNS certificates, SubscribeURL); injectable for tests. */
  fetchText: (url: string) => Promise<string>;
  /** Template previews for the admin page; without them `/admin/templates` answers 503. */
  templatePreviews?: TemplatePreviews;
}
