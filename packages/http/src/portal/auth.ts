/**
 * Portal calls carry `Authorization: Bearer $PORTAL_API_KEY` (401 otherwise) and
 * `X-Acting-User: <email>` naming the signed-in user whose rights are checked (401 when missing,
 * 400 when not an email address). The acting user's normalized address is put on the request.
 * An address with non-ASCII characters may come as raw UTF-8 bytes (Node hands header bytes over as
 * latin1) or as punycode; both name the same user. Bytes that are not UTF-8 are refused (400).
 */
import { normalizeEmail } from '@tickler/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from '../errors';
import { sameSecret } from '../same-secret';

declare module 'fastify' {
  interface FastifyRequest {
    /** Normalized email of the portal's signed-in user (portal routes only). */
    actingUser: string;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A header value as the sender's UTF-8 text (Node decodes header bytes as latin1); null when the bytes are not UTF-8. */
export function headerText(value: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return null;
  }
}

function bearer(request: FastifyRequest): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? null;
}

export function requirePortalCaller(app: FastifyInstance, portalApiKey: string): void {
  app.decorateRequest('actingUser', '');
  app.addHook('onRequest', async (request, reply) => {
    const key = bearer(request);
    if (key === null || !sameSecret(key, portalApiKey)) {
      request.log.warn({ route: request.routeOptions.url }, 'portal call refused: credentials');
      return sendError(reply, 401, 'unauthorized', 'Send Authorization: Bearer <PORTAL_API_KEY>.');
    }
    const header = request.headers['x-acting-user'];
    const raw = Array.isArray(header) ? header[0] : header;
    if (!raw || raw.trim() === '') {
      return sendError(reply, 401, 'acting_user_required', 'Send X-Acting-User: <email of the signed-in user>.');
    }
    const text = headerText(raw);
    try {
      if (text === null) throw new Error('not UTF-8');
      request.actingUser = normalizeEmail(text);
    } catch {
      return sendError(reply, 400, 'invalid_acting_user', 'X-Acting-User is not a valid email address (send it as UTF-8 or with its domain in punycode).');
    }
  });
}
