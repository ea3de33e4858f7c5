/**
 * The locales templates are offered in (test sends, the admin preview page, `--locale` choices):
 * the domain's shipped locales, default first. One list: adding a language is a change to
 * `SUPPORTED_LOCALES` in @tickler/domain and a catalog per template, nowhere else.
 */
import { isSupportedLocale as isShipped, SUPPORTED_LOCALES, type SupportedLocale } from '@tickler/domain';

export const DEFAULT_LOCALE: SupportedLocale = 'en';

/** The locales every template is rendered in, default first. */
export function supportedLocales(): readonly SupportedLocale[] {
  return SUPPORTED_LOCALES;
}

/** True when `locale` is one of `supportedLocales()` (exact tag, e.g. `en`, `zh-CN`). */
export function isSupportedLocale(locale: string): locale is SupportedLocale {
  return isShipped(locale);
}
