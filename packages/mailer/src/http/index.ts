export { makeHttpServer, type HttpServerDeps } from './server';
export type { HttpConfig, HttpDeps } from './deps';
export { makeFetchText, FetchTextError, type FetchTextOptions } from './fetch-text';
