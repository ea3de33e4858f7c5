import { addDays, isIsoDate, isoDateToUtcMs, utcMsToIsoDate } from './calendar';

describe('calendar dates', () => {
  it('adds days across month ends and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2027-01-31', -60)).toBe('2026-12-02');
  });

  it('refuses dates that do not exist', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('2027-1-05')).toBe(false);
    expect(isIsoDate('0999-12-31')).toBe(false);
    expect(isIsoDate('2027-04-31')).toBe(false);
    expect(isIsoDate('2027-00-10')).toBe(false);
    expect(isIsoDate('2027-12-31')).toBe(true);
    expect(() => isoDateToUtcMs('2027-13-01', 'licenseExpiresOn')).toThrow(expect.objectContaining({ code: 'invalid_date', field: 'licenseExpiresOn' }));
  });

  it('gives the UTC date of an instant', () => {
    expect(utcMsToIsoDate(new Date('2027-03-27T23:59:59.999Z'))).toBe('2027-03-27');
  });
});
