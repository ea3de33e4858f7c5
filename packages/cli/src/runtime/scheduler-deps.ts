import { makeSchedulerConfig, type SchedulerDeps } from '@tickler/scheduler';
import type { Env } from '../env';
import type { Runtime } from './with-runtime';

/** Scheduler deps for one-shot commands (scan, forecast) from the parsed env. */
export function schedulerDepsOf(rt: Pick<Runtime, 'store' | 'queues' | 'logger'>, env: Env, now: Date): SchedulerDeps {
  return { store: rt.store, queues: rt.queues, logger: rt.logger, now: () => now, config: makeSchedulerConfig({ offsets: env.offsets }) };
}
