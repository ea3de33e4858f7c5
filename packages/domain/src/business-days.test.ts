import { createSendCalendar, EVERY_DAY_OPEN, isClosedDay, MAX_SHIFT_DAYS, sendCalendarFromText, sendCalendarText, sendDayFor } from './business-days';
import { parseHolidayFile } from './holiday-file';
import { expiryRangeFor, planReminders, sendAtFor } from './reminder-policy';
import { forecastReminders } from './forecast';

const weekends = createSendCalendar({ skipWeekends: true });

describe('sendDayFor with weekends skipped', () => {
  it('moves a Saturday or Sunday before expiry back to Friday', () => {
    // 2026-12-13 is a Sunday: 1 day before → Saturday 12th, 2 days before → Friday 11th (not moved).
    expect(sendDayFor('2026-12-13', 1, 'Europe/Berlin', weekends)).toBe('2026-12-11');
    expect(sendDayFor('2026-12-14', 1, 'Europe/Berlin', weekends)).toBe('2026-12-11');
    expect(sendDayFor('2026-12-13', 2, 'Europe/Berlin', weekends)).toBe('2026-12-11');
  });

  it('moves a send day on or after the expiry day forward to Monday', () => {
    expect(sendDayFor('2026-12-13', 0, 'UTC', weekends)).toBe('2026-12-14');
    expect(sendDayFor('2026-12-12', 0, 'UTC', weekends)).toBe('2026-12-14');
    expect(sendDayFor('2026-12-05', -7, 'UTC', weekends)).toBe('2026-12-14');
  });

  it('leaves business days alone, and every day when the calendar is open', () => {
    expect(sendDayFor('2026-12-16', 1, 'UTC', weekends)).toBe('2026-12-15');
    expect(sendDayFor('2026-12-13', 1, 'UTC')).toBe('2026-12-12');
    expect(sendDayFor('2026-12-13', 1, 'UTC', EVERY_DAY_OPEN)).toBe('2026-12-12');
  });

  it('keeps 09:00 local on the moved day across a daylight-saving change (Berlin, Sunday 2026-03-29 and 2026-10-25)', () => {
    // Sunday 29 March (clocks go forward) one day before a Monday expiry → Friday 27th, 09:00 CET.
    expect(sendAtFor('2026-03-30', 1, 'Europe/Berlin', weekends).toISOString()).toBe('2026-03-27T08:00:00.000Z');
    // Expiry on Sunday 25 October (clocks go back) → Monday 26th, 09:00 CET (UTC+1).
    expect(sendAtFor('2026-10-25', 0, 'Europe/Berlin', weekends).toISOString()).toBe('2026-10-26T08:00:00.000Z');
    // Saturday 24 October, 09:00 CEST before the change → Friday 23rd, 09:00 CEST (UTC+2).
    expect(sendAtFor('2026-10-26', 2, 'Europe/Berlin', weekends).toISOString()).toBe('2026-10-23T07:00:00.000Z');
  });
});

describe('holidays', () => {
  const calendar = createSendCalendar({ skipWeekends: true, holidays: parseHolidayFile('2026-12-25\nEurope/Berlin 2026-12-24\n') });

  it('closes global holidays everywhere and zone holidays only in their zone', () => {
    expect(isClosedDay(calendar, '2026-12-25', 'Asia/Tokyo')).toBe(true);
    expect(isClosedDay(calendar, '2026-12-24', 'Europe/Berlin')).toBe(true);
    expect(isClosedDay(calendar, '2026-12-24', 'Asia/Tokyo')).toBe(false);
    // Christmas Day 2026 is a Friday: a reminder due then goes out Thursday in Tokyo, Wednesday in Berlin.
    expect(sendDayFor('2027-01-01', 7, 'Asia/Tokyo', calendar)).toBe('2026-12-24');
    expect(sendDayFor('2027-01-01', 7, 'Europe/Berlin', calendar)).toBe('2026-12-23');
    // On expiry (Friday 25th) → Monday 28th.
    expect(sendDayFor('2026-12-25', 0, 'Europe/Berlin', calendar)).toBe('2026-12-28');
  });

  it('holidays apply with weekends not skipped too', () => {
    const onlyHolidays = createSendCalendar({ skipWeekends: false, holidays: ['2026-12-25'] });
    expect(sendDayFor('2026-12-26', 1, 'UTC', onlyHolidays)).toBe('2026-12-24');
    expect(sendDayFor('2026-12-25', 0, 'UTC', onlyHolidays)).toBe('2026-12-26');
  });

  it('bounds moves: maxShiftDays is the longest closed run, and a run past the limit does not move', () => {
    expect(EVERY_DAY_OPEN.maxShiftDays).toBe(0);
    expect(weekends.maxShiftDays).toBe(2);
    // Thu 24 (Berlin) + Fri 25 + Sat + Sun = 4 closed days in Berlin.
    expect(calendar.maxShiftDays).toBe(4);
    const days = Array.from({ length: 20 }, (_, i) => `2027-03-${String(i + 1).padStart(2, '0')}`);
    const closedMonth = createSendCalendar({ skipWeekends: false, holidays: days });
    expect(closedMonth.maxShiftDays).toBe(MAX_SHIFT_DAYS);
    expect(sendDayFor('2027-03-20', 10, 'UTC', closedMonth)).toBe('2027-02-28');
    // Forward from 2 March, 1..20 March closed: no open day within 14 days, so not moved.
    expect(sendDayFor('2027-03-02', 0, 'UTC', closedMonth)).toBe('2027-03-02');
  });

  it('survives the text form the SQL functions receive', () => {
    const back = sendCalendarFromText(sendCalendarText(calendar));
    expect(back.skipWeekends).toBe(true);
    expect([...back.holidays].sort()).toEqual(['2026-12-25', 'Europe/Berlin 2026-12-24']);
    expect(back.maxShiftDays).toBe(4);
    expect(() => sendCalendarFromText('{"skipWeekends":"yes","holidays":[]}')).toThrow('not a send calendar');
  });
});

describe('the rule everywhere send times are computed', () => {
  it('planReminders, expiryRangeFor and the forecast follow the calendar', () => {
    const offsets = { license: [1, 0], maintenance: [] };
    const plans = planReminders({
      kind: 'license', expiresOn: '2026-12-13', timeZone: 'UTC', offsets, after: null,
      until: new Date('2026-12-31T00:00:00Z'), now: new Date('2026-12-01T00:00:00Z'), calendar: weekends,
    });
    expect(plans.map((p) => [p.offsetDays, p.sendAt.toISOString()])).toEqual([[1, '2026-12-11T09:00:00.000Z'], [0, '2026-12-14T09:00:00.000Z']]);
    const range = expiryRangeFor(1, new Date('2026-12-11T00:00:00Z'), new Date('2026-12-12T00:00:00Z'), weekends.maxShiftDays);
    expect(range).toEqual({ from: '2026-12-09', to: '2026-12-16' });
    const days = forecastReminders({
      orders: [{ id: 'o', kind: 'license', expiresOn: '2026-12-13', timeZone: 'UTC' }], offsets,
      from: new Date('2026-12-10T00:00:00Z'), days: 6, calendar: weekends,
    });
    expect(days.filter((d) => d.counts.license > 0).map((d) => d.date)).toEqual(['2026-12-11', '2026-12-14']);
  });
});

describe('parseHolidayFile', () => {
  it('reads global and per-zone dates, comments and blank lines', () => {
    expect(parseHolidayFile('# public holidays\n\n2026-12-25  # Christmas\n europe/berlin   2026-10-03\r\n2026-12-25\n'))
      .toEqual(['2026-12-25', 'Europe/Berlin 2026-10-03']);
  });

  it.each([
    ['2026-12-25\n2026-02-30\n', 'REMINDER_HOLIDAYS line 2: "2026-02-30" is not a calendar date (YYYY-MM-DD).'],
    ['25.12.2026', 'REMINDER_HOLIDAYS line 1: "25.12.2026" is not a calendar date (YYYY-MM-DD).'],
    ['\n\nMars/Olympus 2026-10-03', 'REMINDER_HOLIDAYS line 3: "Mars/Olympus" is not a known IANA time zone (e.g. "Europe/Berlin").'],
    ['DE 2026-10-03 extra', 'REMINDER_HOLIDAYS line 1: "DE 2026-10-03 extra" is not "YYYY-MM-DD" or "<time zone> YYYY-MM-DD".'],
  ])('refuses %j with a message naming the line', (text, message) => {
    expect(() => parseHolidayFile(text)).toThrow(message);
  });
});
