/**
 * Answers to requests that reach no handler: an unknown path (404), or a URL the router refuses
 * before routing — a path segment over `maxParamLength` (414) or a malformed %-escape (400).
 * Fastify's own answers to the latter echo the URL, and recipient URLs carry tokens, so every one
 * of these is answered here: the neutral "not valid" page under recipient-page paths (a person
 * clicked a damaged link), the SPEC error JSON elsewhere; neither repeats any part of the URL.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from './deps';
import { sendError } from './errors';
import { sendInvalidLink } from './pages/common';

/** Path prefixes of the pages a recipient opens from an email (SPEC §5); each ends in a token. */
const RECIPIENT_PAGES = ['/u/', '/preferences/', '/invitations/', '/newsletter/confirm/'];

function isRecipientPage(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return RECIPIENT_PAGES.some((prefix) => path.startsWith(prefix));
}

/** Fastify `setNotFoundHandler`: the "not valid" page for a damaged recipient link (e.g. a trailing "/"), else 404 JSON. */
export function makeNotFoundHandler(deps: HttpDeps) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (isRecipientPage(request.url)) return sendInvalidLink(reply, deps, 404);
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
