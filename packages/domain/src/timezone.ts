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

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Offset of `timeZone` from UTC at instant `epochMs`, in milliseconds (Berlin in summer: +7 200 000). */
export function zoneOffsetMs(timeZone: string, epochMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  const wholeSeconds = Math.floor(epochMs / 1000) * 1000;
  return asUtc - wholeSeconds;
}

/**
 * The instant at which the wall clock in `timeZone` shows `localMs` (a wall-clock time encoded as if
 * it were UTC). A wall time skipped by a daylight-saving gap maps to the first instant after the gap,
 * so "no earlier than" holds; a repeated wall time maps to its first occurrence.
 */
export function zonedWallTimeToInstant(localMs: number, timeZone: string): Date {
  const firstGuess = localMs - zoneOffsetMs(timeZone, localMs);
  const offsetAtGuess = zoneOffsetMs(timeZone, firstGuess);
  const candidates = [localMs - offsetAtGuess, firstGuess, localMs - zoneOffsetMs(timeZone, localMs - 86_400_000), localMs - zoneOffsetMs(timeZone, localMs + 86_400_000)];
  const exact = candidates.filter((t) => t + zoneOffsetMs(timeZone, t) === localMs).sort((a, b) => a - b);
  if (exact[0] !== undefined) return new Date(exact[0]);
  // In a gap: the wall clock jumps over localMs. The transition instant lies between the two
  // candidates; the earliest instant whose wall time is >= localMs is the transition itself.
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  while (high - low > 1000) {
    const mid = Math.floor((low + high) / 2000) * 1000;
    if (mid + zoneOffsetMs(timeZone, mid) >= localMs) high = mid;
    else low = mid;
  }
  return new Date(high);
}
