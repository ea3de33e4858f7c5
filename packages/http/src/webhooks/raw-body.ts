import type { FastifyInstance } from 'fastify';

/**
 * Makes every body in this plugin scope arrive as the exact raw string (signatures are computed over
 * it), whatever the Content-Type; bodies over `bodyLimit` bytes are answered 413 by fastify.
 */
export function acceptRawBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body));
}
