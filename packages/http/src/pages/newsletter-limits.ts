/**
 * The newsletter sign-up's abuse limits (each accepted sign-up mails someone): per client network
 * and per email address, counted in the shared limiter before anything is stored or sent.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from '../deps';
import { clientNetwork, DEFAULT_RATE_LIMITS, hashedKey, retryAfterSeconds } from '../rate-limit/rate-limiter';
import { waitInWords, type PageLanguage } from './i18n';

/** A refusal to show on the form: status, sentence, and the Retry-After it was sent with. */
export interface SignupRefusal { status: 429 | 503; problem: string }

/** How long a client is asked to wait when the limiter cannot be asked. */
const UNAVAILABLE_RETRY_S = 60;

/**
 * Counts one sign-up of `email` from this request's client; null when within both limits, else the
 * refusal (its Retry-After header already set on `reply`). Fails closed: no limiter, no sign-up.
 */
export async function checkSignupLimits(
  deps: HttpDeps, request: FastifyRequest, reply: FastifyReply, email: string, { locale, t }: PageLanguage,
): Promise<SignupRefusal | null> {
  const limits = { ...DEFAULT_RATE_LIMITS, ...deps.config.rateLimits };
  const checks = [
    { limit: 'ip', key: `newsletter:ip:${clientNetwork(request.ip)}`, rule: limits.newsletterPerIp, message: 'newsletter.tooManyNetwork' },
    { limit: 'address', key: `newsletter:address:${hashedKey(email)}`, rule: limits.newsletterPerAddress, message: 'newsletter.tooManyAddress' },
  ];
  try {
    for (const check of checks) {
      const decision = await deps.rateLimiter.hit(check.key, check.rule, deps.now());
      if (decision.ok) continue;
      const seconds = retryAfterSeconds(decision.retryAfterMs);
      reply.header('retry-after', String(seconds));
      request.log.info({ limit: check.limit, retryAfterSeconds: seconds }, 'newsletter subscription refused: rate limit');
      return { status: 429, problem: t(check.message, { wait: waitInWords(locale, seconds) }) };
    }
    return null;
  } catch (error) {
    request.log.error({ err: (error as Error).message }, 'newsletter subscription refused: rate limiter unavailable');
    reply.header('retry-after', String(UNAVAILABLE_RETRY_S));
    return { status: 503, problem: t('newsletter.unavailable') };
  }
}
