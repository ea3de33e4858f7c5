export { makeHttpServer, type HttpServerDeps } from './server';
export type { HttpConfig, HttpDeps } from './deps';
export {
  DEFAULT_RATE_LIMITS, makeMemoryRateLimiter, type RateDecision, type RateLimiter, type RateLimitRule, type RateLimits,
} from './rate-limit/rate-limiter';
export { makeRedisRateLimiter } from './rate-limit/redis-rate-limiter';
export { makeFetchText, FetchTextError, type FetchTextOptions } from './fetch-text';
export { checkPageCatalogs } from './pages/i18n';
