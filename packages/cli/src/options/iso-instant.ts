/**
 * Strict ISO 8601 instants for command-line options such as `--now`. `new Date()` is lenient in
 * ways an operator never means: `2026-02-30` becomes 2 March, `T24:00` the next day, and a time
 * without a zone is read in the machine's zone. Here every field must round-trip unchanged.
 */

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Minutes east of UTC for `Z` / `+01:00` / `-05:30`; null when out of range. */
function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  return hours <= 23 && minutes <= 59 ? sign * (hours * 60 + minutes) : null;
}

/**
 * Parses `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z` or `±HH:MM`.
 * Returns null for anything else, including dates that do not exist (`2026-02-30`, `2027-02-29`)
 * and times out of range (`24:00`, `:60`).
 */
export function parseIsoInstant(text: string): Date | null {
  const match = INSTANT.exec(text);
  if (!match) return null;
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  const [hour, minute, second] = [match[4], match[5], match[6]].map((v) => Number(v ?? 0)) as [number, number, number];
  const offset = offsetMinutes(match[8]);
  if (offset === null) return null;
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second, match[7] ? Math.round(Number(match[7]) * 1000) : 0));
  // Date.UTC rolls out-of-range fields over (30 February → 2 March): a field that changed was not real.
  const roundTrips = wall.getUTCFullYear() === year && wall.getUTCMonth() === month - 1 && wall.getUTCDate() === day
    && wall.getUTCHours() === hour && wall.getUTCMinutes() === minute && wall.getUTCSeconds() === second;
  return roundTrips ? new Date(wall.getTime() - offset * 60_000) : null;
}
