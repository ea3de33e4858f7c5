/**
 * `GET /preferences/:token` (address token) lists every list the address belongs to — each order it
 * is a contact of, each newsletter topic it subscribed — with leave/rejoin buttons; `POST` applies one
 * change (`listId` + `action`) to a list the address actually belongs to, then shows the page again.
 */
import { isSupportedLocale, matchLocale, readAddressToken, SUPPORTED_LOCALES, type SupportedLocale, type Translate } from '@tickler/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from '../deps';
import type { RoutesPlugin } from '../plugin';
import { addressLists, type ListEntry } from './address-lists';
import { formField, registerFormParsers, sendInvalidLink } from './common';
import { html, type Html } from './html';
import { pageLanguage, type PageLanguage } from './i18n';
import { sendPage } from './layout';
import { LANGUAGE_NAMES } from './messages';

type TokenParams = { Params: { token: string } };
type Message = { kind: 'notice' | 'problem'; text: string } | null;

/** `hasOrganization`: the address is a contact of some order, so "automatic" means its organization's language. */
function languageForm(t: Translate, chosen: string | null, hasOrganization: boolean): Html {
  const options = SUPPORTED_LOCALES.map((l) => html`<option value="${l}"${l === chosen ? html` selected` : ''}>${LANGUAGE_NAMES[l]}</option>`);
  return html`<form method="post" class="language"><input type="hidden" name="action" value="language">
<label for="locale">${t('preferences.language')}</label>
<select id="locale" name="locale"><option value="auto"${chosen ? '' : html` selected`}>${t(hasOrganization ? 'preferences.languageAuto' : 'preferences.languageAutomatic')}</option>${options}</select>
<button type="submit" class="secondary">${t('preferences.languageSave')}</button></form>`;
}

/** Each row's button is named after its list (`aria-label`, starting with the visible word): a screen reader's list of buttons is not a column of "Leave". */
function renderPage(t: Translate, email: string, entries: ListEntry[], chosen: string | null, message: Message): Html {
  // The renewal note and the organization's language only for an address that is a contact of an order.
  const renewals = entries.some((e) => e.listId.startsWith('renewal:'));
  const rows = entries.map((e) => html`<li><span>${e.label}<br><span class="muted">${e.left ? t('preferences.left') : t('preferences.subscribed')}</span></span>
<form method="post"><input type="hidden" name="listId" value="${e.listId}"><input type="hidden" name="action" value="${e.left ? 'rejoin' : 'leave'}">
<button type="submit" class="${e.left ? '' : 'secondary'}" aria-label="${t(e.left ? 'preferences.rejoinList' : 'preferences.leaveList', { list: e.label })}">${e.left ? t('preferences.rejoin') : t('preferences.leave')}</button></form></li>`);
  return html`<h1>${t('preferences.title')}</h1>
<p>${t('preferences.forAddress', { email })}</p>
${message ? html`<p class="${message.kind}">${message.text}</p>` : ''}
${entries.length > 0 ? html`<ul class="lists">${rows}</ul>` : html`<p>${t('preferences.noList')}</p>`}
${renewals ? html`<p class="muted">${t('preferences.leaveNote')}</p>` : ''}
${languageForm(t, chosen, renewals)}`;
}

/**
 * The page's language (SPEC §3). The page is about one address, which may be a contact of several
 * organizations: its choice on this page; else its organizations' language when they all have the
 * same one; else the language it signed up to the newsletter in; else the browser's; else
 * DEFAULT_LOCALE.
 */
async function preferencesLanguage(deps: HttpDeps, request: FastifyRequest, email: string): Promise<PageLanguage> {
  const orders = await deps.store.directory.listOrdersForContact(email);
  const locales = new Set(orders.map((o) => matchLocale(o.organizationLocale)));
  const shared = locales.size === 1 ? [...locales][0] : null;
  return pageLanguage(deps, request, { email, organizationLocale: shared, signUpCounts: !shared });
}

async function show(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply, email: string, status: number, message: (t: Translate) => Message): Promise<FastifyReply> {
  const language = await preferencesLanguage(deps, request, email);
  const { locale, t } = language;
  const stored = await deps.store.lists.getLocale(email);
  const chosen = stored?.source === 'preferences' && isSupportedLocale(stored.locale) ? stored.locale : null;
  const body = renderPage(t, email, await addressLists(deps, email, language), chosen, message(t));
  return sendPage(reply, status, { title: t('preferences.title'), supportEmail: deps.config.supportEmail, body, locale });
}

/** Stores the address's language choice (`auto` clears it: the organization's locale applies again). */
async function chooseLanguage(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply, email: string): Promise<FastifyReply> {
  const locale = formField(request.body, 'locale');
  if (locale !== 'auto' && !(locale && isSupportedLocale(locale))) {
    return show(deps, request, reply, email, 400, (t) => ({ kind: 'problem', text: t('preferences.languageUnknown') }));
  }
  const chosen: SupportedLocale | null = locale === 'auto' ? null : locale;
  await deps.store.lists.setLocale(email, chosen, 'preferences');
  request.log.info({ locale }, 'preferences language changed');
  return show(deps, request, reply, email, 200, (t) => ({ kind: 'notice', text: t(chosen ? 'preferences.languageSaved' : 'preferences.languageAutoSaved') }));
}

export const preferencesRoutes: RoutesPlugin = async (app, deps) => {
  await registerFormParsers(app, deps);
  const secrets = deps.config.tokenSecrets;

  app.get<TokenParams>('/preferences/:token', async (request, reply) => {
    const claim = readAddressToken(secrets, request.params.token);
    if (!claim) return sendInvalidLink(reply, deps);
    return show(deps, request, reply, claim.email, 200, () => null);
  });

  app.post<TokenParams>('/preferences/:token', async (request, reply) => {
    const claim = readAddressToken(secrets, request.params.token);
    if (!claim) return sendInvalidLink(reply, deps);
    const action = formField(request.body, 'action');
    if (action === 'language') return chooseLanguage(deps, request, reply, claim.email);
    const listId = formField(request.body, 'listId');
    const entry = (await addressLists(deps, claim.email, await preferencesLanguage(deps, request, claim.email))).find((e) => e.listId === listId);
    if (!entry || (action !== 'leave' && action !== 'rejoin')) {
      request.log.info({ listId, action }, 'preferences change refused');
      return show(deps, request, reply, claim.email, 400, (tr) => ({ kind: 'problem', text: tr(!entry ? 'preferences.notYours' : 'preferences.chooseAction') }));
    }
    if (action === 'leave') await deps.store.lists.unsubscribe(claim.email, entry.listId, 'preferences');
    else await deps.store.lists.resubscribe(claim.email, entry.listId);
    request.log.info({ listId: entry.listId, action }, 'preferences changed');
    return show(deps, request, reply, claim.email, 200, (tr) => ({ kind: 'notice', text: tr(action === 'leave' ? 'preferences.youLeft' : 'preferences.youRejoined', { list: entry.label }) }));
  });
};
