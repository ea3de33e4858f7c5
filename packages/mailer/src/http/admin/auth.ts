/**
 * Admin authentication: `Authorization: Bearer $ADMIN_TOKEN`. Browsers (the BullMQ dashboard) can
 * also use HTTP Basic with the token as password, or open `/admin/queues?token=…` once, which sets
 * an HttpOnly, SameSite=Strict cookie scoped to /admin. Comparison is constant-time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const ADMIN_COOKIE = 'tickler_admin';

function same(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function cookieValue(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === ADMIN_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** The credential the request presents, if any. */
function presented(request: FastifyRequest): { token: string; via: 'bearer' | 'basic' | 'cookie' | 'query' } | null {
  const auth = request.headers.authorization ?? '';
  if (/^bearer /i.test(auth)) return { token: auth.slice(7).trim(), via: 'bearer' };
  if (/^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    return { token: decoded.slice(decoded.indexOf(':') + 1), via: 'basic' };
  }
  const query = (request.query as Record<string, unknown> | undefined)?.token;
  if (typeof query === 'string' && query) return { token: query, via: 'query' };
  const cookie = cookieValue(request.headers.cookie);
  return cookie ? { token: cookie, via: 'cookie' } : null;
}

/** An onRequest hook refusing requests without the admin token (401 JSON). */
export function makeAdminAuth(adminToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const cred = presented(request);
    if (adminToken && cred && same(cred.token, adminToken)) {
      if (cred.via === 'query') reply.header('set-cookie', `${ADMIN_COOKIE}=${encodeURIComponent(cred.token)}; Path=/admin; HttpOnly; SameSite=Strict`);
      return;
    }
    const wantsHtml = (request.headers.accept ?? '').includes('text/html');
    if (wantsHtml) reply.header('www-authenticate', 'Basic realm="Tickler admin", charset="UTF-8"');
    await reply.code(401).send({
      error: 'unauthorized',
      message: cred ? 'The admin token is not valid.' : 'Admin routes need Authorization: Bearer <ADMIN_TOKEN>.',
    });
  };
}
