/**
 * Answers to requests that reach no handler: an unknown path (404), a known path asked with a
 * method it does not serve (405 with `Allow`, e.g. `GET /webhooks/billing`), or a URL the router refuses
 * before routing — a path segment over `maxParamLength` (414) or a malformed %-escape (400).
 * Fastify's own answers to the latter echo the URL, and recipient URLs carry tokens, so every one
 * of these is answered here: the neutral "not valid" page under recipient-page paths (a person
 * clicked a damaged link), the SPEC error JSON elsewhere; neither repeats any part of the URL.
 * A browser (it asks for `text/html`) is not shown JSON where a person can land: a form's result
 * URL opened again (a reload from history, a new tab) goes back to the form (303), and a path no
 * page has gets a "not found" page. API clients get the JSON as before.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from './deps';
import { sendError } from './errors';
import { sendInvalidLink, sendNotFoundPage } from './pages/common';

/** Path prefixes of the pages a recipient opens from an email (SPEC §5); each ends in a token. */
const RECIPIENT_PAGES = ['/u/', '/preferences/', '/invitations/', '/newsletter/confirm/'];

function isRecipientPage(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return RECIPIENT_PAGES.some((prefix) => path.startsWith(prefix));
}

/** The URLs a browser only reaches by posting a form, and the form's own page. */
const FORM_RESULTS: ReadonlyMap<string, string> = new Map([['/newsletter/subscriptions', '/newsletter']]);

/** Machine interfaces: the SPEC error JSON, whatever the client accepts. */
const MACHINE_PREFIXES = ['/api/', '/webhooks/'];

/** A browser navigating (its `Accept` names `text/html`), outside the machine interfaces. */
function isBrowserNavigation(request: FastifyRequest, path: string): boolean {
  const accept = request.headers.accept ?? '';
  return /(^|[\s,])text\/html\b/i.test(accept) && !MACHINE_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/** The methods each path is served with; call before any route is registered. */
export type RouteMethods = (path: string) => string[];

/** Collects every route as it registers (`onRoute`), so an unrouted request can be told which methods its path has. */
export function trackRouteMethods(app: FastifyInstance): RouteMethods {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    const source = route.url.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
    routes.push({ pattern: new RegExp(`^${source}$`), methods: [route.method].flat() });
  });
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
}

/**
 * Fastify `setNotFoundHandler`: a browser's GET of a form's result URL goes back to the form (303);
 * 405 with `Allow` for a path served with other methods; the "not valid" page for a damaged
 * recipient link (e.g. a trailing "/"); a "not found" page for a browser; else 404 JSON.
 */
export function makeNotFoundHandler(deps: HttpDeps, methodsOf: RouteMethods) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?', 1)[0] ?? '';
    const browser = isBrowserNavigation(request, path);
    const form = FORM_RESULTS.get(path);
    if (browser && form && (request.method === 'GET' || request.method === 'HEAD')) return reply.redirect(form, 303);
    const allowed = methodsOf(path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(reply, 405, 'method_not_allowed', `${request.method} is not served here; this path takes ${allowed.join(', ')}.`);
    }
    if (isRecipientPage(request.url)) return sendInvalidLink(reply, deps, 404);
    if (browser) return sendNotFoundPage(reply, deps);
    return sendError(reply, 404, 'not_found', `There is no ${request.method} route here.`);
  };
}

/** Fastify `frameworkErrors`: what the router refuses before any route or hook runs. */
export function makeFrameworkErrorHandler(deps: HttpDeps) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    request.log.info({ code: error.code, status: error.statusCode }, 'request refused by the router');
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH' || error.code === 'FST_ERR_BAD_URL') {
      if (isRecipientPage(request.url)) {
        void sendInvalidLink(reply, deps, 400);
        return;
      }
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        void sendError(reply, 414, 'uri_too_long', 'A part of the path is longer than this server accepts.');
        return;
      }
      void sendError(reply, 400, 'bad_url', 'The path is not a valid URL (a %-escape is malformed).');
      return;
    }
    request.log.error({ code: error.code }, 'request failed in the router');
    void sendError(reply, 500, 'internal_error', 'Something went wrong on our side; please try again later.');
  };
}
