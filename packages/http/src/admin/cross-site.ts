/**
 * CSRF for the admin's HTML forms: the admin cookie is SameSite=Strict, so another site's form
 * carries no session; a browser may still attach remembered HTTP Basic credentials, so a POST whose
 * `Origin` is neither this host nor PUBLIC_BASE_URL's, or that the browser marks
 * `Sec-Fetch-Site: cross-site`, is refused before anything is done.
 */
import type { FastifyRequest } from 'fastify';

/** True when the browser says the request comes from another site. */
export function crossSite(request: FastifyRequest, publicBaseUrl: string): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  try {
    const host = new URL(origin).host;
    return host !== request.headers.host && host !== new URL(publicBaseUrl).host;
  } catch {
    return true;
  }
}
