import { makeSchedulerConfig, type SchedulerConfig, type SchedulerDeps } from '@tickler/scheduler';
import type { Env } from '../env';
import type { Runtime } from './with-runtime';

/** The planning settings from the env: offsets and send calendar, the same for every role and command. */
export function planningConfigOf(env: Env): Pick<SchedulerConfig, 'offsets' | 'sendCalendar'> {
  return { offsets: env.offsets, sendCalendar: env.sendCalendar };
}

/** Scheduler deps for one-shot commands (scan, forecast) from the parsed env. */
export function schedulerDepsOf(rt: Pick<Runtime, 'store' | 'queues' | 'logger'>, env: Env, now: Date): SchedulerDeps {
  return { store: rt.store, queues: rt.queues, logger: rt.logger, now: () => now, config: makeSchedulerConfig(planningConfigOf(env)) };
}
