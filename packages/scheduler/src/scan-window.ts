/** Where a scan starts and ends: from the saved horizon (the previous scan's `until`) to now + look-ahead. */
import { EVERY_DAY_OPEN, sendCalendarFromText, sendCalendarText } from '@tickler/domain';
import type { StateRepository } from '@tickler/db';
import type { SchedulerConfig } from './config';

const DAY_MS = 86_400_000;

/** Scheduler state key holding the last scan's `until` (ISO instant). */
export const HORIZON_KEY = 'scan.horizon';
/** Scheduler state key holding the send calendar (`sendCalendarText`) the last scan planned with. */
export const CALENDAR_KEY = 'scan.send-calendar';

export interface ScanWindow {
  /** Exclusive start: the saved horizon, or now − firstScanLookBack on the very first scan. */
  after: Date;
  /** Inclusive end: now + lookAhead. */
  until: Date;
  /** True when no horizon was saved yet. */
  firstScan: boolean;
  /** True when the send calendar differs from the last scan's: `after` then lies before the horizon (see readScanWindow). */
  calendarChanged: boolean;
}

/**
 * The window of the next scan. When `until` is not after `after` (a scan run for an earlier
 * `now` than the last one) the window is empty: callers plan nothing and keep the horizon.
 * When the send calendar changed since the last scan (weekends turned on, a holiday added), a
 * reminder not yet planned may have moved to before the horizon; the window then starts earlier by
 * the longest move of either calendar (plus a day for daylight saving), so it is planned — late, as
 * a catch-up — rather than lost. Reminders already in the ledger keep their time.
 * @throws Error when the saved horizon is not an ISO instant (the state row is corrupt)
 */
export async function readScanWindow(state: StateRepository, config: SchedulerConfig, now: Date): Promise<ScanWindow> {
  const saved = await state.get(HORIZON_KEY);
  const until = new Date(now.getTime() + config.lookAheadMs);
  if (saved === null) return { after: new Date(now.getTime() - config.firstScanLookBackMs), until, firstScan: true, calendarChanged: false };
  const horizon = new Date(saved);
  if (Number.isNaN(horizon.getTime())) throw new Error(`scheduler state "${HORIZON_KEY}" is not an ISO instant: "${saved}"`);
  const previous = (await state.get(CALENDAR_KEY)) ?? sendCalendarText(EVERY_DAY_OPEN);
  if (previous === sendCalendarText(config.sendCalendar)) return { after: horizon, until, firstScan: false, calendarChanged: false };
  const shiftDays = Math.max(config.sendCalendar.maxShiftDays, sendCalendarFromText(previous).maxShiftDays);
  return { after: new Date(horizon.getTime() - (shiftDays + 1) * DAY_MS), until, firstScan: false, calendarChanged: true };
}

/** Saves `until` as the new horizon (never moving it backwards) and the calendar the scan planned with. */
export async function saveHorizon(state: StateRepository, window: ScanWindow, config: Pick<SchedulerConfig, 'sendCalendar'>): Promise<void> {
  if (window.until.getTime() <= window.after.getTime()) return;
  const saved = await state.get(HORIZON_KEY);
  if (saved === null || Date.parse(saved) < window.until.getTime()) await state.set(HORIZON_KEY, window.until.toISOString());
  await state.set(CALENDAR_KEY, sendCalendarText(config.sendCalendar));
}
