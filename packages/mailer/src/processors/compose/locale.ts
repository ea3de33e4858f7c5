/**
 * Which shipped locale an email is written in (SPEC §3): the recipient's choice on the preferences
 * page, else the organization's `locale`, else `DEFAULT_LOCALE`. Newsletter mail also counts the
 * language the browser sent at sign-up (stored for the address when it made no choice).
 */
import { resolveLocale, type SupportedLocale } from '@tickler/domain';
import type { ComposeDeps } from './types';

export async function recipientLocale(
  { store, templates }: ComposeDeps, email: string, fallback: string | null | undefined, options: { signUpCounts?: boolean } = {},
): Promise<SupportedLocale> {
  const stored = await store.lists.getLocale(email);
  const chosen = stored && (stored.source === 'preferences' || options.signUpCounts) ? stored.locale : null;
  return resolveLocale([chosen, fallback], templates.defaultLocale);
}
