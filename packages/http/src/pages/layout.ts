/**
 * The one layout of recipient pages: readable on a phone, no JavaScript, no external resources.
 * Pages are sent with a strict Content-Security-Policy and `Referrer-Policy: no-referrer` because
 * their URLs carry tokens.
 */
import type { FastifyReply } from 'fastify';
import type { SupportedLocale } from '@tickler/domain';
import { Html, html } from './html';
import { pageTranslator } from './i18n';

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;color:#1d2433;background:#f4f5f7}
main{max-width:34rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.card{background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(16,24,40,.1);overflow-wrap:anywhere;word-break:break-word}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 1rem}
p{margin:0 0 1rem}
form{margin:0 0 1rem}
.muted{color:#5d6679;font-size:.9rem}
.notice{background:#ecfdf3;color:#05603a;border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem}
.problem{background:#fef3f2;color:#912018;border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem}
button{font:inherit;border:0;border-radius:8px;padding:.7rem 1.2rem;background:#1849a9;color:#fff;cursor:pointer;min-height:44px}
button.secondary{background:#eaecf0;color:#1d2433}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=email],select{font:inherit;width:100%;padding:.6rem;border:1px solid #d0d5dd;border-radius:8px;margin:0 0 .75rem}
fieldset{border:0;padding:0;margin:1rem 0}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400;margin:.4rem 0}
ul.lists{list-style:none;padding:0;margin:0 0 1rem}
ul.lists li{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.75rem 0;border-bottom:1px solid #eaecf0}
ul.lists li>span{min-width:0}
ul.lists form{margin:0;flex-shrink:0}
footer{margin-top:1.5rem;text-align:center}
`;

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export interface PageContent {
  title: string;
  body: Html;
  supportEmail?: string;
  /** The page's language (default `en`). */
  locale?: SupportedLocale;
}

export function layout({ title, body, supportEmail, locale = 'en' }: PageContent): Html {
  const t = pageTranslator(locale);
  return html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title} · Tickler</title><style>${new Html(CSS)}</style></head>
<body><main><div class="card">
${body}
</div>${supportEmail ? html`<footer class="muted">${t('layout.questions', { supportEmail })}</footer>` : ''}</main></body></html>`;
}

/** Sends a full page with the recipient-page security headers. */
export function sendPage(reply: FastifyReply, status: number, content: PageContent): FastifyReply {
  return reply.code(status).headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(layout(content).value);
}
