import fc from 'fast-check';
import { addDays } from './calendar';
import { expiryRangeFor, planReminders, sendAtFor, type ReminderOffsets } from './reminder-policy';
import type { IsoDate, ReminderKind } from './types';

/**
 * Simulates the scheduler: scans at arbitrary instants, each planning (previous until, now + look-ahead]
 * and inserting only identities (kind, expiresOn, offset) it has not seen, as the reminders table does.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOOK_AHEAD = DAY;

const ZONES = [
  'UTC', 'Europe/Berlin', 'America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Chatham',
  'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Etc/GMT+12', 'Asia/Kolkata', 'America/Santiago', 'Africa/Casablanca',
];

const zoneArb = fc.constantFrom(...ZONES);
/** Calendar dates 2026-01-01 .. 2029-12-31 (includes the 2028-02-29 leap day). */
const dateArb = fc.integer({ min: 0, max: 4 * 365 }).map((n) => addDays('2026-01-01', n));
const offsetsArb = fc.uniqueArray(fc.integer({ min: -40, max: 70 }), { minLength: 1, maxLength: 8 });
const offsetsRecordArb: fc.Arbitrary<ReminderOffsets> = fc.record({ license: offsetsArb, maintenance: offsetsArb });

interface Cycle { kind: ReminderKind; expiresOn: IsoDate }
type LedgerEntry = Cycle & { offsetDays: number; sendAt: number; status: 'queued' | 'skipped'; scan: number; now: number };

function identity(kind: ReminderKind, expiresOn: IsoDate, offsetDays: number): string {
  return `${kind}|${expiresOn}|${offsetDays}`;
}

/** Runs one scheduler over `scans` (epoch ms, increasing); `cycleAt(i)` gives the cycles current at scan i. */
function simulate(scans: number[], timeZone: string, offsets: ReminderOffsets, cycleAt: (scan: number) => Cycle[]) {
  const ledger = new Map<string, LedgerEntry>();
  const duplicates: string[] = [];
  let after: Date | null = null;
  scans.forEach((now, scan) => {
    const until = new Date(now + LOOK_AHEAD);
    for (const { kind, expiresOn } of cycleAt(scan)) {
      for (const r of planReminders({ kind, expiresOn, timeZone, offsets, after, until, now: new Date(now) })) {
        const key = identity(kind, expiresOn, r.offsetDays);
        if (ledger.has(key)) duplicates.push(key);
        else ledger.set(key, { kind, expiresOn, offsetDays: r.offsetDays, sendAt: r.sendAt.getTime(), status: r.status, scan, now });
      }
    }
    after = until;
  });
  return { ledger, duplicates, lastUntil: (scans[scans.length - 1] ?? 0) + LOOK_AHEAD };
}

/** Scan instants starting near `start`, consecutive gaps from `gaps` (ms). */
function scanTimes(start: number, gaps: number[]): number[] {
  const times = [start];
  for (const gap of gaps) times.push((times[times.length - 1] as number) + gap);
  return times;
}

describe('planReminders under any scan timing (property)', () => {
  it('with scans at most a day apart, every reminder in the covered time is produced exactly once, and only those', () => {
    fc.assert(
      fc.property(
        zoneArb, dateArb, dateArb, offsetsRecordArb,
        fc.integer({ min: -80, max: 30 }), fc.array(fc.integer({ min: 60_000, max: DAY }), { minLength: 1, maxLength: 150 }),
        (timeZone, licenseExpiresOn, maintenanceExpiresOn, offsets, startDay, gaps) => {
          const start = sendAtFor(licenseExpiresOn, 0, 'UTC').getTime() + startDay * DAY;
          const scans = scanTimes(start, gaps);
          const cycles: Cycle[] = [{ kind: 'license', expiresOn: licenseExpiresOn }, { kind: 'maintenance', expiresOn: maintenanceExpiresOn }];
          const { ledger, duplicates, lastUntil } = simulate(scans, timeZone, offsets, () => cycles);
          expect(duplicates).toEqual([]);
          for (const { kind, expiresOn } of cycles) {
            for (const offsetDays of offsets[kind]) {
              const sendAt = sendAtFor(expiresOn, offsetDays, timeZone).getTime();
              const entry = ledger.get(identity(kind, expiresOn, offsetDays));
              if (sendAt <= lastUntil) {
                expect(entry?.sendAt).toBe(sendAt);
                // A reminder first seen after its time was missed during "downtime"; with daily scans only the first scan can miss.
                if (entry && entry.scan > 0) expect(entry.status).toBe('queued');
              } else {
                expect(entry).toBeUndefined();
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('after downtime of any length, nothing is lost or doubled and at most one due reminder per cycle is sent per scan', () => {
    fc.assert(
      fc.property(
        zoneArb, dateArb, offsetsRecordArb, fc.integer({ min: -80, max: 30 }),
        fc.array(fc.oneof(fc.integer({ min: 60_000, max: DAY }), fc.integer({ min: DAY, max: 40 * DAY })), { minLength: 1, maxLength: 60 }),
        (timeZone, expiresOn, offsets, startDay, gaps) => {
          const scans = scanTimes(sendAtFor(expiresOn, 0, 'UTC').getTime() + startDay * DAY, gaps);
          const { ledger, duplicates, lastUntil } = simulate(scans, timeZone, offsets, () => [{ kind: 'license', expiresOn }]);
          expect(duplicates).toEqual([]);
          const expected = offsets.license.filter((o) => sendAtFor(expiresOn, o, timeZone).getTime() <= lastUntil);
          expect([...ledger.values()].map((e) => e.offsetDays).sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
          for (let scan = 0; scan < scans.length; scan += 1) {
            const entries = [...ledger.values()].filter((e) => e.scan === scan);
            // Of the reminders already due at this scan only the latest is sent; older ones are skipped.
            const due = entries.filter((e) => e.sendAt <= e.now).sort((a, b) => a.sendAt - b.sendAt);
            expect(due.map((e) => e.status)).toEqual(due.map((_, i) => (i === due.length - 1 ? 'queued' : 'skipped')));
            // Future reminders are always queued (delayed), never skipped.
            for (const e of entries.filter((x) => x.sendAt > x.now)) expect(e.status).toBe('queued');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('after an expiry change (new cycle) nothing more is produced for the old expiry date', () => {
    fc.assert(
      fc.property(
        zoneArb, dateArb, fc.integer({ min: -400, max: 400 }).filter((d) => d !== 0), offsetsRecordArb,
        fc.integer({ min: -80, max: 10 }), fc.array(fc.integer({ min: 60_000, max: DAY }), { minLength: 2, maxLength: 150 }), fc.nat(),
        (timeZone, oldExpiry, shift, offsets, startDay, gaps, changeSeed) => {
          const newExpiry = addDays(oldExpiry, shift);
          const scans = scanTimes(sendAtFor(oldExpiry, 0, 'UTC').getTime() + startDay * DAY, gaps);
          const changeAt = 1 + (changeSeed % (scans.length - 1));
          const { ledger, duplicates, lastUntil } = simulate(scans, timeZone, offsets, (scan) => [
            { kind: 'maintenance', expiresOn: scan < changeAt ? oldExpiry : newExpiry },
          ]);
          expect(duplicates).toEqual([]);
          for (const e of ledger.values()) {
            if (e.expiresOn === oldExpiry) expect(e.scan).toBeLessThan(changeAt);
          }
          // The new cycle is complete from the change on: everything in (until of the scan before, lastUntil].
          const changedFrom = (scans[changeAt - 1] as number) + LOOK_AHEAD;
          for (const offsetDays of offsets.maintenance) {
            const sendAt = sendAtFor(newExpiry, offsetDays, timeZone).getTime();
            const produced = ledger.has(identity('maintenance', newExpiry, offsetDays));
            expect(produced).toBe(sendAt > changedFrom && sendAt <= lastUntil);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('sendAtFor and expiryRangeFor in any zone (property)', () => {
  const wallClock = (instant: Date, timeZone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .format(instant).replace(',', '');

  it('sends at 09:00 local on the day expiresOn − offset (DST zones included)', () => {
    fc.assert(
      fc.property(zoneArb, dateArb, fc.integer({ min: -366, max: 366 }), (timeZone, expiresOn, offset) => {
        expect(wallClock(sendAtFor(expiresOn, offset, timeZone), timeZone)).toBe(`${addDays(expiresOn, -offset)} 09:00`);
      }),
      { numRuns: 2000 },
    );
  });

  it('the expiry range always contains the expiry of any reminder in the window', () => {
    fc.assert(
      fc.property(
        zoneArb, fc.integer({ min: -366, max: 366 }), fc.integer({ min: 0, max: 3 * 365 * 24 }), fc.integer({ min: 1, max: 72 }), fc.integer({ min: -3, max: 3 }),
        (timeZone, offset, startHour, lengthHours, jitterDays) => {
          const after = new Date(Date.parse('2026-06-01T00:00:00Z') + startHour * HOUR + 17 * 60_000);
          const until = new Date(after.getTime() + lengthHours * HOUR);
          const expiresOn = addDays(after.toISOString().slice(0, 10), offset + jitterDays);
          const sendAt = sendAtFor(expiresOn, offset, timeZone).getTime();
          const { from, to } = expiryRangeFor(offset, after, until);
          if (sendAt > after.getTime() && sendAt <= until.getTime()) {
            expect(expiresOn >= from && expiresOn <= to).toBe(true);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
