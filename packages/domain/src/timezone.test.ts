import { DomainError } from './errors';
import { assertTimeZone, zonedWallTimeToInstant, zoneOffsetMs } from './timezone';

describe('assertTimeZone', () => {
  it.each([
    ['UTC', 'UTC'],
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    [' America/New_York ', 'America/New_York'],
    ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
    ['Pacific/Kiritimati', 'Pacific/Kiritimati'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
  ])('accepts %j as %j', (input, canonical) => {
    expect(assertTimeZone(input)).toBe(canonical);
  });

  it.each(['', 'Mars/Olympus_Mons', 'Europe/Berlinn', '+01:00', 'Europe/../Berlin', 'Europe/Berlin; DROP'])('refuses %j', (input) => {
    expect(() => assertTimeZone(input)).toThrow(DomainError);
    try {
      assertTimeZone(input);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_time_zone', field: 'timeZone' });
      expect((error as Error).message).toContain('IANA time zone');
    }
  });
});

describe('zone offsets', () => {
  it('knows Berlin winter and summer time', () => {
    expect(zoneOffsetMs('Europe/Berlin', Date.parse('2027-01-15T12:00:00Z'))).toBe(3_600_000);
    expect(zoneOffsetMs('Europe/Berlin', Date.parse('2027-07-15T12:00:00Z'))).toBe(7_200_000);
    expect(zoneOffsetMs('America/New_York', Date.parse('2027-07-15T12:00:00Z'))).toBe(-4 * 3_600_000);
  });

  it('maps a wall time in a spring-forward gap to the end of the gap', () => {
    // Berlin 2027-03-28: 02:00 CET jumps to 03:00 CEST (01:00Z).
    expect(zonedWallTimeToInstant(Date.parse('2027-03-28T02:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2027-03-28T01:00:00.000Z');
  });

  it('maps a repeated fall-back wall time to its first occurrence', () => {
    // Berlin 2027-10-31: 03:00 CEST goes back to 02:00 CET; 02:30 happens at 00:30Z and 01:30Z.
    expect(zonedWallTimeToInstant(Date.parse('2027-10-31T02:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2027-10-31T00:30:00.000Z');
  });
});

describe('a skipped calendar day', () => {
  it('maps 09:00 on the day Samoa skipped (2011-12-30) to the first instant after the gap', () => {
    // Pacific/Apia jumped from 2011-12-29 24:00 (−10) straight to 2011-12-31 00:00 (+14) at 10:00Z.
    expect(zonedWallTimeToInstant(Date.parse('2011-12-30T09:00:00Z'), 'Pacific/Apia').toISOString()).toBe('2011-12-30T10:00:00.000Z');
  });
});
