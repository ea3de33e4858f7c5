/**
 * Portal calls carry `Authorization: Bearer $PORTAL_API_KEY` (401 otherwise) and
 * `X-Acting-User: <email>` naming the signed-in user whose rights are checked (401 when missing,
 * 400 when not an email address). The acting user's normalized address is put on the request.
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
    try {
      request.actingUser = normalizeEmail(raw);
    } catch {
      return sendError(reply, 400, 'invalid_acting_user', 'X-Acting-User is not a valid email address.');
    }
  });
}
