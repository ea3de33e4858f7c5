import { latestDueDay } from './demo-data';

describe('latestDueDay (the demo makes reminders due right now in every zone)', () => {
  it.each([
    // 07:00 UTC: 08:00 in Berlin (before 09:00 → yesterday), 16:00 in Tokyo (today), 02:00 in New York (yesterday)
    ['2026-11-27T07:00:00Z', 'Europe/Berlin', '2026-11-26'],
    ['2026-11-27T07:00:00Z', 'Asia/Tokyo', '2026-11-27'],
    ['2026-11-27T07:00:00Z', 'America/New_York', '2026-11-26'],
    // exactly 09:00 local counts as due
    ['2026-11-27T08:00:00Z', 'Europe/Berlin', '2026-11-27'],
    // 23:30 UTC is already the next day in Tokyo (08:30, not due yet) → the Tokyo date before
    ['2026-11-27T23:30:00Z', 'Asia/Tokyo', '2026-11-27'],
    ['2026-11-28T00:30:00Z', 'Asia/Tokyo', '2026-11-28'],
    // DST: on 2026-03-29 Berlin switches to UTC+2, so 09:00 local is 07:00 UTC
    ['2026-03-29T07:00:00Z', 'Europe/Berlin', '2026-03-29'],
    ['2026-03-29T06:59:00Z', 'Europe/Berlin', '2026-03-28'],
  ])('at %s in %s → %s', (now, zone, day) => {
    expect(latestDueDay(zone, new Date(now))).toBe(day);
  });
});
