/**
 * Messages of the recipient pages, one file per shipped locale (ICU MessageFormat, like the email
 * catalogs in `templates/messages/`). `en` is the reference: `tickler templates check` and this
 * package's tests fail when another locale lacks one of its messages or uses other placeholders.
 */
import type { MessageCatalog, SupportedLocale } from '@tickler/domain';
import { de } from './de';
import { en } from './en';
import { fr } from './fr';
import { ja } from './ja';
import { zhCN } from './zh-cn';

export const PAGE_CATALOGS: Readonly<Record<SupportedLocale, MessageCatalog>> = { en, de, fr, ja, 'zh-CN': zhCN };

/** Each locale's name in its own language, for the language choice. */
export const LANGUAGE_NAMES: Readonly<Record<SupportedLocale, string>> = { en: 'English', de: 'Deutsch', fr: 'Français', ja: '日本語', 'zh-CN': '简体中文' };
