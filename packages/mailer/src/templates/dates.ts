/** Dates as shown in emails, in the email's locale. Formatters are built once per locale (Intl construction is slow). */
import { isoDateToUtcMs, type IsoDate, type SupportedLocale } from '@tickler/domain';

/** English dates read "31 January 2027" (day first, unambiguous on both sides of the Atlantic). */
const FORMAT_LOCALE: Partial<Record<SupportedLocale, string>> = { en: 'en-GB' };
const displays = new Map<SupportedLocale, Intl.DateTimeFormat>();

function display(locale: SupportedLocale): Intl.DateTimeFormat {
  let format = displays.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(FORMAT_LOCALE[locale] ?? locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
    displays.set(locale, format);
  }
  return format;
}

/** "2027-01-31" → "31 January 2027" (en), "31. Januar 2027" (de), "2027年1月31日" (ja). */
export function displayDate(date: IsoDate, locale: SupportedLocale): string {
  return display(locale).format(new Date(isoDateToUtcMs(date)));
}

/** An instant's UTC calendar day for display, e.g. an invitation's last day. */
export function displayInstant(at: Date, locale: SupportedLocale): string {
  return display(locale).format(at);
}
