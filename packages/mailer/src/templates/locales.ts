/**
 * The locales emails are rendered in. One list, read through `supportedLocales()` by everything
 * that offers or checks a locale (test sends, the admin preview page), so adding languages is a
 * change here (and in the renderer), nowhere else.
 */
export const DEFAULT_LOCALE = 'en';
const SUPPORTED_LOCALES: readonly string[] = [DEFAULT_LOCALE];

/** The locales every template is rendered in, default first. */
export function supportedLocales(): readonly string[] {
  return SUPPORTED_LOCALES;
}

/** True when `locale` is one of `supportedLocales()` (exact tag, e.g. `en`). */
export function isSupportedLocale(locale: string): boolean {
  return SUPPORTED_LOCALES.includes(locale);
}
