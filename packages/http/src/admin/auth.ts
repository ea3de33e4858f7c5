/**
 * Admin authentication: `Authorization: Bearer $ADMIN_TOKEN`. Browsers (the BullMQ dashboard) can
 * also use HTTP Basic with the token as password, or open `/admin/queues?token=…` once: that answers
 * with a redirect to the same page without the token and a session cookie (see session.ts; a link
 * clicked on another site gets a page that moves on by itself instead, see makeAdminAuth) —
 * HttpOnly, SameSite=Strict, scoped to /admin, `Secure` when PUBLIC_BASE_URL is https, valid 12 h.
 * The cookie never holds the token. Token comparison is constant-time.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sendError } from '../errors';
import { queryText, readQuery } from '../query';
import { sameSecret } from '../same-secret';
import { ADMIN_SESSION_TTL_MS, createAdminSession, verifyAdminSession } from './session';

const ADMIN_COOKIE = 'tickler_admin';

export interface AdminAuthOptions {
  adminToken: string;
  /** PUBLIC_BASE_URL: the cookie is `Secure` when it is https. */
  publicBaseUrl: string;
  now: () => Date;
}

type Credential = { via: 'bearer' | 'basic' | 'query'; token: string } | { via: 'cookie'; session: string };

const tokenQuery = z.object({ token: queryText().optional() });

/** The raw value of our cookie (no decoding: a session value is plain base64url and dots). */
function cookieValue(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === ADMIN_COOKIE) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The credential the request presents, if any (undefined: the query was refused and answered). */
function presented(request: FastifyRequest, reply: FastifyReply): Credential | null | undefined {
  const auth = request.headers.authorization ?? '';
  if (/^bearer /i.test(auth)) return { token: auth.slice(7).trim(), via: 'bearer' };
  if (/^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    return { token: decoded.slice(decoded.indexOf(':') + 1), via: 'basic' };
  }
  const query = readQuery(tokenQuery, request, reply);
  if (query === null) return undefined;
  if (query.token) return { token: query.token, via: 'query' };
  const session = cookieValue(request.headers.cookie);
  return session === null ? null : { session, via: 'cookie' };
}

function sessionCookie(value: string, secure: boolean, maxAgeSeconds: number): string {
  return `${ADMIN_COOKIE}=${value}; Path=/admin; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The URL without its `token` parameter, for the redirect after a `?token=` sign-in. */
function withoutToken(rawUrl: string): string {
  const url = new URL(rawUrl, 'http://admin.invalid');
  url.searchParams.delete('token');
  return `${url.pathname}${url.search}`;
}

/** The page that moves a browser signed in from another site's link on to `target` (same-site). */
function signedInPage(target: string): string {
  const href = target.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>Signed in</title></head>`
    + `<body><p>Signed in. <a href="${href}">Continue to the admin page</a>.</p></body></html>`;
}

/** Why a credential fails, as the sentence of the 401. */
function refusal(cred: Credential | null, options: AdminAuthOptions): string | null {
  if (!cred) return 'Admin routes need Authorization: Bearer <ADMIN_TOKEN>.';
  if (!options.adminToken) return 'Admin routes are disabled: ADMIN_TOKEN is not set.';
  if (cred.via !== 'cookie') return sameSecret(cred.token, options.adminToken) ? null : 'The admin token is not valid.';
  const check = verifyAdminSession(options.adminToken, cred.session, options.now());
  if (check.ok) return null;
  return check.reason === 'expired'
    ? 'The admin session has expired; sign in again with ADMIN_TOKEN.'
    : `The admin session cookie is not valid (${check.reason}); sign in again with ADMIN_TOKEN.`;
}

/** An onRequest hook refusing requests without valid admin credentials (401 JSON). */
export function makeAdminAuth(options: AdminAuthOptions) {
  const secure = new URL(options.publicBaseUrl).protocol === 'https:';
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const cred = presented(request, reply);
    if (cred === undefined) return;
    const problem = refusal(cred, options);
    if (problem === null) {
      if (cred?.via !== 'query') return;
      // Signed in from a link: hand the browser a session and drop the token from its address bar and history.
      reply.header('set-cookie', sessionCookie(createAdminSession(options.adminToken, options.now()), secure, ADMIN_SESSION_TTL_MS / 1000));
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const target = withoutToken(request.url);
      // A link clicked on another site (a runbook, a chat): a redirect would still belong to that
      // cross-site navigation, and the browser would withhold the SameSite=Strict cookie it just
      // got. A page that moves on by itself starts a navigation from this site, which carries it.
      if (request.headers['sec-fetch-site'] === 'cross-site') {
        await reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
          .send(signedInPage(target));
        return;
      }
      await reply.code(303).header('location', target).send();
      return;
    }
    request.log.info({ via: cred?.via ?? 'none' }, 'admin request refused');
    if (cred?.via === 'cookie') reply.header('set-cookie', sessionCookie('', secure, 0));
    if ((request.headers.accept ?? '').includes('text/html')) reply.header('www-authenticate', 'Basic realm="Tickler admin", charset="UTF-8"');
    await sendError(reply, 401, 'unauthorized', problem);
  };
}
