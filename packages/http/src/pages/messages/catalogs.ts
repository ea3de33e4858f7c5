/**
 * Messages of the recipient pages, per shipped locale (ICU MessageFormat, like the email catalogs
 * in `templates/messages/`). `en` is the reference: `tickler templates check` and this package's
 * tests fail when another locale lacks one of its messages or uses other placeholders.
 */
import type { MessageCatalog, SupportedLocale } from '@tickler/domain';

const en: MessageCatalog = {
  layout: { questions: 'Questions? Write to {supportEmail}.' },
  preferences: {
    title: 'Email preferences',
    forAddress: 'For {email}',
    noList: 'This address is not on any list.',
    leaveNote: 'Leaving a renewal list stops that order’s reminders only; your access to the license stays.',
    left: 'You left this list',
    subscribed: 'Subscribed',
    leave: 'Leave',
    rejoin: 'Rejoin',
    renewalList: 'Renewal reminders for order {orderNumber} ({product})',
    newsletterList: 'Newsletter: {topic}',
    awaiting: '{list} (awaiting your confirmation)',
    notYours: 'That list is not one of yours; nothing was changed.',
    chooseAction: 'Choose Leave or Rejoin; nothing was changed.',
    youLeft: 'You left: {list}.',
    youRejoined: 'You rejoined: {list}.',
    language: 'Language of our emails and pages',
    languageAuto: 'As my organization’s',
    languageSave: 'Save language',
    languageSaved: 'From now on we write to you in English.',
    languageUnknown: 'Choose one of the languages offered; nothing was changed.',
  },
};

const de: MessageCatalog = {
  layout: { questions: 'Fragen? Schreiben Sie an {supportEmail}.' },
  preferences: {
    title: 'E-Mail-Einstellungen',
    forAddress: 'Für {email}',
    noList: 'Diese Adresse steht auf keiner Liste.',
    leaveNote: 'Wenn Sie eine Verlängerungsliste verlassen, enden nur die Erinnerungen zu diesem Auftrag; Ihr Zugang zur Lizenz bleibt bestehen.',
    left: 'Sie haben diese Liste verlassen',
    subscribed: 'Abonniert',
    leave: 'Verlassen',
    rejoin: 'Wieder beitreten',
    renewalList: 'Verlängerungserinnerungen für Auftrag {orderNumber} ({product})',
    newsletterList: 'Newsletter: {topic}',
    awaiting: '{list} (wartet auf Ihre Bestätigung)',
    notYours: 'Diese Liste gehört nicht zu Ihren; es wurde nichts geändert.',
    chooseAction: 'Wählen Sie „Verlassen“ oder „Wieder beitreten“; es wurde nichts geändert.',
    youLeft: 'Sie haben verlassen: {list}.',
    youRejoined: 'Sie sind wieder beigetreten: {list}.',
    language: 'Sprache unserer E-Mails und Seiten',
    languageAuto: 'Wie meine Organisation',
    languageSave: 'Sprache speichern',
    languageSaved: 'Ab jetzt schreiben wir Ihnen auf Deutsch.',
    languageUnknown: 'Wählen Sie eine der angebotenen Sprachen; es wurde nichts geändert.',
  },
};

const fr: MessageCatalog = {
  layout: { questions: 'Des questions ? Écrivez à {supportEmail}.' },
  preferences: {
    title: 'Préférences d’e-mail',
    forAddress: 'Pour {email}',
    noList: 'Cette adresse n’est inscrite à aucune liste.',
    leaveNote: 'Quitter une liste de renouvellement arrête uniquement les rappels de cette commande ; votre accès à la licence est conservé.',
    left: 'Vous avez quitté cette liste',
    subscribed: 'Inscrit',
    leave: 'Quitter',
    rejoin: 'Se réinscrire',
    renewalList: 'Rappels de renouvellement pour la commande {orderNumber} ({product})',
    newsletterList: 'Newsletter : {topic}',
    awaiting: '{list} (en attente de votre confirmation)',
    notYours: 'Cette liste ne fait pas partie des vôtres ; rien n’a été modifié.',
    chooseAction: 'Choisissez Quitter ou Se réinscrire ; rien n’a été modifié.',
    youLeft: 'Vous avez quitté : {list}.',
    youRejoined: 'Vous êtes de nouveau inscrit : {list}.',
    language: 'Langue de nos e-mails et de nos pages',
    languageAuto: 'Celle de mon organisation',
    languageSave: 'Enregistrer la langue',
    languageSaved: 'Désormais, nous vous écrirons en français.',
    languageUnknown: 'Choisissez l’une des langues proposées ; rien n’a été modifié.',
  },
};

const ja: MessageCatalog = {
  layout: { questions: 'ご質問は {supportEmail} までお寄せください。' },
  preferences: {
    title: 'メール設定',
    forAddress: '{email} の設定',
    noList: 'このアドレスはどのリストにも登録されていません。',
    leaveNote: '更新リストから退会しても、その注文のリマインダーが停止するだけで、ライセンスへのアクセスはそのまま維持されます。',
    left: 'このリストから退会済み',
    subscribed: '登録中',
    leave: '退会する',
    rejoin: '再登録する',
    renewalList: '注文 {orderNumber}（{product}）の更新リマインダー',
    newsletterList: 'ニュースレター：{topic}',
    awaiting: '{list}（確認待ち）',
    notYours: 'このリストはお客様のものではありません。変更は行われていません。',
    chooseAction: '「退会する」または「再登録する」を選んでください。変更は行われていません。',
    youLeft: '退会しました：{list}',
    youRejoined: '再登録しました：{list}',
    language: 'メールとページの言語',
    languageAuto: '組織の設定に従う',
    languageSave: '言語を保存',
    languageSaved: '今後は日本語でご連絡します。',
    languageUnknown: '表示されている言語から選んでください。変更は行われていません。',
  },
};

const zhCN: MessageCatalog = {
  layout: { questions: '如有疑问，请发送邮件至 {supportEmail}。' },
  preferences: {
    title: '邮件偏好设置',
    forAddress: '地址：{email}',
    noList: '此地址不在任何列表中。',
    leaveNote: '退出续订列表只会停止该订单的提醒；您对许可证的访问权限保持不变。',
    left: '您已退出此列表',
    subscribed: '已订阅',
    leave: '退出',
    rejoin: '重新加入',
    renewalList: '订单 {orderNumber}（{product}）的续订提醒',
    newsletterList: '新闻通讯：{topic}',
    awaiting: '{list}（等待您的确认）',
    notYours: '该列表不属于您；未做任何更改。',
    chooseAction: '请选择“退出”或“重新加入”；未做任何更改。',
    youLeft: '您已退出：{list}。',
    youRejoined: '您已重新加入：{list}。',
    language: '邮件和页面的语言',
    languageAuto: '与我的组织相同',
    languageSave: '保存语言',
    languageSaved: '今后我们将使用简体中文与您联系。',
    languageUnknown: '请从提供的语言中选择；未做任何更改。',
  },
};

export const PAGE_CATALOGS: Readonly<Record<SupportedLocale, MessageCatalog>> = { en, de, fr, ja, 'zh-CN': zhCN };

/** Each locale's name in its own language, for the language choice. */
export const LANGUAGE_NAMES: Readonly<Record<SupportedLocale, string>> = { en: 'English', de: 'Deutsch', fr: 'Français', ja: '日本語', 'zh-CN': '简体中文' };
