/**
 * The budget's state in Redis: one key holding the "theoretical arrival time" of the next free slot
 * (GCRA's virtual scheduling, in microseconds on Redis's own clock). Slots are `intervalUs` apart
 * (1 s / SES_MAX_SEND_RATE, rounded up so the rate is never exceeded). A reservation of `wanted`
 * slots gets the next free ones, starting no earlier than now — an idle budget does not save up
 * slots, so there is no burst after a pause — and only slots starting within `horizonUs` of now; a
 * slot that far ahead is refused (the caller holds its queues back instead of waiting longer).
 *
 * The clock is Redis's `TIME`, read inside the script, so mailers on hosts with skewed clocks agree.
 * One key per call: fine on Redis Cluster wherever the key hashes (Redis ≥ 5 replicates the script's
 * effects, so reading `TIME` before a write is allowed).
 */
import type { Cluster, Redis } from 'ioredis';

const COMMAND = 'ticklerSendBudgetReserve';
export const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local start = math.max(tonumber(redis.call('GET', KEYS[1]) or 0), now)
local room = math.floor((now + horizon - start) / interval)
local granted = math.max(0, math.min(wanted, room))
local booked = start + granted * interval
if granted > 0 then
  redis.call('SET', KEYS[1], string.format('%.0f', booked), 'PX', math.ceil((booked - now) / 1000) + 1000)
end
return {granted, start - now, booked - now, now}
`;

/** The answer to one reservation; times are microseconds from Redis's `TIME` when the script ran. */
export interface Reservation {
  /** Slots granted (0 … wanted); they are `intervalUs` apart, the first `firstSlotUs` from now. */
  granted: number;
  firstSlotUs: number;
  /** How far ahead the budget is booked after this reservation. */
  bookedUs: number;
  /** Redis's clock when the script ran, µs since the epoch (so every mailer can align to one grid). */
  nowUs: number;
}

export interface BudgetShape {
  /** Microseconds between two slots: ⌈1e6 / rate⌉ (so at most 1,000,000 emails/s). */
  intervalUs: number;
  /** How far ahead a slot may be handed out, µs. */
  horizonUs: number;
}

/** The slot spacing and horizon of a budget of `ratePerSecond` emails per second. */
export function budgetShape(ratePerSecond: number, horizonMs: number): BudgetShape {
  if (!(ratePerSecond > 0)) throw new Error(`send budget rate must be a positive number of emails per second (got ${ratePerSecond})`);
  if (!(horizonMs > 0)) throw new Error(`send budget horizon must be a positive number of ms (got ${horizonMs})`);
  return { intervalUs: Math.max(1, Math.ceil(1_000_000 / ratePerSecond)), horizonUs: Math.round(horizonMs * 1000) };
}

type WithCommand = { [COMMAND]: (key: string, intervalUs: number, horizonUs: number, wanted: number) => Promise<[number, number, number, number]> };

/** One budget in Redis: its shape, and the call that reserves `wanted` slots of it. */
export interface Reserver {
  shape: BudgetShape;
  reserve(wanted: number): Promise<Reservation>;
}

/** The reserver of the budget at `key` with `shape` on `redis`, a node or a Cluster (the caller owns the connection). */
export function makeReserver(redis: Redis | Cluster, key: string, shape: BudgetShape): Reserver {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: RESERVE_SCRIPT });
  const run = (redis as unknown as WithCommand)[COMMAND].bind(redis);
  return {
    shape,
    async reserve(wanted) {
      const [granted, firstSlotUs, bookedUs, nowUs] = await run(key, shape.intervalUs, shape.horizonUs, wanted);
      return { granted, firstSlotUs, bookedUs, nowUs };
    },
  };
}
