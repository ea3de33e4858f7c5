/**
 * The holiday file named by `REMINDER_HOLIDAYS` (the CLI reads it; this parses its text):
 *
 * ```
 * # comment lines and blank lines are ignored; so is anything after " #"
 * 2026-12-25                    every organization
 * Europe/Berlin 2026-10-03      organizations whose time zone is Europe/Berlin
 * ```
 *
 * Keyed by the organization's IANA time zone, which every order already carries (and every send
 * time is computed in), so holidays need no new organization field.
 */
import { isIsoDate } from './calendar';
import { DomainError } from './errors';
import { holidayKey } from './business-days';
import { assertTimeZone } from './timezone';

/** Most holidays a file may list (a decade of several countries' holidays fits easily). */
export const MAX_HOLIDAYS = 10_000;

/**
 * The holiday keys of a holiday file's text, in file order, duplicates dropped.
 * @throws DomainError `invalid_holidays` naming `variable`, the line number and what is wrong
 */
export function parseHolidayFile(text: string, variable = 'REMINDER_HOLIDAYS'): string[] {
  const keys = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const fail = (why: string) => new DomainError('invalid_holidays', `${variable} line ${index + 1}: ${why}`, variable);
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    if (parts.length > 2) throw fail(`"${line}" is not "YYYY-MM-DD" or "<time zone> YYYY-MM-DD".`);
    const date = parts[parts.length - 1]!;
    if (!isIsoDate(date)) throw fail(`"${date}" is not a calendar date (YYYY-MM-DD).`);
    let zone: string | null = null;
    if (parts.length === 2) {
      try {
        zone = assertTimeZone(parts[0]!);
      } catch {
        throw fail(`"${parts[0]}" is not a known IANA time zone (e.g. "Europe/Berlin").`);
      }
    }
    keys.add(holidayKey(date, zone));
    if (keys.size > MAX_HOLIDAYS) throw fail(`more than ${MAX_HOLIDAYS} holidays.`);
  });
  return [...keys];
}
