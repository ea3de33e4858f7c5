/**
 * A graceful stop that ends. Every step of a stop has a deadline: the roles' Redis connections retry
 * forever (BullMQ needs that), so while Redis is down `quit()` waits behind the commands queued for
 * it and a worker's close waits for jobs that cannot be acknowledged; a PostgreSQL pool's `end()`
 * waits for a server that does not reply. A stop that waits on those never exits, and the operator's
 * second signal (exit 130) or SIGKILL cuts what was still finishing. Past its deadline a step is let
 * go: `force` drops what it holds (e.g. `disconnect()`), a warning names it, and the stop goes on, so
 * the process exits 0 (main.ts exits once the command returns, whatever handles are left).
 */
import type { Logger } from 'pino';

/** How long one connection (Redis, the database, the queues) may take to close, ms. */
export const CONNECTION_CLOSE_MS = 2000;

export interface CloseStep {
  /** Named in the warning: `http server`, `redis`, `database`. */
  what: string;
  close: () => Promise<unknown>;
  /** Drops what `close` was releasing, at once; run when `close` fails or misses its deadline. */
  force?: () => void;
}

/** Runs `step.close` for at most `ms`; never throws. True when it finished in time. */
export async function closeWithin(step: CloseStep, ms: number, logger: Pick<Logger, 'warn'>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const outcome = await Promise.race([step.close().then(() => 'closed' as const), late]);
    if (outcome === 'closed') return true;
    logger.warn({ what: step.what, ms }, 'close did not finish in time; letting go');
  } catch (error) {
    logger.warn({ what: step.what, err: (error as Error).message }, 'close failed');
  } finally {
    clearTimeout(timer);
  }
  step.force?.();
  return false;
}

/** One deadline shared by the steps of a stop that wait for in-flight work: each gets what is left of `ms`. */
export function drainDeadline(ms: number): () => number {
  const until = Date.now() + ms;
  return () => Math.max(0, until - Date.now());
}
