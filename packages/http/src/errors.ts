import { isStoreUnavailable } from '@tickler/db';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** Retry-After of a 503 for an unavailable database, seconds. */
const STORE_RETRY_AFTER_SECONDS = 30;

/** SPEC §5 error body: a stable code and a sentence a person can act on. */
export interface ErrorBody { error: string; message: string; field?: string }

/** Answers with the SPEC error JSON. */
export function sendError(reply: FastifyReply, status: number, error: string, message: string, field?: string): FastifyReply {
  const body: ErrorBody = field === undefined ? { error, message } : { error, message, field };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

const KNOWN: Record<number, { error: string; message: string }> = {
  400: { error: 'bad_request', message: 'The request could not be read.' },
  413: { error: 'payload_too_large', message: 'The request body is larger than this endpoint accepts.' },
  415: { error: 'unsupported_media_type', message: 'This endpoint does not accept that Content-Type.' },
};

/**
 * Turns framework errors (body too large, bad JSON, wrong content type) into SPEC error JSON; a
 * database that cannot take the call (full disk, read-only, locked) into 503 with Retry-After;
 * anything else is a surprise: logged at error, answered 500 without details.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    request.log.info({ route: request.routeOptions.url, code: error.code, status }, 'request refused');
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError) {
      return sendError(reply, 400, 'invalid_json', 'The body is not valid JSON.');
    }
    const known = KNOWN[status] ?? { error: 'bad_request', message: error.message };
    const limit = request.routeOptions.bodyLimit;
    if (status === 413 && limit) return sendError(reply, 413, known.error, `The request body is larger than this endpoint accepts (at most ${Math.floor(limit / 1024)} KiB).`);
    return sendError(reply, status, known.error, status === 400 ? error.message : known.message);
  }
  if (isStoreUnavailable(error)) {
    // Nothing was stored: a 5xx makes the sender (billing system, SNS, a browser) try again.
    request.log.error({ err: error, route: request.routeOptions.url }, 'request failed: the database is unavailable');
    reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    return sendError(reply, 503, 'database_unavailable', 'The database cannot take this request right now, and nothing was stored; please retry later.');
  }
  request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
  return sendError(reply, 500, 'internal_error', 'Something went wrong on our side; please try again later.');
}
