export { makeHttpServer, type HttpServerDeps } from './server';
export type { HttpConfig, HttpDeps } from './deps';
