/**
 * How long a worker may trust its own claim on a delivery before it calls the provider.
 *
 * A claim (`claimForSending`) is a lease: after `leaseMs` another worker may take the delivery over
 * (its first holder is presumed dead). A holder that was merely stopped — SIGSTOP, a VM paused, a
 * stop-the-world pause, a laptop lid — does not know its lease ran out, and on waking would send
 * an email the new holder sent already. So right before the provider call the holder checks its own
 * monotonic clock (which keeps counting while the process is stopped): if more than half the lease
 * has passed since it asked for the claim, it does not send and retries the job instead; the retry
 * claims again (once the lease has run out) or finds the delivery sent. Half the lease leaves the
 * other half for the provider call itself. The check costs no round trip.
 */
import { DEFAULT_SENDING_LEASE_MS } from '@tickler/db';

/** The holder's claim may have passed to another worker: the job is retried, nothing is sent. */
export class ClaimLapsedError extends Error {
  override readonly name = 'ClaimLapsedError';
}

export interface ClaimHold {
  /** The lease asked for, ms. */
  readonly leaseMs: number;
  /** Throws {@link ClaimLapsedError} when half the lease has passed since the claim was asked for. */
  assertFresh(): void;
}

/** Starts the clock for a claim about to be asked for (call it before `claimForSending`). */
export function holdClaim(what: string, leaseMs = DEFAULT_SENDING_LEASE_MS, clock: () => number = () => performance.now()): ClaimHold {
  const askedAt = clock();
  return {
    leaseMs,
    assertFresh() {
      const heldMs = clock() - askedAt;
      if (heldMs > leaseMs / 2) {
        throw new ClaimLapsedError(`${what} was claimed ${Math.round(heldMs)} ms ago (lease ${leaseMs} ms; this process was paused or starved); not sending, the job is retried and claims again`);
      }
    },
  };
}
