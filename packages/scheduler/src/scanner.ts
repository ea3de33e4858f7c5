/**
 * The reminder scan: plans every reminder whose send time falls in (horizon, now + lookAhead],
 * records the new ones in the ledger and enqueues them (delayed until their send time).
 *
 * Cost follows what is due, not how many orders exist: for each (kind, offset) only the expiry
 * dates that can match are read (`expiryRangeFor`, trimmed by `narrowExpiryRange`). The window is cut
 * at now:
 * - reminders still ahead — every scan's whole work in steady state — are all `queued`; SQLite plans
 *   them itself, one expiry date per transaction, and hands back only the new rows' ids and send
 *   times (`planFutureSlice`, future-slices.ts in the db package);
 * - reminders already due — only after downtime or on the first scan — are planned in JavaScript,
 *   page by page, where the domain decides which of a cycle's are superseded.
 * New rows go to Redis in `addBulk` chunks with a few in flight, so Redis works while SQLite plans
 * the next slice, and memory stays bounded. The horizon is saved only after Redis acknowledged every
 * job; a crash before that replays the same window (the ledger ignores known identities, and
 * reconciliation re-enqueues queued rows). The first scan ever looks back `firstScanLookBackMs` (7 days).
 */
import { addDays, expiryOf, expiryRangeFor, REMINDER_KINDS, type ReminderKind } from '@tickler/domain';
import type { FutureReminderPlan, FutureReminderSlice, NewReminder, OrderWithZone, ReminderRow } from '@tickler/db';
import { enqueueOptionsOf, type SchedulerDeps } from './config';
import { narrowExpiryRange, planOne, type PlanWindow } from './plan-window';
import { makeReminderEnqueuer, type ReminderEnqueuer } from './reminder-jobs';
import { readScanWindow, saveHorizon, type ScanWindow } from './scan-window';
import { supersedeEarlierReminders } from './supersede';

/** What one scan did (or, in a dry run, would do) for one (kind, offset). */
export interface ScanRow {
  kind: ReminderKind;
  offsetDays: number;
  /** Reminders with sendAt in the window. */
  due: number;
  /** New reminders queued (enqueued, delayed when in the future). */
  enqueued: number;
  /** New reminders recorded as skipped (superseded after downtime). */
  skipped: number;
  /** Reminders already in the ledger (planned by an order event or an earlier scan): left alone. */
  existing: number;
}

export interface ScanReport {
  dryRun: boolean;
  now: Date;
  horizon: ScanWindow;
  rows: ScanRow[];
  totals: Omit<ScanRow, 'kind' | 'offsetDays'> & { superseded: number };
}

export interface Scanner {
  /** Plans and enqueues due reminders at `now`; with `dryRun` writes nothing and reports what would happen. */
  scan(input: { now: Date; dryRun?: boolean }): Promise<ScanReport>;
}

export function makeScanner(deps: SchedulerDeps): Scanner {
  return {
    async scan({ now, dryRun = false }) {
      const window = await readScanWindow(deps.store.state, deps.config, now);
      const plan: PlanWindow = { after: window.after, until: window.until, now, calendar: deps.config.sendCalendar };
      // One enqueuer for the whole scan: Redis works on earlier jobs while later pages are read.
      const enqueuer = makeReminderEnqueuer(deps.queues, now, enqueueOptionsOf(deps.config));
      const rows: ScanRow[] = [];
      let superseded = 0;
      if (window.until.getTime() > window.after.getTime()) {
        const ahead: AheadSlice[] = [];
        for (const kind of REMINDER_KINDS) {
          for (const offsetDays of deps.config.offsets[kind]) {
            const scan: OffsetScan = { kind, offsetDays, plan, dryRun, enqueuer };
            const row: ScanRow = { kind, offsetDays, due: 0, enqueued: 0, skipped: 0, existing: 0 };
            rows.push(row);
            superseded += await scanDue(deps, scan, row);
            ahead.push(...slicesAhead(scan, row));
          }
        }
        await planAhead(deps, ahead, enqueuer, dryRun);
        await enqueuer.drain();
        // Only now is every job in Redis: a crash before this replays the same window.
        if (!dryRun) await saveHorizon(deps.store.state, window, deps.config);
      }
      const report: ScanReport = { dryRun, now, horizon: window, rows, totals: { ...sumRows(rows), superseded } };
      if (window.calendarChanged) deps.logger.warn({ after: window.after }, 'send calendar changed since the last scan: looking back over its longest move');
      deps.logger.info({ dryRun, after: window.after, until: window.until, ...report.totals }, 'reminder scan finished');
      return report;
    },
  };
}

interface OffsetScan { kind: ReminderKind; offsetDays: number; plan: PlanWindow; dryRun: boolean; enqueuer: ReminderEnqueuer }

/** One expiry date of one (kind, offset) whose reminders are all still ahead, and the report row it counts into. */
interface AheadSlice { slice: FutureReminderSlice; row: ScanRow }

/** Slices requested ahead of the one being enqueued: they share a commit, and are ready when their turn comes. */
const PLAN_AHEAD = 2;

/**
 * The part of the window after now, one slice per expiry date that can match. Its reminders are all
 * `queued`, so SQLite plans them on its own (`planFutureSlice`): the hot path of every scan.
 */
function slicesAhead(scan: OffsetScan, row: ScanRow): AheadSlice[] {
  const after = new Date(Math.max(scan.plan.after.getTime(), scan.plan.now.getTime()));
  const window = { ...scan.plan, after };
  if (after.getTime() >= window.until.getTime()) return [];
  const range = narrowExpiryRange(expiryRangeFor(scan.offsetDays, after, window.until, window.calendar.maxShiftDays), scan.offsetDays, window);
  if (range === null) return [];
  const slices: AheadSlice[] = [];
  for (let expiresOn = range.from; expiresOn <= range.to; expiresOn = addDays(expiresOn, 1)) {
    slices.push({ slice: { kind: scan.kind, offsetDays: scan.offsetDays, expiresOn, after, until: window.until, calendar: window.calendar }, row });
  }
  return slices;
}

/** Plans each slice (one transaction each, {@link PLAN_AHEAD} requested ahead) and enqueues its new rows. */
async function planAhead(deps: SchedulerDeps, slices: AheadSlice[], enqueuer: ReminderEnqueuer, dryRun: boolean): Promise<void> {
  const requested = new Map<number, Promise<FutureReminderPlan>>();
  const request = (i: number) => {
    if (i >= slices.length || requested.has(i)) return;
    const plan = deps.store.reminders.planFutureSlice(slices[i]!.slice, { dryRun });
    plan.catch(() => undefined); // awaited below, in order
    requested.set(i, plan);
  };
  for (let i = 0; i < slices.length; i++) {
    for (let j = i; j <= i + PLAN_AHEAD; j++) request(j);
    const planned = await requested.get(i)!;
    requested.delete(i);
    const { row } = slices[i]!;
    row.due += planned.due;
    row.existing += planned.due - planned.fresh;
    row.enqueued += planned.fresh;
    await enqueuer.add(planned.inserted);
  }
}

/**
 * The part of the window at or before now — reminders already due, met only after downtime or on the
 * first scan: range query, exact filter in JavaScript (the domain decides which of a cycle's are
 * superseded), insert, enqueue — page by page. Returns how many earlier reminders were superseded.
 */
async function scanDue(deps: SchedulerDeps, scan: OffsetScan, row: ScanRow): Promise<number> {
  const window = { ...scan.plan, until: new Date(Math.min(scan.plan.until.getTime(), scan.plan.now.getTime())) };
  if (window.after.getTime() >= window.until.getTime()) return 0;
  let superseded = 0;
  const range = narrowExpiryRange(expiryRangeFor(scan.offsetDays, window.after, window.until, window.calendar.maxShiftDays), scan.offsetDays, window);
  if (range === null) return superseded;
  for await (const page of deps.store.directory.findOrdersExpiringBetween(scan.kind, range.from, range.to)) {
    const planned = planPage(deps, scan, window, page);
    row.due += planned.length;
    if (planned.length === 0) continue;
    if (scan.dryRun) {
      await countDryRun(deps, planned, row);
      continue;
    }
    // Insert and enqueue in slices of what may be in flight, so Redis gets work while the next slice
    // is inserted (one transaction per slice: smaller slices would cost more commits).
    const slice = deps.config.enqueueChunk * deps.config.enqueueInFlight;
    for (let i = 0; i < planned.length; i += slice) {
      superseded += await recordAndEnqueue(deps, scan, planned.slice(i, i + slice), row);
    }
  }
  return superseded;
}

/** Inserts new ledger rows, enqueues the queued ones, supersedes what they overtake; counts into `row`. */
async function recordAndEnqueue(deps: SchedulerDeps, scan: OffsetScan, planned: NewReminder[], row: ScanRow): Promise<number> {
  const inserted = await deps.store.reminders.insertNew(planned);
  const queued = inserted.filter((r) => r.status === 'queued');
  row.existing += planned.length - inserted.length;
  row.enqueued += queued.length;
  row.skipped += inserted.length - queued.length;
  await scan.enqueuer.add(queued);
  return supersedeDue(deps, queued, scan.plan.now);
}

function planPage(deps: SchedulerDeps, scan: OffsetScan, window: PlanWindow, page: OrderWithZone[]): NewReminder[] {
  const planned: NewReminder[] = [];
  for (const order of page) {
    const expiresOn = expiryOf(order, scan.kind);
    if (expiresOn === null) continue;
    const one = planOne(order, scan.kind, expiresOn, scan.offsetDays, deps.config.offsets, window);
    if (one) planned.push(one);
  }
  return planned;
}

async function supersedeDue(deps: SchedulerDeps, queued: ReminderRow[], now: Date): Promise<number> {
  const due = queued.filter((r) => r.sendAt.getTime() <= now.getTime());
  return due.length === 0 ? 0 : supersedeEarlierReminders(deps, due);
}

const identity = (r: Pick<NewReminder, 'orderId' | 'kind' | 'expiresOn' | 'offsetDays'>) => `${r.orderId}|${r.kind}|${r.expiresOn}|${r.offsetDays}`;

/** Dry run only: what inserting `planned` would do, from the ledger as it is (one lookup per page). */
async function countDryRun(deps: SchedulerDeps, planned: NewReminder[], row: ScanRow): Promise<void> {
  const known = new Set((await deps.store.reminders.listForOrders(planned.map((p) => p.orderId))).map(identity));
  const fresh = planned.filter((p) => !known.has(identity(p)));
  row.existing += planned.length - fresh.length;
  row.enqueued += fresh.filter((p) => p.status === 'queued').length;
  row.skipped += fresh.length - fresh.filter((p) => p.status === 'queued').length;
}

function sumRows(rows: ScanRow[]): Omit<ScanRow, 'kind' | 'offsetDays'> {
  const totals = { due: 0, enqueued: 0, skipped: 0, existing: 0 };
  for (const r of rows) {
    totals.due += r.due;
    totals.enqueued += r.enqueued;
    totals.skipped += r.skipped;
    totals.existing += r.existing;
  }
  return totals;
}
