/** Defaults every store implementation shares, so both behave the same. */

/** How long a `sending` claim holds before another claim may take it over (its sender presumed dead), ms. */
export const DEFAULT_SENDING_LEASE_MS = 60_000;

/** Pending newsletter topic changes kept per subscription; older ones are dropped (their links then change nothing). */
export const PENDING_CHANGES_KEPT = 5;
