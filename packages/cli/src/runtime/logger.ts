import pino, { type Logger } from 'pino';
import type { Env } from '../env';

/**
 * Long-lived roles log JSON to stdout; one-shot commands log to stderr so their tables on stdout
 * stay clean for pipes.
 */
export function makeLogger(env: Pick<Env, 'logLevel'>, stream: 'stdout' | 'stderr' = 'stdout', name = 'tickler'): Logger {
  return pino({ name, level: env.logLevel ?? (stream === 'stdout' ? 'info' : 'warn') }, pino.destination({ fd: stream === 'stdout' ? 1 : 2, sync: true }));
}
