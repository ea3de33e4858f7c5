/**
 * Webhook bodies as the sender sent them. Signatures are computed over the exact bytes, so bodies
 * arrive as a Buffer whatever the Content-Type (over `bodyLimit` bytes: 413, naming the limit), and
 * are decoded as UTF-8 only after the signature matched: a sender whose secret is right but whose
 * body is Latin-1, or compressed, is told that — not that its signature is wrong.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../errors';

export function acceptRawBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
}

/** The raw body (empty when there was none). */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as UTF-8 text (a leading byte-order mark dropped), or null when its bytes are not UTF-8. */
export function utf8Text(raw: Buffer): string | null {
  try {
    return utf8.decode(raw);
  } catch {
    return null;
  }
}

/** Answers 400 for a body that is not UTF-8. */
export function refuseNotUtf8(reply: FastifyReply): FastifyReply {
  return sendError(reply, 400, 'invalid_encoding', 'The body is not UTF-8 text; send the JSON encoded as UTF-8.');
}

/**
 * Answers 415 for a body with a Content-Encoding (gzip, br, …): the edge does not decode bodies,
 * and a signature over the uncompressed JSON could never match. Null when the body is plain.
 */
export function refuseContentEncoding(request: FastifyRequest, reply: FastifyReply): FastifyReply | null {
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return null;
  return sendError(reply, 415, 'unsupported_content_encoding', `Content-Encoding ${encoding.slice(0, 40)} is not accepted here; send the body uncompressed.`);
}
