/**
 * The language of a recipient page: the address's choice (preferences page), else the browser's
 * `Accept-Language`, else `DEFAULT_LOCALE` (SPEC §3); and its messages.
 */
import type { FastifyRequest } from 'fastify';
import {
  compareCatalogs, createTranslator, parseAcceptLanguage, resolveLocale, type CatalogIssue, type SupportedLocale, type Translate,
} from '@tickler/domain';
import type { HttpDeps } from '../deps';
import { PAGE_CATALOGS } from './messages/catalogs';

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

/** The page locale for a request, with the address's stored choice first when the page names an address. */
export async function pageLocale(deps: HttpDeps, request: FastifyRequest, email: string | null): Promise<SupportedLocale> {
  const stored = email ? await deps.store.lists.getLocale(email) : null;
  const chosen = stored?.source === 'preferences' ? stored.locale : null;
  return resolveLocale([chosen, ...parseAcceptLanguage(request.headers['accept-language'])], deps.config.defaultLocale ?? 'en');
}

/** Problems between the page catalogs (see `compareCatalogs`); empty when every locale is complete. */
export function checkPageCatalogs(): CatalogIssue[] {
  return compareCatalogs(new Map(Object.entries(PAGE_CATALOGS)), 'en');
}
