import { startSchedulerRole } from '@tickler/scheduler';
import type { Env } from '../env';
import { closeWithin } from '../runtime/bounded-close';
import { makeLogger } from '../runtime/logger';
import { waitForShutdown } from '../runtime/shutdown';
import { planningConfigOf } from '../runtime/scheduler-deps';
import { withRuntime } from '../runtime/with-runtime';

/**
 * `tickler scheduler`: the periodic scan and billing events, until SIGTERM/SIGINT. In-flight jobs
 * get SHUTDOWN_TIMEOUT to finish; one still running then is let go as a crash would leave it, and
 * run again once its lock expires (a scan and an event's application are idempotent against the ledger).
 */
export async function schedulerCommand(env: Env): Promise<void> {
  const logger = makeLogger(env, 'stdout', 'tickler-scheduler');
  await withRuntime(env, async ({ store, redis }) => {
    const role = await startSchedulerRole({
      connection: redis, prefix: env.queuePrefix, store, logger, scanEveryMs: env.scanEveryMs, config: planningConfigOf(env),
    });
    const signal = await waitForShutdown();
    logger.info({ signal }, 'shutting down: finishing in-flight jobs');
    await closeWithin({ what: 'scheduler role', close: () => role.close() }, env.shutdownTimeoutMs, logger);
  }, { logger });
}
