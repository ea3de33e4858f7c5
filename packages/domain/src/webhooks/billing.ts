/**
 * Billing webhook, pure half: verify the `Tickler-Signature` header over the raw body, then parse the
 * JSON into a typed event. The HTTP handler does only I/O around these (SPEC §5 "Billing webhook").
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { isIsoDate } from '../calendar';
import { normalizeEmail } from '../email';
import { MAX_ID_LENGTH } from '../limits';
import { assertTimeZone } from '../timezone';
import { REMINDER_KINDS, reminderKind, type ExpiryField, type OrderExpiries } from '../reminder-kinds';
import type { Organization } from '../types';
import { isWellFormedLocale } from '../i18n/locales';

/** Why a billing webhook signature was refused; each code maps to a 401 answer. */
export type BillingSignatureProblem = 'missing_signature' | 'malformed_signature' | 'stale_timestamp' | 'bad_signature';

export type BillingSignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; code: BillingSignatureProblem; message: string };

/** Default tolerance between the signed timestamp and `now`, in seconds (SPEC §5: 300 s). */
export const BILLING_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Computes the `v1` signature: hex HMAC-SHA256(secret, `${t}.${rawBody}`). */
export function signBillingPayload(secret: string, timestampSeconds: number, rawBody: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret).update(`${timestampSeconds}.`, 'utf8');
  return (typeof rawBody === 'string' ? hmac.update(rawBody, 'utf8') : hmac.update(rawBody)).digest('hex');
}

/** Builds a complete `Tickler-Signature` header value (for billing systems, tests and the bench). */
export function createBillingSignatureHeader(secret: string, timestampSeconds: number, rawBody: string | Uint8Array): string {
  return `t=${timestampSeconds},v1=${signBillingPayload(secret, timestampSeconds, rawBody)}`;
}

function parseHeader(header: string): { t: number; v1: string[] } | null {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return null;
      t = Number(value);
    } else if (key === 'v1') {
      v1.push(value);
    }
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

function equalHex(expectedHex: string, givenHex: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(givenHex)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(givenHex.toLowerCase(), 'hex'));
}

/**
 * Verifies a `Tickler-Signature: t=<unix seconds>,v1=<hex>` header over the exact raw body.
 * Several `v1` entries are allowed (the sender may sign with a new and an old secret); one match
 * suffices. Comparison is constant-time. `toleranceSeconds` (default 300) bounds |now − t|.
 */
export function verifyBillingSignature(input: {
  header: string | undefined | null;
  /** The body's exact bytes (a string is taken as its UTF-8 bytes). */
  rawBody: string | Uint8Array;
  secret: string;
  now: Date;
  toleranceSeconds?: number;
}): BillingSignatureCheck {
  const { header, rawBody, secret, now } = input;
  const tolerance = input.toleranceSeconds ?? BILLING_SIGNATURE_TOLERANCE_SECONDS;
  if (header === undefined || header === null || header.trim() === '') {
    return { ok: false, code: 'missing_signature', message: 'The Tickler-Signature header is missing.' };
  }
  const parsed = parseHeader(header);
  if (!parsed) {
    return { ok: false, code: 'malformed_signature', message: 'The Tickler-Signature header must look like "t=<unix seconds>,v1=<hex HMAC-SHA256>".' };
  }
  const ageSeconds = Math.abs(now.getTime() / 1000 - parsed.t);
  if (ageSeconds > tolerance) {
    return { ok: false, code: 'stale_timestamp', message: `The signature timestamp is ${Math.round(ageSeconds)} s away from now; at most ${tolerance} s are accepted.` };
  }
  const expected = signBillingPayload(secret, parsed.t, rawBody);
  if (!parsed.v1.some((given) => equalHex(expected, given))) {
    return { ok: false, code: 'bad_signature', message: 'The Tickler-Signature does not match the request body.' };
  }
  return { ok: true, timestamp: parsed.t };
}

// ---------------------------------------------------------------- parsing

export const BILLING_EVENT_TYPES = ['order.upserted', 'order.cancelled'] as const;

/** What `order.upserted` carries, normalized (email lower-cased, zone canonical). */
export type OrderUpsertData = OrderExpiries & {
  orderId: string;
  organization: Organization;
  product: string;
  purchaserEmail: string;
  purchaserName: string | null;
};

export type BillingEvent =
  | { id: string; type: 'order.upserted'; occurredAt: Date; data: OrderUpsertData }
  | { id: string; type: 'order.cancelled'; occurredAt: Date; data: { orderId: string } };

export type BillingEventParse =
  | { ok: true; event: BillingEvent }
  | { ok: false; code: 'invalid_payload' | 'unknown_event_type' | 'occurred_at_in_future'; field: string; message: string };

/** Default of how far `occurredAt` may be ahead of the receiver's clock, ms (5 minutes; BILLING_MAX_CLOCK_SKEW). */
export const BILLING_MAX_CLOCK_SKEW_MS = 5 * 60_000;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
/** Order and organization ids end up in list ids, job ids and URLs: keep them plain. */
const identifier = z.string().regex(new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${MAX_ID_LENGTH - 1}}$`), `must be 1–${MAX_ID_LENGTH} letters, digits, ".", "_" or "-"`);
const calendarDate = z.string().refine(isIsoDate, 'must be a calendar date YYYY-MM-DD').nullable();

/** Zone names already found valid (bounded: only real zones get in); checking one costs ~80 µs. */
const validZones = new Map<string, string>();

function canonicalZone(tz: string): string {
  const known = validZones.get(tz);
  if (known) return known;
  const canonical = assertTimeZone(tz);
  if (validZones.size < 2000) validZones.set(tz, canonical);
  return canonical;
}

/** A string field normalized by `normalize`, whose thrown message becomes the field's issue. */
const normalizedBy = (normalize: (raw: string) => string) => z.string().transform((raw, ctx) => {
  try {
    return normalize(raw);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const timeZone = normalizedBy(canonicalZone);
const email = normalizedBy(normalizeEmail);

const envelope = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'must be 1–200 letters, digits, ".", "_", ":" or "-"'),
  occurredAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
};

/** One expiry date per reminder kind (`licenseExpiresOn`, …), each required and nullable. */
const expiryFields = Object.fromEntries(REMINDER_KINDS.map((kind) => [reminderKind(kind).expiryField, calendarDate])) as
  { [F in ExpiryField]: typeof calendarDate };

/** Optional BCP 47 tag (`de`, `de-AT`, `zh-Hans-CN`): well-formed, not necessarily shipped (SPEC §5: it then falls back). */
const localeTag = z.string().trim().max(35)
  .refine(isWellFormedLocale, 'must be a BCP 47 language tag such as "de", "de-AT", "ja" or "zh-CN"')
  .nullable().optional().transform((tag) => tag ?? null);

const upsertSchema = z.object({
  ...envelope,
  type: z.literal('order.upserted'),
  data: z.object({
    orderId: identifier,
    organization: z.object({ id: identifier, name: text(200), timeZone: timeZone.optional().default('UTC'), locale: localeTag }),
    product: text(200),
    ...expiryFields,
    purchaserEmail: email,
    purchaserName: z.string().trim().max(200).nullable().optional().transform((n) => (n ? n : null)),
  }),
});

const cancelSchema = z.object({ ...envelope, type: z.literal('order.cancelled'), data: z.object({ orderId: identifier }) });

function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field = issue.path.map(String).join('.') || '(body)';
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  // Messages of our own refinements end with a full stop already; zod's own do not.
  return { field, message: missing ? `${field} is required.` : `${field}: ${issue.message.replace(/[.!?]$/, '')}.` };
}

/** Whole minutes, or seconds below one minute, for messages. */
function describeMs(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)} min` : `${Math.ceil(ms / 1000)} s`;
}

/**
 * Refuses an event from the future. An order keeps the time of its last applied event and ignores
 * older ones, so one event dated (say) year 9999 would freeze the order, and its organization's
 * name and time zone, for good: `occurredAt` may lead `now` by at most `maxClockSkewMs`.
 */
function checkOccurredAt(event: BillingEvent, now: Date, maxClockSkewMs: number): BillingEventParse {
  const lead = event.occurredAt.getTime() - now.getTime();
  if (lead <= maxClockSkewMs) return { ok: true, event };
  return {
    ok: false, code: 'occurred_at_in_future', field: 'occurredAt',
    message: `occurredAt ${event.occurredAt.toISOString()} is ${describeMs(lead)} ahead of the receiver's clock (${now.toISOString()}); `
      + `at most ${describeMs(maxClockSkewMs)} is accepted. Check the sender's clock.`,
  };
}

/**
 * Parses a billing event (already JSON-decoded). Refusals name the offending field with its dotted
 * path (`data.licenseExpiresOn`). Dates must be real calendar dates, the time zone an IANA zone
 * (default UTC), the purchaser email valid (it is normalized). With `clock`, an `occurredAt` more
 * than `clock.maxClockSkewMs` (default 5 minutes) after `clock.now` is refused too.
 */
/** How deep a billing event's JSON may nest (the event itself needs 3 levels; unknown extra fields are kept, so they are bounded too). */
const MAX_BODY_DEPTH = 32;

/**
 * The top-level key under which `body` nests deeper than `limit` levels, or null. Iterative: a
 * body nested 100,000 deep (which JSON.parse accepts) must not overflow the stack here, nor later
 * in canonicalJson.
 */
function keyNestedTooDeep(body: Record<string, unknown>, limit: number): string | null {
  for (const key of Object.keys(body)) {
    const stack: Array<[unknown, number]> = [[body[key], 2]];
    while (stack.length > 0) {
      const [value, depth] = stack.pop()!;
      if (value === null || typeof value !== 'object') continue;
      if (depth > limit) return key;
      for (const child of Object.values(value as object)) stack.push([child, depth + 1]);
    }
  }
  return null;
}

export function parseBillingEvent(json: unknown, clock?: { now: Date; maxClockSkewMs?: number }): BillingEventParse {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: 'invalid_payload', field: '(body)', message: 'The body must be a JSON object.' };
  }
  const tooDeep = keyNestedTooDeep(json as Record<string, unknown>, MAX_BODY_DEPTH);
  if (tooDeep !== null) {
    return { ok: false, code: 'invalid_payload', field: tooDeep, message: `${tooDeep} nests more than ${MAX_BODY_DEPTH} levels deep; a billing event needs far fewer.` };
  }
  const type = (json as { type?: unknown }).type;
  const schema = type === 'order.upserted' ? upsertSchema : type === 'order.cancelled' ? cancelSchema : null;
  if (schema === null) {
    const given = typeof type === 'string' ? `"${type.slice(0, 100)}"` : type === undefined ? 'missing' : `not text (${type === null ? 'null' : typeof type})`;
    return { ok: false, code: 'unknown_event_type', field: 'type', message: `type is ${given}; expected one of ${BILLING_EVENT_TYPES.join(', ')}.` };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const first = result.error.issues[0];
    const { field, message } = first ? describeIssue(first) : { field: '(body)', message: 'The body is not a valid billing event.' };
    return { ok: false, code: 'invalid_payload', field, message };
  }
  const event = result.data as BillingEvent;
  return clock ? checkOccurredAt(event, clock.now, clock.maxClockSkewMs ?? BILLING_MAX_CLOCK_SKEW_MS) : { ok: true, event };
}
