import { DomainError } from './errors';
import {
  supersedingReminder,
  checkReminderStillValid,
  DEFAULT_OFFSETS,
  expiryRangeFor,
  parseOffsets,
  planReminders,
  reminderVariant,
  sendAtFor,
} from './reminder-policy';
import { addDays } from './calendar';
import { createSendCalendar } from './business-days';

const iso = (d: Date) => d.toISOString();
const at = (text: string) => new Date(text);

describe('DEFAULT_OFFSETS', () => {
  it('are the SPEC defaults and cannot be mutated', () => {
    expect(DEFAULT_OFFSETS).toEqual({ license: [60, 30, 14, 7, 1, 0, -7], maintenance: [60, 30, 7, 0, -30] });
    expect(() => DEFAULT_OFFSETS.license.push(5)).toThrow();
  });
});

describe('parseOffsets', () => {
  it('parses, trims and sorts earliest reminder first', () => {
    expect(parseOffsets(' 7, 60 ,-7,0,+1 ', 'REMINDER_OFFSETS_LICENSE')).toEqual([60, 7, 1, 0, -7]);
    expect(parseOffsets('-0', 'X')).toEqual([0]);
  });

  it.each([
    ['', 'no offsets given'],
    ['   ', 'no offsets given'],
    ['60,,30', 'an empty item between commas'],
    ['60,30,', 'an empty item between commas'],
    ['60,thirty', '"thirty" is not a whole number of days'],
    ['7.5', '"7.5" is not a whole number of days'],
    ['1e2', '"1e2" is not a whole number of days'],
    ['400', '400 is outside -366..366 days'],
    ['30,7,30', '30 is listed twice'],
    ['0,-0', '0 is listed twice'],
  ])('refuses %j with "%s", naming the variable', (text, why) => {
    let thrown: unknown;
    try {
      parseOffsets(text, 'REMINDER_OFFSETS_MAINTENANCE');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'invalid_offsets', field: 'REMINDER_OFFSETS_MAINTENANCE' });
    expect((thrown as Error).message).toMatch(/^REMINDER_OFFSETS_MAINTENANCE: /);
    expect((thrown as Error).message).toContain(why);
  });

  it('names every bad item at once, not only the first', () => {
    expect(() => parseOffsets('1,1,x,,400', 'REMINDER_OFFSETS_LICENSE')).toThrow(
      'REMINDER_OFFSETS_LICENSE: 1 is listed twice, "x" is not a whole number of days, an empty item between commas, 400 is outside -366..366 days (expected whole days before expiry, e.g. "60,30,7,0,-30")',
    );
  });
});

describe('sendAtFor (09:00 organization-local)', () => {
  it.each([
    // UTC and a fixed zone
    ['2027-01-31', 0, 'UTC', '2027-01-31T09:00:00.000Z'],
    ['2027-01-31', 60, 'UTC', '2026-12-02T09:00:00.000Z'],
    ['2027-01-31', -7, 'UTC', '2027-02-07T09:00:00.000Z'],
    ['2027-01-31', 0, 'Asia/Kolkata', '2027-01-31T03:30:00.000Z'],
    // Europe/Berlin: CET +1 until 2027-03-28 01:00Z, then CEST +2 until 2027-10-31 01:00Z
    ['2027-03-27', 0, 'Europe/Berlin', '2027-03-27T08:00:00.000Z'],
    ['2027-03-28', 0, 'Europe/Berlin', '2027-03-28T07:00:00.000Z'],
    ['2027-04-04', 7, 'Europe/Berlin', '2027-03-28T07:00:00.000Z'],
    ['2027-10-30', 0, 'Europe/Berlin', '2027-10-30T07:00:00.000Z'],
    ['2027-10-31', 0, 'Europe/Berlin', '2027-10-31T08:00:00.000Z'],
    ['2027-11-01', 1, 'Europe/Berlin', '2027-10-31T08:00:00.000Z'],
    // America/New_York: EDT from 2027-03-14, EST from 2027-11-07
    ['2027-03-13', 0, 'America/New_York', '2027-03-13T14:00:00.000Z'],
    ['2027-03-14', 0, 'America/New_York', '2027-03-14T13:00:00.000Z'],
    ['2027-11-06', 0, 'America/New_York', '2027-11-06T13:00:00.000Z'],
    ['2027-11-07', 0, 'America/New_York', '2027-11-07T14:00:00.000Z'],
    // Leap day 2028-02-29
    ['2028-03-30', 30, 'UTC', '2028-02-29T09:00:00.000Z'],
    ['2028-02-29', 0, 'Europe/Berlin', '2028-02-29T08:00:00.000Z'],
    ['2028-02-29', -1, 'UTC', '2028-03-01T09:00:00.000Z'],
    ['2028-02-29', 1, 'UTC', '2028-02-28T09:00:00.000Z'],
    ['2029-03-01', 1, 'UTC', '2029-02-28T09:00:00.000Z'],
    // Extreme zones: the same calendar day is 25 hours apart
    ['2027-01-01', 0, 'Pacific/Kiritimati', '2026-12-31T19:00:00.000Z'],
    ['2027-01-01', 0, 'Pacific/Pago_Pago', '2027-01-01T20:00:00.000Z'],
  ])('%s minus %i days in %s → %s', (expiresOn, offset, zone, expected) => {
    expect(iso(sendAtFor(expiresOn, offset, zone))).toBe(expected);
  });

  it('refuses an impossible expiry date', () => {
    expect(() => sendAtFor('2027-02-29', 0, 'UTC')).toThrow(expect.objectContaining({ code: 'invalid_date', field: 'expiresOn' }));
  });
});

describe('reminderVariant', () => {
  it('is before / on / after the expiry day', () => {
    expect([60, 1, 0, -1, -30].map(reminderVariant)).toEqual(['before', 'before', 'on', 'after', 'after']);
  });
});

describe('planReminders', () => {
  // License expires 2027-01-31 (UTC): 60→12-02, 30→01-01, 14→01-17, 7→01-24, 1→01-30, 0→01-31, -7→02-07, all 09:00Z.
  const base = { kind: 'license' as const, expiresOn: '2027-01-31', timeZone: 'UTC', offsets: DEFAULT_OFFSETS };
  const plan = (after: string | null, until: string, now: string) =>
    planReminders({ ...base, after: after === null ? null : at(after), until: at(until), now: at(now) }).map((r) => ({
      offsetDays: r.offsetDays,
      sendAt: iso(r.sendAt),
      status: r.status,
      reason: r.reason,
    }));

  it('returns reminders in (after, until]: until inclusive, after exclusive', () => {
    expect(plan('2026-12-31T09:00:00Z', '2027-01-01T09:00:00Z', '2026-12-31T09:00:00Z')).toEqual([
      { offsetDays: 30, sendAt: '2027-01-01T09:00:00.000Z', status: 'queued', reason: null },
    ]);
    expect(plan('2027-01-01T09:00:00Z', '2027-01-02T09:00:00Z', '2027-01-01T09:00:00Z')).toEqual([]);
  });

  it('queues a future reminder (to be delayed until sendAt)', () => {
    const [only, ...rest] = plan('2027-01-29T10:00:00Z', '2027-01-30T10:00:00Z', '2027-01-29T10:00:00Z');
    expect(rest).toEqual([]);
    expect(only).toEqual({ offsetDays: 1, sendAt: '2027-01-30T09:00:00.000Z', status: 'queued', reason: null });
  });

  it('after downtime sends only the latest due reminder and records older ones as superseded', () => {
    expect(plan(null, '2027-01-25T12:00:00Z', '2027-01-24T12:00:00Z')).toEqual([
      { offsetDays: 60, sendAt: '2026-12-02T09:00:00.000Z', status: 'skipped', reason: 'superseded' },
      { offsetDays: 30, sendAt: '2027-01-01T09:00:00.000Z', status: 'skipped', reason: 'superseded' },
      { offsetDays: 14, sendAt: '2027-01-17T09:00:00.000Z', status: 'skipped', reason: 'superseded' },
      { offsetDays: 7, sendAt: '2027-01-24T09:00:00.000Z', status: 'queued', reason: null },
    ]);
  });

  it('queues the latest due reminder and a future one together: a future reminder supersedes nothing', () => {
    // Scan at 2027-01-30T10:00Z after a 3-day outage with 48h look-ahead: offset 1 is due, offset 0 is not yet.
    expect(plan('2027-01-27T08:00:00Z', '2027-02-01T10:00:00Z', '2027-01-30T10:00:00Z')).toEqual([
      { offsetDays: 1, sendAt: '2027-01-30T09:00:00.000Z', status: 'queued', reason: null },
      { offsetDays: 0, sendAt: '2027-01-31T09:00:00.000Z', status: 'queued', reason: null },
    ]);
  });

  it('supersedes by any due reminder of the cycle, even one outside the window', () => {
    // A catch-up window ending before now: offset 14 is in the window, offset 7 (due) is not.
    expect(plan('2027-01-10T00:00:00Z', '2027-01-20T00:00:00Z', '2027-01-25T00:00:00Z')).toEqual([
      { offsetDays: 14, sendAt: '2027-01-17T09:00:00.000Z', status: 'skipped', reason: 'superseded' },
    ]);
  });

  it('offsets a closed weekend moved onto one send time: only the one nearest expiry goes out, as at send time', () => {
    // Expiry Monday 2027-02-01; offsets 3, 2 and 1 fall on Fri, Sat and Sun: weekends closed, all go out Friday 09:00.
    const calendar = createSendCalendar({ skipWeekends: true });
    const friday = at('2027-01-29T09:00:00Z');
    const planned = (now: Date) => planReminders({ kind: 'license', expiresOn: '2027-02-01', timeZone: 'UTC', offsets: { license: [3, 2, 1], maintenance: [] }, after: null, until: at('2027-01-30T00:00:00Z'), now, calendar })
      .map((r) => [r.offsetDays, iso(r.sendAt), r.status]);
    expect(planned(friday)).toEqual([[3, iso(friday), 'skipped'], [2, iso(friday), 'skipped'], [1, iso(friday), 'queued']]);
    // Planned ahead of time nothing is due yet, so nothing is superseded: the send-time check decides.
    expect(planned(at('2027-01-28T10:00:00Z')).map(([, , status]) => status)).toEqual(['queued', 'queued', 'queued']);
  });

  it('uses the kind’s own offsets and time zone', () => {
    const result = planReminders({
      kind: 'maintenance', expiresOn: '2027-03-28', timeZone: 'Europe/Berlin', offsets: DEFAULT_OFFSETS,
      after: at('2027-03-27T00:00:00Z'), until: at('2027-03-29T00:00:00Z'), now: at('2027-03-27T00:00:00Z'),
    });
    expect(result.map((r) => [r.offsetDays, iso(r.sendAt)])).toEqual([[0, '2027-03-28T07:00:00.000Z']]);
    expect(planReminders({ ...base, offsets: { license: [], maintenance: [7] }, after: null, until: at('2030-01-01T00:00:00Z'), now: at('2030-01-01T00:00:00Z') })).toEqual([]);
  });
});

describe('expiryRangeFor', () => {
  const zones = ['UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Etc/GMT+12', 'Pacific/Chatham', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];

  it('widens the window by a day on each side, shifted by the offset', () => {
    expect(expiryRangeFor(30, at('2027-01-01T06:00:00Z'), at('2027-01-02T06:00:00Z'))).toEqual({ from: '2027-01-30', to: '2027-02-02' });
    expect(expiryRangeFor(-7, at('2027-01-01T06:00:00Z'), at('2027-01-02T06:00:00Z'))).toEqual({ from: '2026-12-24', to: '2026-12-27' });
  });

  it('looks back 400 days when there was no previous scan', () => {
    expect(expiryRangeFor(0, null, at('2027-01-31T12:00:00Z'))).toEqual({ from: '2025-12-26', to: '2027-02-01' });
  });

  it('covers every order whose reminder falls in the window in any zone, including +14 and −11/−12', () => {
    const after = at('2027-06-15T00:00:00Z');
    const until = at('2027-06-16T00:00:00Z');
    for (const offset of [60, 7, 0, -30]) {
      const { from, to } = expiryRangeFor(offset, after, until);
      let hits = 0;
      for (let day = -5; day <= 5; day += 1) {
        const expiresOn = addDays('2027-06-15', offset + day);
        for (const zone of zones) {
          const sendAt = sendAtFor(expiresOn, offset, zone).getTime();
          if (sendAt > after.getTime() && sendAt <= until.getTime()) {
            hits += 1;
            expect(expiresOn >= from && expiresOn <= to).toBe(true);
          }
        }
      }
      // Kiritimati's reminders for the 16th and Pago Pago's for the 15th both fall in this UTC day.
      expect(hits).toBeGreaterThanOrEqual(zones.length);
    }
  });

  it('includes Kiritimati (+14) reminders of the next calendar day and Pago Pago (−11) ones of the same day', () => {
    const after = at('2027-06-15T00:00:00Z');
    const until = at('2027-06-16T00:00:00Z');
    expect(iso(sendAtFor('2027-06-16', 0, 'Pacific/Kiritimati'))).toBe('2027-06-15T19:00:00.000Z');
    expect(iso(sendAtFor('2027-06-15', 0, 'Pacific/Pago_Pago'))).toBe('2027-06-15T20:00:00.000Z');
    const { from, to } = expiryRangeFor(0, after, until);
    expect(from <= '2027-06-15' && to >= '2027-06-16').toBe(true);
  });
});

describe('checkReminderStillValid', () => {
  const order = { status: 'active' as const, licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: '2027-06-30' };

  it('accepts an active order with the same expiry', () => {
    expect(checkReminderStillValid({ kind: 'license', expiresOn: '2027-01-31' }, order)).toEqual({ ok: true });
    expect(checkReminderStillValid({ kind: 'maintenance', expiresOn: '2027-06-30' }, order)).toEqual({ ok: true });
  });

  it('drops reminders of missing, cancelled or changed orders', () => {
    expect(checkReminderStillValid({ kind: 'license', expiresOn: '2027-01-31' }, null)).toEqual({ ok: false, reason: 'order-not-found' });
    expect(checkReminderStillValid({ kind: 'license', expiresOn: '2027-01-31' }, { ...order, status: 'cancelled' })).toEqual({ ok: false, reason: 'order-cancelled' });
    expect(checkReminderStillValid({ kind: 'license', expiresOn: '2027-01-31' }, { ...order, licenseExpiresOn: '2028-01-31' })).toEqual({ ok: false, reason: 'expiry-changed' });
    expect(checkReminderStillValid({ kind: 'maintenance', expiresOn: '2027-06-30' }, { ...order, maintenanceExpiresOn: null })).toEqual({ ok: false, reason: 'expiry-changed' });
  });

  it('compares the expiry of the reminder’s own kind only', () => {
    expect(checkReminderStillValid({ kind: 'maintenance', expiresOn: '2027-06-30' }, { ...order, licenseExpiresOn: '2030-01-01' })).toEqual({ ok: true });
  });
});

describe('supersedingReminder', () => {
  const now = new Date('2027-01-30T10:00:00Z');
  const r = (id: number, offsetDays: number, sendAt: string, more: Partial<{ kind: 'license' | 'maintenance'; expiresOn: string; status: string }> = {}) => ({
    id, kind: 'license' as const, expiresOn: '2027-01-31', offsetDays, sendAt: new Date(sendAt), status: 'queued', ...more,
  });
  const seven = r(1, 7, '2027-01-24T09:00:00Z');
  const one = r(2, 1, '2027-01-30T09:00:00Z');

  it('after downtime: a later reminder of the cycle, also due, supersedes an earlier one, queued or already sent', () => {
    expect(supersedingReminder(seven, [seven, one], now)).toBe(one);
    expect(supersedingReminder(seven, [seven, { ...one, status: 'sent' }], now)?.id).toBe(2);
    expect(supersedingReminder(one, [seven, one], now)).toBeNull();
  });

  it('a later reminder not yet due, of another cycle, or cancelled supersedes nothing', () => {
    expect(supersedingReminder(seven, [seven, one], new Date('2027-01-30T08:59:59Z'))).toBeNull();
    expect(supersedingReminder(seven, [r(3, 1, '2027-01-30T09:00:00Z', { kind: 'maintenance' })], now)).toBeNull();
    expect(supersedingReminder(seven, [r(4, 1, '2027-01-30T09:00:00Z', { expiresOn: '2028-01-31' })], now)).toBeNull();
    expect(supersedingReminder(seven, [{ ...one, status: 'cancelled' }], now)).toBeNull();
  });

  it('offsets moved onto one send time (a weekend before a Monday expiry): the one nearest expiry goes out', () => {
    const friday = '2027-01-29T09:00:00Z';
    const cycle = [r(5, 3, friday), r(6, 2, friday), r(7, 1, friday)];
    expect(cycle.map((x) => supersedingReminder(x, cycle, now)?.id ?? null)).toEqual([6, 7, null]);
  });
});
