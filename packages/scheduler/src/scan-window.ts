/** Where a scan starts and ends: from the saved horizon (the previous scan's `until`) to now + look-ahead. */
import type { StateRepository } from '@tickler/db';
import type { SchedulerConfig } from './config';

/** Scheduler state key holding the last scan's `until` (ISO instant). */
export const HORIZON_KEY = 'scan.horizon';

export interface ScanWindow {
  /** Exclusive start: the saved horizon, or now − firstScanLookBack on the very first scan. */
  after: Date;
  /** Inclusive end: now + lookAhead. */
  until: Date;
  /** True when no horizon was saved yet. */
  firstScan: boolean;
}

/**
 * The window of the next scan. When `until` is not after `after` (a scan run for an earlier
 * `now` than the last one) the window is empty: callers plan nothing and keep the horizon.
 * @throws Error when the saved horizon is not an ISO instant (the state row is corrupt)
 */
export async function readScanWindow(state: StateRepository, config: SchedulerConfig, now: Date): Promise<ScanWindow> {
  const saved = await state.get(HORIZON_KEY);
  const until = new Date(now.getTime() + config.lookAheadMs);
  if (saved === null) return { after: new Date(now.getTime() - config.firstScanLookBackMs), until, firstScan: true };
  const after = new Date(saved);
  if (Number.isNaN(after.getTime())) throw new Error(`scheduler state "${HORIZON_KEY}" is not an ISO instant: "${saved}"`);
  return { after, until, firstScan: false };
}

/** Saves `until` as the new horizon; never moves it backwards. */
export async function saveHorizon(state: StateRepository, window: ScanWindow): Promise<void> {
  if (window.until.getTime() <= window.after.getTime()) return;
  await state.set(HORIZON_KEY, window.until.toISOString());
}
