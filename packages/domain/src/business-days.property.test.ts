import fc from 'fast-check';
import { addDays, isoDateToUtcMs } from './calendar';
import { createSendCalendar, isClosedDay, MAX_SHIFT_DAYS, sendDayFor, type SendCalendar } from './business-days';
import { expiryRangeFor, planReminders, sendAtFor } from './reminder-policy';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** DST zones (gaps and overlaps on Sundays in Europe/America, on other days elsewhere), odd offsets, both date-line edges. */
const ZONES = [
  'UTC', 'Europe/Berlin', 'America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Chatham',
  'Pacific/Kiritimati', 'Etc/GMT+12', 'Asia/Kolkata', 'America/Santiago', 'Africa/Casablanca', 'Asia/Tehran',
];
const zoneArb = fc.constantFrom(...ZONES);
const dateArb = fc.integer({ min: 0, max: 4 * 365 }).map((n) => addDays('2026-01-01', n));
/** Weekends on or off, and up to 12 holidays in 2026..2029, global or in one of the zones. */
const calendarArb: fc.Arbitrary<SendCalendar> = fc.record({
  skipWeekends: fc.boolean(),
  holidays: fc.array(fc.tuple(dateArb, fc.option(zoneArb)).map(([d, z]) => (z === null ? d : `${z} ${d}`)), { maxLength: 12 }),
}).map((c) => createSendCalendar(c));

const wallClock = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .format(instant).replace(',', '');
const daysBetween = (a: string, b: string) => Math.round((isoDateToUtcMs(b) - isoDateToUtcMs(a)) / DAY);

describe('business days in any zone (property)', () => {
  it('moves a closed send day to the nearest open day: back before expiry, forward on or after it; 09:00 local there', () => {
    fc.assert(
      fc.property(zoneArb, dateArb, fc.integer({ min: -60, max: 60 }), calendarArb, (timeZone, expiresOn, offset, calendar) => {
        const own = addDays(expiresOn, -offset);
        const day = sendDayFor(expiresOn, offset, timeZone, calendar);
        const shift = daysBetween(own, day);
        expect(Math.abs(shift)).toBeLessThanOrEqual(calendar.maxShiftDays);
        if (offset > 0) {
          expect(shift).toBeLessThanOrEqual(0);
          expect(day < expiresOn).toBe(true);
        } else {
          expect(shift).toBeGreaterThanOrEqual(0);
          expect(day >= expiresOn).toBe(true);
        }
        // Every day passed over is closed; the day reached is open (or nothing moved).
        for (let i = 0; i !== shift; i += Math.sign(shift)) expect(isClosedDay(calendar, addDays(own, i), timeZone)).toBe(true);
        if (shift !== 0 || !isClosedDay(calendar, own, timeZone)) expect(isClosedDay(calendar, day, timeZone)).toBe(false);
        else expect(calendar.maxShiftDays).toBe(MAX_SHIFT_DAYS);
        // 09:00 on that day in the zone (none of these zones skips 09:00).
        expect(wallClock(sendAtFor(expiresOn, offset, timeZone, calendar), timeZone)).toBe(`${day} 09:00`);
      }),
      { numRuns: 3000 },
    );
  });

  it('with weekends skipped no reminder goes out on a Saturday or Sunday in its zone', () => {
    const weekends = createSendCalendar({ skipWeekends: true });
    fc.assert(
      fc.property(zoneArb, dateArb, fc.integer({ min: -366, max: 366 }), (timeZone, expiresOn, offset) => {
        const weekday = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(sendAtFor(expiresOn, offset, timeZone, weekends));
        expect(['Sat', 'Sun']).not.toContain(weekday);
      }),
      { numRuns: 2000 },
    );
  });

  it('the widened expiry range contains the expiry of any moved reminder in the window', () => {
    fc.assert(
      fc.property(
        zoneArb, fc.integer({ min: -366, max: 366 }), fc.integer({ min: 0, max: 3 * 365 * 24 }), fc.integer({ min: 1, max: 72 }),
        fc.integer({ min: -20, max: 20 }), calendarArb,
        (timeZone, offset, startHour, lengthHours, jitterDays, calendar) => {
          const after = new Date(Date.parse('2026-01-01T00:00:00Z') + startHour * HOUR + 17 * 60_000);
          const until = new Date(after.getTime() + lengthHours * HOUR);
          const expiresOn = addDays(after.toISOString().slice(0, 10), offset + jitterDays);
          const sendAt = sendAtFor(expiresOn, offset, timeZone, calendar).getTime();
          const { from, to } = expiryRangeFor(offset, after, until, calendar.maxShiftDays);
          if (sendAt > after.getTime() && sendAt <= until.getTime()) expect(expiresOn >= from && expiresOn <= to).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('scans at any timing plan each moved reminder exactly once, at its moved time (catch-up included)', () => {
    fc.assert(
      fc.property(
        zoneArb, dateArb, calendarArb, fc.uniqueArray(fc.integer({ min: -40, max: 70 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: -80, max: 30 }),
        fc.array(fc.oneof(fc.integer({ min: 60_000, max: DAY }), fc.integer({ min: DAY, max: 20 * DAY })), { minLength: 1, maxLength: 60 }),
        (timeZone, expiresOn, calendar, offsets, startDay, gaps) => {
          const scans = [sendAtFor(expiresOn, 0, 'UTC').getTime() + startDay * DAY];
          for (const gap of gaps) scans.push(scans[scans.length - 1]! + gap);
          const seen = new Map<number, number>();
          let after: Date | null = null;
          for (const now of scans) {
            const until = new Date(now + DAY);
            const plans = planReminders({ kind: 'license', expiresOn, timeZone, offsets: { license: offsets, maintenance: [] }, after, until, now: new Date(now), calendar });
            for (const p of plans) {
              expect(seen.has(p.offsetDays)).toBe(false);
              expect(p.sendAt.getTime()).toBe(sendAtFor(expiresOn, p.offsetDays, timeZone, calendar).getTime());
              seen.set(p.offsetDays, p.sendAt.getTime());
            }
            // Of the reminders already due at this scan only the latest is queued; of several moved
            // onto that one time, the one nearest expiry.
            const due = plans.filter((p) => p.sendAt.getTime() <= now);
            const latest = Math.max(...due.map((p) => p.sendAt.getTime()));
            const nearest = Math.min(...due.filter((p) => p.sendAt.getTime() === latest).map((p) => p.offsetDays));
            for (const p of due) expect(p.status).toBe(p.sendAt.getTime() === latest && p.offsetDays === nearest ? 'queued' : 'skipped');
            after = until;
          }
          const lastUntil = scans[scans.length - 1]! + DAY;
          const expected = offsets.filter((o) => sendAtFor(expiresOn, o, timeZone, calendar).getTime() <= lastUntil);
          expect([...seen.keys()].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
        },
      ),
      { numRuns: 300 },
    );
  });
});
