/**
 * How long a worker may trust its own claim on a delivery before it calls the provider.
 *
 * A claim (`claimForSending`) is a lease: after `leaseMs` another worker may take the delivery over
 * (its first holder is presumed dead). A holder that was merely stopped — SIGSTOP, a VM paused, a
 * stop-the-world pause, a laptop lid — does not know its lease ran out, and on waking would send
 * an email the new holder sent already. So right before the provider call the holder checks its own
 * monotonic clock (which keeps counting while the process is stopped): if all but the last 15 s of
 * the lease have passed since it asked for the claim, it does not send and retries the job instead;
 * the retry claims again (once the lease has run out) or finds the delivery sent. The last 15 s are
 * the provider call's own margin. The check costs no round trip.
 */
import { DEFAULT_SENDING_LEASE_MS } from '@tickler/db';

/** The holder's claim may have passed to another worker: the job is retried, nothing is sent. */
export class ClaimLapsedError extends Error {
  override readonly name = 'ClaimLapsedError';
}

export interface ClaimHold {
  /** The lease asked for, ms. */
  readonly leaseMs: number;
  /** Throws {@link ClaimLapsedError} when the lease is nearly over (see trustedMs) since the claim was asked for. */
  assertFresh(): void;
}

/** The provider call's own share of the lease, ms: what is left of it after the check (a send takes milliseconds). */
const SEND_MARGIN_MS = 15_000;

/**
 * How long a claim is trusted: all of the lease but the send's margin (45 s of the default 60 s, so a
 * Redis failover that holds the budget for half a minute does not make every claim in flight lapse),
 * and at most half of a short lease (tests).
 */
function trustedMs(leaseMs: number): number {
  return Math.max(leaseMs / 2, leaseMs - SEND_MARGIN_MS);
}

/** Starts the clock for a claim about to be asked for (call it before `claimForSending`). */
export function holdClaim(what: string, leaseMs = DEFAULT_SENDING_LEASE_MS, clock: () => number = () => performance.now()): ClaimHold {
  const askedAt = clock();
  return {
    leaseMs,
    assertFresh() {
      const heldMs = clock() - askedAt;
      if (heldMs > trustedMs(leaseMs)) {
        throw new ClaimLapsedError(`${what} was claimed ${Math.round(heldMs)} ms ago (lease ${leaseMs} ms; this process was paused or starved); not sending, the job is retried and claims again`);
      }
    },
  };
}
