/**
 * Minimal server-rendered HTML for admin pages: escaped text, a layout, tables. No scripts. Wide
 * content (tables, the forecast chart) scrolls sideways inside its own `.scroll` box, so on a
 * narrow screen (320 px) the page itself does not.
 */
import { escapeHtml } from '@tickler/domain';

/** Any value as escaped text (null and undefined as nothing). */
export function esc(value: unknown): string {
  return escapeHtml(String(value ?? ''));
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Tickler admin</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2433}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e3e6ec;vertical-align:top}th{background:#f5f6f8}
td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#6b7385}.bad{color:#b42318}.good{color:#067647}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}form{margin:1rem 0}input{padding:.3rem}form.inline{display:inline;margin:0}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}.scroll>table{margin:0}h1,h2,p,li{overflow-wrap:anywhere}input{max-width:100%}
</style></head><body><nav><a href="/admin/queues">Queues</a><a href="/admin/forecast">Forecast</a><a href="/admin/deliveries">Audit</a><a href="/admin/templates">Templates</a><a href="/admin/jobs/failed">Failed jobs</a></nav>
<h1>${esc(title)}</h1>${body}</body></html>`;
}

export function table(headers: string[], rows: unknown[][], numeric: number[] = []): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  const th = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${esc(c instanceof Date ? c.toISOString() : c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table></div>`;
}

/** True when the client asked for JSON rather than a page. */
export function wantsJson(accept: string | undefined): boolean {
  const a = accept ?? '';
  return a.includes('application/json') && !a.includes('text/html');
}
