/** The SES sending budget shared by every mailer process (see send-budget.ts). */
import type { ConnectionOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { queuePrefixFor } from '@tickler/queues';
import { budgetShape, makeReserver } from './budget-script';
import { DEFAULT_HORIZON_MS, makeSharedSendBudget, type SendBudgetOptions } from './redis-send-budget';
import type { SendBudget } from './send-budget';

export { SendBudgetExhaustedError, unlimitedSendBudget, type SendBudget } from './send-budget';
export { DEFAULT_HORIZON_MS, makeSharedSendBudget, releaseTickUs, type SendBudgetOptions } from './redis-send-budget';
export { budgetShape, makeReserver, RESERVE_SCRIPT, type BudgetShape, type Reservation, type Reserver } from './budget-script';

/**
 * The budget's one key under QUEUE_PREFIX `prefix`: `<prefix>:ses-budget`, or on a Redis Cluster
 * `<prefix>:{send}:ses-budget`, in the `send` queue's slot, so the master that serves the send
 * queue also serves its budget. Not under `<prefix>:send:`, so obliterating the queue leaves it.
 */
export function sendBudgetKey(prefix: string, connection: ConnectionOptions): string {
  return `${queuePrefixFor('send', prefix, connection)}:ses-budget`;
}

/**
 * The budget shared through Redis by every mailer under `prefix`, on `client` (a connection the
 * caller owns and closes; it may still be connecting). All mailers must be given the same rate.
 */
export function makeRedisSendBudget(client: Promise<Redis | Cluster>, key: string, options: SendBudgetOptions): SendBudget {
  const shape = budgetShape(options.ratePerSecond, options.horizonMs ?? DEFAULT_HORIZON_MS);
  const reserver = client.then((redis) => makeReserver(redis, key, shape));
  // Nothing awaits `reserver` until the first email; a failure then rejects that `take`.
  reserver.catch(() => undefined);
  return makeSharedSendBudget({ shape, reserve: async (wanted) => (await reserver).reserve(wanted) }, options);
}
