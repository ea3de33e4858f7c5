import { DEFAULT_OFFSETS, EVERY_DAY_OPEN, type ReminderKind, type SendCalendar } from '@tickler/domain';
import type { Store } from '@tickler/db';
import type { Queues } from '@tickler/queues';
import type { Logger } from 'pino';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Scheduler settings; the composition root builds them once (see {@link makeSchedulerConfig}). */
export interface SchedulerConfig {
  /** Reminder offsets in whole days before expiry, per kind (negative = after). */
  offsets: Record<ReminderKind, number[]>;
  /**
   * Closed days a send day moves off (REMINDER_SKIP_WEEKENDS, REMINDER_HOLIDAYS; default every day
   * open). Every planner — scan, order events, forecast, the stores' SQL — takes this one calendar.
   */
  sendCalendar: SendCalendar;
  /**
   * How far past `now` a scan plans, in ms (default 24 h). Reminders due later today are enqueued
   * now, delayed until their 09:00 org-local send time, so a short scheduler outage loses nothing.
   */
  lookAheadMs: number;
  /**
   * How far back the very first scan (no horizon saved yet) looks, in ms (default 7 days).
   * Reminders due before that are never sent: a fresh install does not mail a year of history.
   */
  firstScanLookBackMs: number;
  /**
   * When an order event plans a cycle immediately, a due reminder older than this (ms, default
   * 7 days) is recorded as skipped (`stale`) instead of being sent late.
   */
  catchUpMs: number;
  /**
   * A delivery `sending` for longer than this (ms, default 1 min, the claim's lease) whose job Redis
   * lost is re-enqueued by reconciliation; a `queued` one is at once.
   */
  staleSendingMs: number;
  /** Jobs per `addBulk` round trip (default 250). */
  enqueueChunk: number;
  /**
   * `addBulk` chunks awaiting Redis at once (default 4). Each job in flight costs BullMQ client
   * memory; 1000 in flight keep a 1M-order scan well under 300 MB RSS.
   */
  enqueueInFlight: number;
  /** Most ledger rows reconciliation re-enqueues per run, per kind of row (default 100 000). */
  reconcileLimit: number;
}

export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  offsets: DEFAULT_OFFSETS,
  sendCalendar: EVERY_DAY_OPEN,
  lookAheadMs: DAY_MS,
  firstScanLookBackMs: 7 * DAY_MS,
  catchUpMs: 7 * DAY_MS,
  staleSendingMs: MINUTE_MS,
  enqueueChunk: 250,
  enqueueInFlight: 4,
  reconcileLimit: 100_000,
};

/** How the scheduler hands jobs to Redis. */
export function enqueueOptionsOf(config: SchedulerConfig): { chunk: number; maxInFlight: number } {
  return { chunk: config.enqueueChunk, maxInFlight: config.enqueueInFlight };
}

/** The defaults, overridden by whatever `partial` sets. */
export function makeSchedulerConfig(partial: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return { ...DEFAULT_SCHEDULER_CONFIG, ...partial };
}

/** What every scheduler processor needs; created by the entry point (or a test). */
export interface SchedulerDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
  /** The clock; only processors call it, tests pass a fixed one. */
  now: () => Date;
  config: SchedulerConfig;
}
