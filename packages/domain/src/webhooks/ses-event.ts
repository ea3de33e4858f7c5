/**
 * SES feedback events as delivered inside an SNS Notification's `Message`. Both shapes are
 * accepted: SES notifications (`notificationType`) and configuration-set event publishing
 * (`eventType`). Only what Tickler acts on is kept.
 */
import { z } from 'zod';
import { normalizeEmail } from '../email';

export type SesEvent =
  | { type: 'bounce'; messageId: string; bounceType: 'permanent' | 'transient' | 'undetermined'; subType: string | null; recipients: string[] }
  | { type: 'complaint'; messageId: string; feedbackType: string | null; recipients: string[] }
  | { type: 'delivery'; messageId: string; recipients: string[] }
  | { type: 'other'; messageId: string | null; eventType: string };

export type SesEventParse = { ok: true; event: SesEvent } | { ok: false; field: string; message: string };

const mail = z.object({ messageId: z.string().min(1).max(200) });
const address = z.object({ emailAddress: z.string().min(1) });
const bounce = z.object({
  mail,
  bounce: z.object({ bounceType: z.string(), bounceSubType: z.string().optional(), bouncedRecipients: z.array(address).min(1) }),
});
const complaint = z.object({
  mail,
  complaint: z.object({ complaintFeedbackType: z.string().optional(), complainedRecipients: z.array(address).min(1) }),
});
const delivery = z.object({ mail, delivery: z.object({ recipients: z.array(z.string()).default([]) }) });

/** Normalized addresses; an SES address like `"Ann" <ann@x.com>` is reduced to its address, unparsable ones dropped. */
function addresses(raw: string[]): string[] {
  const out = new Set<string>();
  for (const entry of raw) {
    const angle = /<([^>]+)>/.exec(entry);
    try {
      out.add(normalizeEmail(angle?.[1] ?? entry));
    } catch {
      // An address SES reports but we cannot read is not one we ever sent to.
    }
  }
  return [...out];
}

function fail(error: z.ZodError): SesEventParse {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || '(message)';
  return { ok: false, field, message: `${field}: ${issue?.message ?? 'invalid SES event'}.` };
}

const BOUNCE_TYPES = { Permanent: 'permanent', Transient: 'transient', Undetermined: 'undetermined' } as const;

/** Parses an SES event from the Notification's `Message` text (JSON). Unknown event types are `other`. */
export function parseSesEvent(messageJson: string): SesEventParse {
  let json: unknown;
  try {
    json = JSON.parse(messageJson);
  } catch {
    return { ok: false, field: 'Message', message: 'Message is not JSON.' };
  }
  if (typeof json !== 'object' || json === null) return { ok: false, field: 'Message', message: 'Message is not a JSON object.' };
  const record = json as { notificationType?: unknown; eventType?: unknown; mail?: { messageId?: unknown } };
  const kind = record.notificationType ?? record.eventType;
  if (typeof kind !== 'string') return { ok: false, field: 'notificationType', message: 'notificationType (or eventType) is required.' };
  if (kind === 'Bounce') {
    const parsed = bounce.safeParse(json);
    if (!parsed.success) return fail(parsed.error);
    const b = parsed.data.bounce;
    const bounceType = BOUNCE_TYPES[b.bounceType as keyof typeof BOUNCE_TYPES] ?? 'undetermined';
    const recipients = addresses(b.bouncedRecipients.map((r) => r.emailAddress));
    return { ok: true, event: { type: 'bounce', messageId: parsed.data.mail.messageId, bounceType, subType: b.bounceSubType ?? null, recipients } };
  }
  if (kind === 'Complaint') {
    const parsed = complaint.safeParse(json);
    if (!parsed.success) return fail(parsed.error);
    const c = parsed.data.complaint;
    const recipients = addresses(c.complainedRecipients.map((r) => r.emailAddress));
    return { ok: true, event: { type: 'complaint', messageId: parsed.data.mail.messageId, feedbackType: c.complaintFeedbackType ?? null, recipients } };
  }
  if (kind === 'Delivery') {
    const parsed = delivery.safeParse(json);
    if (!parsed.success) return fail(parsed.error);
    return { ok: true, event: { type: 'delivery', messageId: parsed.data.mail.messageId, recipients: addresses(parsed.data.delivery.recipients) } };
  }
  const messageId = typeof record.mail?.messageId === 'string' ? record.mail.messageId : null;
  return { ok: true, event: { type: 'other', messageId, eventType: kind.slice(0, 100) } };
}
