/**
 * `/admin/templates` as HTML: every template × locale with its preview — the HTML part in a
 * sandboxed `<iframe srcdoc>` (no scripts, no forms, no same-origin access), the text part beside
 * it — and a test-send form; then the latest test sends and their status. Everything is escaped.
 */
import type { TestSendRow } from '@tickler/db';
import { esc, page, table } from './html';

export interface PreviewSection {
  template: string;
  locale: string;
  samples: string[];
  /** The rendered preview, or why it could not be rendered. */
  preview: { subject: string; html: string; text: string } | { error: string };
}

/**
 * Email HTML is shown in a sandbox, so its styles stay inside it; images over https or inline may load.
 * The page itself runs no scripts and posts forms only to itself.
 */
export const TEMPLATES_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `<style>.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.pair iframe{width:100%;height:32rem;border:1px solid #e3e6ec}
.pair pre{margin:0;height:32rem;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;background:#f5f6f8;padding:.5rem;border:1px solid #e3e6ec}
section.template{border-top:2px solid #e3e6ec;margin-top:1.5rem}.subject{overflow-wrap:anywhere}.notice{background:#eef4ff;padding:.5rem}</style>`;

function sampleOptions(samples: string[], selected: string): string {
  return samples.map((s) => `<option value="${esc(s)}"${s === selected ? ' selected' : ''}>${esc(s)}</option>`).join('');
}

function testSendForm(section: PreviewSection, sample: string, to: string): string {
  const id = `${section.template}-${section.locale}`;
  return `<form method="post" action="/admin/templates/test-send" class="test-send">
<input type="hidden" name="template" value="${esc(section.template)}"><input type="hidden" name="locale" value="${esc(section.locale)}">
<label>Send a test to <input type="email" name="to" required maxlength="254" value="${esc(to)}" aria-label="address for ${esc(id)}"></label>
<label>sample <select name="sample">${sampleOptions(section.samples, section.samples.includes(sample) ? sample : 'default')}</select></label>
<button type="submit">Send test</button></form>`;
}

function sectionHtml(section: PreviewSection, sample: string, to: string): string {
  const title = `${section.template} · ${section.locale}`;
  const body = 'error' in section.preview
    ? `<p class="bad">${esc(section.preview.error)}</p>`
    : `<p>Subject: <strong class="subject">${esc(section.preview.subject)}</strong></p>
<div class="pair"><iframe sandbox="" title="HTML of ${esc(title)}" srcdoc="${esc(section.preview.html)}"></iframe><pre class="text" aria-label="text of ${esc(title)}">${esc(section.preview.text)}</pre></div>`;
  return `<section class="template" data-template="${esc(section.template)}" data-locale="${esc(section.locale)}"><h2>${esc(title)}</h2>${body}${testSendForm(section, sample, to)}</section>`;
}

function testSendsTable(rows: TestSendRow[]): string {
  return table(['#', 'template', 'locale', 'sample', 'to', 'by', 'status', 'message id or error', 'asked at'],
    rows.map((r) => [r.id, r.template, r.locale, r.sample, r.email, r.requestedBy, r.status, r.providerMessageId ?? r.error ?? '', r.createdAt]), [0]);
}

export function renderTemplatesPage(input: {
  sections: PreviewSection[]; samples: string[]; sample: string; recent: TestSendRow[]; highlight: TestSendRow | null; to: string;
}): string {
  const { sections, sample, recent, highlight, to } = input;
  const notice = highlight
    ? `<p class="notice" id="test-send-status">Test send #${esc(highlight.id)} (${esc(highlight.template)}, ${esc(highlight.locale)}, sample ${esc(highlight.sample)}) to ${esc(highlight.email)}: <strong class="status">${esc(highlight.status)}</strong>${highlight.providerMessageId ? `, message id ${esc(highlight.providerMessageId)}` : ''}${highlight.error ? ` — ${esc(highlight.error)}` : ''}. Reload to see it change.</p>`
    : '';
  const chooser = `<form method="get"><label>Preview with sample <select name="sample">${sampleOptions(input.samples, sample)}</select></label> <button>Show</button></form>`;
  return page('Email templates', `${STYLE}${notice}<p>Every template in every locale, rendered with sample data: its links and addresses are placeholders that open nothing.
 A test send is a real email with "[TEST] " before its subject, its links working for the address it goes to: the preferences link opens that address's own
 preferences; its unsubscribe, invitation and confirmation links open a page saying it was a test, and change nothing.
 Test sends are not deliveries: they never appear in the reminders ledger.</p>${chooser}`
    + sections.map((s) => sectionHtml(s, sample, to)).join('\n')
    + `<h2 id="test-sends">Latest test sends</h2>${testSendsTable(recent)}`);
}
