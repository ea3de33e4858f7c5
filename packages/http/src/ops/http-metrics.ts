/**
 * `tickler_http_responses_total{method,route,status}`: every answer of the edge, so refused webhooks
 * (401 after a secret mismatch, 400s) and 503s show on a dashboard, not only in the logs.
 *
 * `route` is the route's pattern (`/u/:token`), never the URL: recipient URLs carry tokens and
 * portal URLs addresses, and a label per URL would also grow without bound. Requests no route took
 * (unknown paths, URLs the router refused) share one label, `(none)`, as in the request log.
 */
import type { FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';

/** The route label (and the request log's `route`): the matched pattern, or `(none)`. */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? '(none)';
}

/** Registers the counter on `registry`; the returned function counts one answer. */
export function makeResponseCounter(registry: Registry): (request: FastifyRequest, status: number) => void {
  const responses = new Counter({
    name: 'tickler_http_responses_total',
    help: 'HTTP answers of this edge process by method, route pattern (never the URL) and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  return (request, status) => responses.inc({ method: request.method, route: routeLabel(request), status: String(status) });
}
