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

/** The sign-up's counted hits: `release` takes them back when the sign-up was not stored after all. */
export interface SignupHits { release: () => Promise<void> }

/**
 * Counts one sign-up of `email` from this request's client: the hits (to release if the sign-up is
 * then not stored), or the refusal (its Retry-After header already set on `reply`); a refusal by
 * one limit takes back the hit the other limit counted. Fails closed: no limiter, no sign-up.
 */
export async function checkSignupLimits(
  deps: HttpDeps, request: FastifyRequest, reply: FastifyReply, email: string, { locale, t }: PageLanguage,
): Promise<SignupRefusal | SignupHits> {
  const limits = { ...DEFAULT_RATE_LIMITS, ...deps.config.rateLimits };
  const checks = [
    { limit: 'ip', key: `newsletter:ip:${clientNetwork(request.ip)}`, rule: limits.newsletterPerIp, message: 'newsletter.tooManyNetwork' },
    { limit: 'address', key: `newsletter:address:${hashedKey(email)}`, rule: limits.newsletterPerAddress, message: 'newsletter.tooManyAddress' },
  ];
  const counted: Array<() => Promise<void>> = [];
  const release = async () => {
    await Promise.all(counted.map((undo) => undo().catch((error: unknown) => {
      request.log.warn({ err: (error as Error).message }, 'newsletter sign-up: a counted hit could not be taken back');
    })));
  };
  try {
    for (const check of checks) {
      const decision = await deps.rateLimiter.hit(check.key, check.rule, deps.now());
      if (decision.ok) {
        counted.push(decision.release);
        continue;
      }
      await release();
      const seconds = retryAfterSeconds(decision.retryAfterMs);
      reply.header('retry-after', String(seconds));
      request.log.info({ limit: check.limit, retryAfterSeconds: seconds }, 'newsletter subscription refused: rate limit');
      return { status: 429, problem: t(check.message, { wait: waitInWords(locale, seconds) }) };
    }
    return { release };
  } catch (error) {
    await release();
    request.log.error({ err: (error as Error).message }, 'newsletter subscription refused: rate limiter unavailable');
    reply.header('retry-after', String(UNAVAILABLE_RETRY_S));
    return { status: 503, problem: t('newsletter.unavailable') };
  }
}
