/**
 * The reminder scan: plans every reminder whose send time falls in (horizon, now + lookAhead],
 * records the new ones in the ledger and enqueues them (delayed until their send time).
 *
 * Cost follows what is due, not how many orders exist: for each (kind, offset) one range query on
 * the expiry index (`expiryRangeFor`, trimmed to dates that can match), streamed in pages; each page
 * is filtered exactly, inserted and handed to Redis (at most a few `addBulk` chunks in flight)
 * before the next one is read, so memory stays bounded. The horizon is saved only after Redis
 * acknowledged every job; a crash before that replays the same window (the ledger ignores known
 * identities, and reconciliation re-enqueues queued rows). The first scan ever looks back
 * `firstScanLookBackMs` (7 days).
 */
import { expiryOf, expiryRangeFor, REMINDER_KINDS, type ReminderKind } from '@tickler/domain';
import type { OrderWithZone, PlannedReminder, ReminderRow } from '@tickler/db';
import { enqueueOptionsOf, type SchedulerDeps } from './config';
import { makeSendAtCache, narrowExpiryRange, planOne, type PlanWindow, type SendAtOf } from './plan-window';
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
      const window = await readScanWindow(deps.store.reminders, deps.config, now);
      const plan: PlanWindow = { after: window.after, until: window.until, now };
      const sendAtOf = makeSendAtCache();
      // One enqueuer for the whole scan: Redis works on earlier jobs while later pages are read.
      const enqueuer = makeReminderEnqueuer(deps.queues, now, enqueueOptionsOf(deps.config));
      const rows: ScanRow[] = [];
      let superseded = 0;
      if (window.until.getTime() > window.after.getTime()) {
        for (const kind of REMINDER_KINDS) {
          for (const offsetDays of deps.config.offsets[kind]) {
            const result = await scanOffset(deps, { kind, offsetDays, plan, sendAtOf, dryRun, enqueuer });
            rows.push(result.row);
            superseded += result.superseded;
          }
        }
        await enqueuer.drain();
        // Only now is every job in Redis: a crash before this replays the same window.
        if (!dryRun) await saveHorizon(deps.store.reminders, window);
      }
      const report: ScanReport = { dryRun, now, horizon: window, rows, totals: { ...sumRows(rows), superseded } };
      deps.logger.info({ dryRun, after: window.after, until: window.until, ...report.totals }, 'reminder scan finished');
      return report;
    },
  };
}

interface OffsetScan { kind: ReminderKind; offsetDays: number; plan: PlanWindow; sendAtOf: SendAtOf; dryRun: boolean; enqueuer: ReminderEnqueuer }

/** One (kind, offset): range query, exact filter, insert, enqueue — page by page. */
async function scanOffset(deps: SchedulerDeps, scan: OffsetScan): Promise<{ row: ScanRow; superseded: number }> {
  const { kind, offsetDays, plan } = scan;
  const row: ScanRow = { kind, offsetDays, due: 0, enqueued: 0, skipped: 0, existing: 0 };
  let superseded = 0;
  const range = narrowExpiryRange(expiryRangeFor(offsetDays, plan.after, plan.until), offsetDays, plan, scan.sendAtOf);
  if (range === null) return { row, superseded };
  for await (const page of deps.store.directory.findOrdersExpiringBetween(kind, range.from, range.to)) {
    const planned = planPage(deps, scan, page);
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
  return { row, superseded };
}

/** Inserts new ledger rows, enqueues the queued ones, supersedes what they overtake; counts into `row`. */
async function recordAndEnqueue(deps: SchedulerDeps, scan: OffsetScan, planned: PlannedReminder[], row: ScanRow): Promise<number> {
  const inserted = await deps.store.reminders.insertNew(planned);
  const queued = inserted.filter((r) => r.status === 'queued');
  row.existing += planned.length - inserted.length;
  row.enqueued += queued.length;
  row.skipped += inserted.length - queued.length;
  await scan.enqueuer.add(queued);
  return supersedeDue(deps, queued, scan.plan.now);
}

function planPage(deps: SchedulerDeps, scan: OffsetScan, page: OrderWithZone[]): PlannedReminder[] {
  const planned: PlannedReminder[] = [];
  for (const order of page) {
    const expiresOn = expiryOf(order, scan.kind);
    if (expiresOn === null) continue;
    const one = planOne(order, scan.kind, expiresOn, scan.offsetDays, deps.config.offsets, scan.plan, scan.sendAtOf);
    if (one) planned.push(one);
  }
  return planned;
}

async function supersedeDue(deps: SchedulerDeps, queued: ReminderRow[], now: Date): Promise<number> {
  const due = queued.filter((r) => r.sendAt.getTime() <= now.getTime());
  return due.length === 0 ? 0 : supersedeEarlierReminders(deps, due);
}

const identity = (r: Pick<PlannedReminder, 'orderId' | 'kind' | 'expiresOn' | 'offsetDays'>) => `${r.orderId}|${r.kind}|${r.expiresOn}|${r.offsetDays}`;

/** Dry run only: what inserting `planned` would do, from the ledger as it is (one lookup per order). */
async function countDryRun(deps: SchedulerDeps, planned: PlannedReminder[], row: ScanRow): Promise<void> {
  const known = new Set<string>();
  for (const orderId of new Set(planned.map((p) => p.orderId))) {
    for (const r of await deps.store.reminders.listForOrder(orderId)) known.add(identity(r));
  }
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
