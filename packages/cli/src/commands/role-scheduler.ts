import { startSchedulerRole } from '@tickler/scheduler';
import type { Env } from '../env';
import { makeLogger } from '../runtime/logger';
import { waitForShutdown } from '../runtime/shutdown';
import { planningConfigOf } from '../runtime/scheduler-deps';
import { withRuntime } from '../runtime/with-runtime';

/** `tickler scheduler`: the periodic scan and billing events, until SIGTERM/SIGINT. */
export async function schedulerCommand(env: Env): Promise<void> {
  const logger = makeLogger(env, 'stdout', 'tickler-scheduler');
  await withRuntime(env, async ({ store, redis }) => {
    const role = await startSchedulerRole({
      connection: redis, prefix: env.queuePrefix, store, logger, scanEveryMs: env.scanEveryMs, config: planningConfigOf(env),
    });
    const signal = await waitForShutdown();
    logger.info({ signal }, 'shutting down: finishing in-flight jobs');
    await role.close();
  }, { logger });
}
