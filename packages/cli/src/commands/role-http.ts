import type { Env } from '../env';
import { closeWithin } from '../runtime/bounded-close';
import { startHttp } from '../runtime/http';
import { makeLogger } from '../runtime/logger';
import { waitForShutdown } from '../runtime/shutdown';
import { withRuntime } from '../runtime/with-runtime';

/** `tickler http`: the HTTP edge until SIGTERM/SIGINT (in-flight requests finish, within SHUTDOWN_TIMEOUT). */
export async function httpCommand(env: Env): Promise<void> {
  const logger = makeLogger(env, 'stdout', 'tickler-http');
  await withRuntime(env, async ({ store, queues, redis }) => {
    const app = await startHttp(env, { store, queues, redis, logger });
    logger.info({ port: env.httpPort, publicBaseUrl: env.publicBaseUrl }, 'http edge listening');
    const signal = await waitForShutdown();
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    await closeWithin({ what: 'http server', close: () => app.close(), force: () => app.server.closeAllConnections() }, env.shutdownTimeoutMs, logger);
  }, { logger });
}
