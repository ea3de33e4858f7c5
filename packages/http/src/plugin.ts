import type { FastifyPluginAsync } from 'fastify';
import type { HttpDeps } from './deps';

/** Every route group is a fastify plugin whose options are the edge's dependencies (`app.register(x, deps)`). */
export type RoutesPlugin = FastifyPluginAsync<HttpDeps>;
