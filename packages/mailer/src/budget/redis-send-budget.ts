/**
 * The shared SES budget of one mailer process (see send-budget.ts and budget-script.ts).
 *
 * Hot path: callers that ask for a token while a reservation is on its way to Redis wait for the
 * next one, which reserves a slot for each of them at once (at most `blockMax` per round trip,
 * default max(1, ⌊rate / 20⌋), so no process books a large share of the budget in one go). A slot is
 * only ever reserved for a caller that is already waiting, so no process holds unused tokens: the
 * limit over any window is the slots' spacing, not a reservation that might be spent late.
 *
 * Each caller is released at the first tick of a grid on Redis's clock at or after its slot (never
 * earlier), or at once if its slot is less than 1 ms away: its delay is computed from Redis's
 * `TIME`, counted on this process's monotonic timers from the moment the answer arrived (no client
 * clock is compared with another). Every mailer uses the same grid, so while the budget is booked
 * ahead a tick releases the slots of the tick before it, all mailers together. A call is thus made
 * at most 1 ms before its slot and at most one tick (+ jitter) after it: in any window of W seconds
 * all mailers make at most rate × (W + tick + 1 ms) + 1 calls, i.e. any 1 s at most 1.051 × rate + 1
 * (rate × W + 1 while the ticks are on time). The tick is at most 32 slots' time, 1–50 ms, and
 * divides a second. Why ticks: releasing sends one by one, 1.7 ms apart at 600/s, cost ~40 % more
 * mailer CPU per email than a few dozen at a time (the store's group commit and shared statements
 * then have nothing to share); and an unbooked budget releases at once for the same reason.
 */
import type { Reservation, Reserver } from './budget-script';
import { SendBudgetExhaustedError, type SendBudget } from './send-budget';

/** How far ahead a slot may be handed out by default (ms): a job waits at most this long for it. */
export const DEFAULT_HORIZON_MS = 2_000;

export interface SendBudgetOptions {
  /** Emails per second across every process sharing the budget (SES_MAX_SEND_RATE). */
  ratePerSecond: number;
  /** How far ahead a slot may be handed out, ms (default 2 000); beyond it `take` refuses. */
  horizonMs?: number;
  /** Most slots reserved in one round trip (default max(1, ⌊rate / 20⌋)). */
  blockMax?: number;
}

/** Tick lengths that divide one second, ms: any 1 s window then holds the same number of ticks. */
const TICKS_MS = [50, 25, 20, 10, 5, 4, 2, 1];

/** The grid's tick, µs: the longest of TICKS_MS within 32 slots' time (at least 1 ms). */
export function releaseTickUs(intervalUs: number): number {
  return (TICKS_MS.find((ms) => ms * 1000 <= 32 * intervalUs) ?? 1) * 1000;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * A budget over `reserver` (one Redis script call per round trip, see budget-script.ts). Refused
 * callers get `SendBudgetExhaustedError` with the time until the booked slots are down to half the
 * horizon. `blockMax`: most slots reserved in one round trip (default max(1, ⌊rate / 20⌋)).
 */
export function makeSharedSendBudget(reserver: Reserver, options: { blockMax?: number } = {}): SendBudget {
  const { intervalUs, horizonUs } = reserver.shape;
  const blockMax = Math.max(1, Math.floor(options.blockMax ?? 50_000 / intervalUs));
  const tickUs = releaseTickUs(intervalUs);
  const waiting: Waiter[] = [];
  let reserving = false;

  const handOut = (batch: Waiter[], { granted, firstSlotUs, bookedUs, nowUs }: Reservation) => {
    const phaseUs = nowUs % tickUs;
    batch.forEach((waiter, i) => {
      if (i >= granted) {
        waiter.reject(new SendBudgetExhaustedError(Math.max(1, Math.ceil((bookedUs - horizonUs / 2) / 1000))));
        return;
      }
      // A slot due within the millisecond goes at once (the budget is not booked ahead: pacing
      // nothing, it must not fragment the work); a later one at the first tick at or after it, from
      // now (both on Redis's clock), rounded up to whole ms.
      const slotUs = firstSlotUs + i * intervalUs;
      const delayMs = slotUs < 1000 ? 0 : Math.ceil((Math.ceil((phaseUs + slotUs) / tickUs) * tickUs - phaseUs) / 1000);
      if (delayMs <= 0) waiter.resolve();
      else setTimeout(waiter.resolve, delayMs);
    });
  };

  const pump = () => {
    if (reserving || waiting.length === 0) return;
    reserving = true;
    const batch = waiting.splice(0, blockMax);
    reserver.reserve(batch.length)
      .then((reservation) => handOut(batch, reservation),
        (error: Error) => { for (const waiter of batch) waiter.reject(error); })
      .finally(() => {
        reserving = false;
        pump();
      });
  };

  return {
    take: () => new Promise<void>((resolve, reject) => {
      waiting.push({ resolve, reject });
      pump();
    }),
  };
}
