import { DEFAULT_OFFSETS } from './reminder-policy';
import { forecastReminders } from './forecast';

describe('forecastReminders', () => {
  const orders = [
    { id: 'ORD-1', kind: 'license' as const, expiresOn: '2027-01-31', timeZone: 'UTC' }, // 01-30 09:00Z (1), 01-31 09:00Z (0)
    { id: 'ORD-1', kind: 'maintenance' as const, expiresOn: '2027-01-31', timeZone: 'UTC' }, // 01-31 09:00Z (0)
    { id: 'ORD-2', kind: 'license' as const, expiresOn: '2027-02-01', timeZone: 'Pacific/Kiritimati' }, // +14: 01-30T19:00Z (1), 01-31T19:00Z (0)
    { id: 'ORD-3', kind: 'maintenance' as const, expiresOn: null, timeZone: 'UTC' },
  ];

  it('counts reminders per UTC day of sendAt, by kind, with distinct order ids', () => {
    const days = forecastReminders({ orders, offsets: DEFAULT_OFFSETS, from: new Date('2027-01-30T00:00:00Z'), days: 3 });
    expect(days).toEqual([
      // ORD-2 offset 1: 2027-01-31 09:00 +14 = 2027-01-30T19:00Z
      { date: '2027-01-30', counts: { license: 2, maintenance: 0 }, orderIds: ['ORD-1', 'ORD-2'] },
      { date: '2027-01-31', counts: { license: 2, maintenance: 1 }, orderIds: ['ORD-1', 'ORD-2'] },
      { date: '2027-02-01', counts: { license: 0, maintenance: 0 }, orderIds: [] },
    ]);
  });

  it('leaves out reminders before `from` on the first day', () => {
    const [first] = forecastReminders({ orders, offsets: DEFAULT_OFFSETS, from: new Date('2027-01-30T12:00:00Z'), days: 1 });
    expect(first).toEqual({ date: '2027-01-30', counts: { license: 1, maintenance: 0 }, orderIds: ['ORD-2'] });
  });

  it('uses the given offsets', () => {
    const days = forecastReminders({ orders, offsets: { license: [], maintenance: [1] }, from: new Date('2027-01-30T00:00:00Z'), days: 2 });
    expect(days.map((d) => [d.date, d.counts.license, d.counts.maintenance])).toEqual([['2027-01-30', 0, 1], ['2027-01-31', 0, 0]]);
  });

  it.each([0, -1, 1.5, 367, Number.NaN])('refuses days = %p', (days) => {
    expect(() => forecastReminders({ orders, offsets: DEFAULT_OFFSETS, from: new Date('2027-01-30T00:00:00Z'), days })).toThrow(
      expect.objectContaining({ code: 'invalid_forecast_days', field: 'days' }),
    );
  });
});
