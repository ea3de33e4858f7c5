/**
 * The SES sending budget: one rate (SES_MAX_SEND_RATE) shared by every path that calls SES — single
 * emails, digests and test sends — in every mailer process. A caller takes one token right before
 * it calls the provider; the token either comes at once, comes after a short wait (the budget hands
 * out evenly spaced slots, so the calls are smooth, not a burst at the start of each second), or is
 * refused with how long to hold the queues back. The shared implementation keeps its state in
 * Redis (redis-send-budget.ts).
 */
import { ThrottledError } from '../transport/errors';

/**
 * Thrown by `SendBudget.take` when the budget is booked further ahead than a job may wait. It is a
 * `ThrottledError` — our own limit, not the provider's — so the processors treat it as throttling:
 * the send queues are held back and the job goes back to waiting without counting as an attempt.
 */
export class SendBudgetExhaustedError extends ThrottledError {
  /** @param retryAfterMs how long the send queues should hold back before fetching again, ms (≥ 1). */
  constructor(override readonly retryAfterMs: number) {
    super(`SES send budget exhausted; retry in ${retryAfterMs} ms`, retryAfterMs);
    this.name = 'SendBudgetExhaustedError';
  }
}

export interface SendBudget {
  /**
   * Resolves when the caller may make one provider call (at once, or after waiting for its slot);
   * rejects with `SendBudgetExhaustedError` when no slot is free soon enough, or with the store's
   * error when the budget cannot be read (Redis away).
   */
  take(): Promise<void>;
}

/** A budget that never holds anything back: for single-process tools and unit tests that send no real load. */
export const unlimitedSendBudget: SendBudget = { take: async () => undefined };
