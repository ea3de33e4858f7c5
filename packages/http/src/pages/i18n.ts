/**
 * The language of a recipient page (SPEC §3): the address's choice on the preferences page, else
 * (for a page about one organization) the organization's `locale`, else the browser's
 * `Accept-Language`, else `DEFAULT_LOCALE`; and the page's messages, dates and lists in it.
 */
import type { FastifyRequest } from 'fastify';
import {
  compareCatalogs, createTranslator, joinList, parseAcceptLanguage, resolveLocale, topicLabel,
  type CatalogIssue, type SupportedLocale, type Translate,
} from '@tickler/domain';
import type { HttpDeps } from '../deps';
import { PAGE_CATALOGS } from './messages';

/** A page's language and its messages. */
export interface PageLanguage { locale: SupportedLocale; t: Translate }

const translators = new Map<SupportedLocale, Translate>();

/** Formats page messages in `locale` (one translator per locale, messages parsed once). */
export function pageTranslator(locale: SupportedLocale): Translate {
  let t = translators.get(locale);
  if (!t) {
    t = createTranslator(locale, PAGE_CATALOGS[locale], PAGE_CATALOGS.en);
    translators.set(locale, t);
  }
  return t;
}

export interface PageLocaleOptions {
  /** The address the page is about (its stored language counts). */
  email?: string | null;
  /** The organization the page is about (an invitation, a renewal list). */
  organizationLocale?: string | null;
  /** Newsletter pages: the language the browser sent at sign-up counts too. */
  signUpCounts?: boolean;
}

/** The language of a page that knows nothing of its reader but the request (`Accept-Language`). */
export function requestLanguage(deps: Pick<HttpDeps, 'config'>, request: FastifyRequest): PageLanguage {
  const locale = resolveLocale(parseAcceptLanguage(request.headers['accept-language']), deps.config.defaultLocale ?? 'en');
  return { locale, t: pageTranslator(locale) };
}

/** The language of the page answering `request`. */
export async function pageLanguage(deps: HttpDeps, request: FastifyRequest, options: PageLocaleOptions = {}): Promise<PageLanguage> {
  const stored = options.email ? await deps.store.lists.getLocale(options.email) : null;
  const chosen = stored && (stored.source === 'preferences' || options.signUpCounts) ? stored.locale : null;
  const fallback = requestLanguage(deps, request).locale;
  const locale = resolveLocale([chosen, options.organizationLocale], fallback);
  return { locale, t: pageTranslator(locale) };
}

const instants = new Map<string, Intl.DateTimeFormat>();

/** An instant as the page's reader reads it, to the minute in `timeZone` (an organization's): "10 December 2026 at 09:00 CET". */
export function displayInstant(locale: SupportedLocale, at: Date, timeZone = 'UTC'): string {
  const key = `${locale} ${timeZone}`;
  let format = instants.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, {
      year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short',
    });
    if (instants.size < 1000) instants.set(key, format);
  }
  return format.format(at);
}

/** A wait in words: "45 seconds", "12 minutes" (`Intl.NumberFormat` units). */
export function waitInWords(locale: SupportedLocale, seconds: number): string {
  const [value, unit] = seconds < 90 ? [seconds, 'second'] : [Math.ceil(seconds / 60), 'minute'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/** Topic ids as their labels in one phrase ("Product news and Security advisories"), or "no topic". */
export function topicPhrase(deps: HttpDeps, { locale, t }: PageLanguage, topics: readonly string[]): string {
  if (topics.length === 0) return t('lists.noTopic');
  return joinList(locale, topics.map((id) => topicLabel(deps.config.newsletterTopics, id, locale)));
}

/** Problems between the page catalogs (see `compareCatalogs`); empty when every locale is complete. */
export function checkPageCatalogs(): CatalogIssue[] {
  return compareCatalogs(new Map(Object.entries(PAGE_CATALOGS)), 'en');
}
