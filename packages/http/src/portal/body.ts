import { normalizeEmail } from '@tickler/domain';
import { z } from 'zod';

export type EmailInput = { ok: true; email: string } | { ok: false; code: string; message: string; field: string };

const emailBody = z.object({ email: z.string() });

/** Reads `{ email }` from a JSON body; refusals name the field. */
export function readEmailBody(body: unknown): EmailInput {
  const parsed = emailBody.safeParse(body);
  if (!parsed.success) return { ok: false, code: 'invalid_body', message: 'The body must be JSON like {"email": "ann@acme.com"}.', field: 'email' };
  return readEmail(parsed.data.email);
}

/** Normalizes an address from a body or path; refusals are `invalid_email`. */
export function readEmail(raw: string): EmailInput {
  try {
    return { ok: true, email: normalizeEmail(raw) };
  } catch (error) {
    return { ok: false, code: 'invalid_email', message: (error as Error).message, field: 'email' };
  }
}
