import { DomainError } from './errors';

/** Shape of an IANA zone name (`UTC`, `Europe/Berlin`, `America/Argentina/Buenos_Aires`, `Etc/GMT+12`). */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * Checks that `tz` is an IANA time zone known to this runtime and returns it with ICU's
 * capitalization (e.g. `europe/berlin` → `Europe/Berlin`; aliases like `Asia/Kolkata` are kept). Offsets like `+01:00` and abbreviations like `CET` that
 * the runtime does not know are refused: daylight-saving rules need a real zone.
 * @throws DomainError `invalid_time_zone`
 */
export function assertTimeZone(tz: string): string {
  const trimmed = typeof tz === 'string' ? tz.trim() : '';
  if (!IANA_NAME.test(trimmed)) {
    throw new DomainError('invalid_time_zone', `"${String(tz)}" is not an IANA time zone name (e.g. "Europe/Berlin" or "UTC").`, 'timeZone');
  }
  try {
    // ICU may resolve to a legacy alias (Asia/Kolkata → Asia/Calcutta); keep the caller's name and
    // only take ICU's spelling when it is the same name in another case.
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === trimmed.toLowerCase() ? resolved : trimmed;
  } catch {
    throw new DomainError('invalid_time_zone', `"${trimmed}" is not a known IANA time zone (e.g. "Europe/Berlin" or "UTC").`, 'timeZone');
  }
}

const DAY_MS = 86_400_000;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const OFFSET_TEXT = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

function offsetFormatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    // `longOffset` prints "GMT+01:00" (or "GMT"); format() is several times faster than formatToParts().
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Offset of `timeZone` from UTC at instant `epochMs`, in milliseconds (Berlin in summer: +7 200 000). */
export function zoneOffsetMs(timeZone: string, epochMs: number): number {
  const text = offsetFormatterFor(timeZone).format(epochMs);
  const match = OFFSET_TEXT.exec(text);
  if (!match) throw new DomainError('invalid_time_zone', `Cannot read the UTC offset of "${timeZone}" (got "${text}").`, 'timeZone');
  if (match[1] === undefined) return 0;
  const magnitude = Number(match[2]) * 3_600_000 + Number(match[3] ?? 0) * 60_000 + Number(match[4] ?? 0) * 1000;
  return match[1] === '-' ? -magnitude : magnitude;
}

/**
 * The instant at which the wall clock in `timeZone` shows `localMs` (a wall-clock time encoded as if
 * it were UTC). A wall time skipped by a daylight-saving gap maps to the first instant after the gap,
 * so "no earlier than" holds; a repeated wall time maps to its first occurrence. Assumes at most one
 * offset change within a day either side, which holds for every IANA zone since 1970.
 */
export function zonedWallTimeToInstant(localMs: number, timeZone: string): Date {
  const offsetBefore = zoneOffsetMs(timeZone, localMs - DAY_MS);
  const offsetAfter = zoneOffsetMs(timeZone, localMs + DAY_MS);
  const early = localMs - Math.max(offsetBefore, offsetAfter);
  const late = localMs - Math.min(offsetBefore, offsetAfter);
  if (offsetBefore === offsetAfter && zoneOffsetMs(timeZone, early) === offsetBefore) return new Date(early);
  const wallAt = (t: number) => t + zoneOffsetMs(timeZone, t);
  // Earliest exact match first: in a fall-back overlap both are exact and the first occurrence wins.
  for (const t of [early, late]) if (wallAt(t) === localMs) return new Date(t);
  // In a gap the wall clock jumps over localMs: return the transition, the first instant whose
  // wall time is at or after localMs (found to the second between the two candidates).
  let low = early;
  let high = late;
  while (high - low > 1000) {
    const mid = Math.floor((low + high) / 2000) * 1000;
    if (wallAt(mid) >= localMs) high = mid;
    else low = mid;
  }
  return new Date(high);
}
