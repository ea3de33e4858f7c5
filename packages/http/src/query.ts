/**
 * Query strings, validated like bodies: each route that reads its query parses it with a zod schema
 * here. fastify hands a repeated parameter (`?orderId=a&orderId=b`) over as an array, and a handler
 * that expects text then fails; here it is a 400 naming the parameter instead.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sendError } from './errors';

/** One text value of a query parameter; a repeated parameter is refused. */
export function queryText(): z.ZodString {
  return z.string({
    error: (issue) => (Array.isArray(issue.input) ? 'may be given only once' : issue.input === undefined ? 'is required' : 'must be text'),
  });
}

/**
 * Parses `request.query` with `schema`; on failure answers 400 `invalid_query` naming the first bad
 * parameter (in `message` and `field`) and returns null. Parameters the schema does not name are ignored.
 */
export function readQuery<S extends z.ZodType>(schema: S, request: FastifyRequest, reply: FastifyReply): z.infer<S> | null {
  const parsed = schema.safeParse(request.query ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? String(issue.path[0]) : 'query';
  void sendError(reply, 400, 'invalid_query', `Query parameter "${field}" ${issue?.message ?? 'is not valid'}.`, field);
  return null;
}
