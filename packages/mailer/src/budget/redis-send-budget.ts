/**
 * The shared SES budget of one mailer process (see send-budget.ts and budget-script.ts).
 *
 * Hot path: callers that ask for a token while a reservation is on its way to Redis wait for the
 * next one, which reserves a slot for each of them at once (at most `blockMax` per round trip,
 * default max(1, ⌊rate / 20⌋), so no process books a large share of the budget in one go). A slot is
 * only ever reserved for a caller that is already waiting, so no process holds unused tokens: the
 * limit over any window is the slots' spacing, not a reservation that might be spent late.
 *
 * Each caller is released at its slot: its delay from Redis's clock, counted on this process's
 * monotonic timers from the moment the answer arrived (no client clock is compared with another).
 * Delays are rounded down to whole ms, so a slot is spent at most 1 ms before its time; in any
 * window of W seconds the mailers together make at most rate × (W + 1 ms) + 1 calls, plus whatever
 * an event loop that runs late bunches together (a slot is never spent earlier than that).
 */
import type { Reserver } from './budget-script';
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
  const waiting: Waiter[] = [];
  let reserving = false;

  const handOut = (batch: Waiter[], granted: number, firstSlotUs: number, bookedUs: number) => {
    batch.forEach((waiter, i) => {
      if (i >= granted) {
        waiter.reject(new SendBudgetExhaustedError(Math.max(1, Math.ceil((bookedUs - horizonUs / 2) / 1000))));
        return;
      }
      const delayMs = Math.floor((firstSlotUs + i * intervalUs) / 1000);
      if (delayMs <= 0) waiter.resolve();
      else setTimeout(waiter.resolve, delayMs);
    });
  };

  const pump = () => {
    if (reserving || waiting.length === 0) return;
    reserving = true;
    const batch = waiting.splice(0, blockMax);
    reserver.reserve(batch.length)
      .then(({ granted, firstSlotUs, bookedUs }) => handOut(batch, granted, firstSlotUs, bookedUs),
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
