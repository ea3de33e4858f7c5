/** The forecast as an HTML page: stacked inline-SVG bars per day (license, maintenance) and a table. */
import type { ForecastDay } from '@tickler/domain';
import { esc, page, table } from './html';

const BAR_W = 18;
const GAP = 4;
const HEIGHT = 160;

function chart(days: ForecastDay[]): string {
  const max = Math.max(1, ...days.map((d) => d.license + d.maintenance));
  const width = days.length * (BAR_W + GAP) + 40;
  const bars = days.map((d, i) => {
    const x = 30 + i * (BAR_W + GAP);
    const hl = Math.round((d.license / max) * HEIGHT);
    const hm = Math.round((d.maintenance / max) * HEIGHT);
    const label = `${d.date}: ${d.license} license, ${d.maintenance} maintenance`;
    return `<g><title>${esc(label)}</title>`
      + `<rect x="${x}" y="${HEIGHT - hl + 10}" width="${BAR_W}" height="${hl}" fill="#2e6be6"/>`
      + `<rect x="${x}" y="${HEIGHT - hl - hm + 10}" width="${BAR_W}" height="${hm}" fill="#f79009"/>`
      + (i % 7 === 0 ? `<text x="${x}" y="${HEIGHT + 26}" font-size="10">${esc(d.date.slice(5))}</text>` : '')
      + '</g>';
  }).join('');
  return `<svg role="img" aria-label="Reminders per day" width="${width}" height="${HEIGHT + 34}" viewBox="0 0 ${width} ${HEIGHT + 34}" xmlns="http://www.w3.org/2000/svg">`
    + `<text x="0" y="14" font-size="10">${max}</text><text x="0" y="${HEIGHT + 10}" font-size="10">0</text>`
    + `<line x1="28" y1="${HEIGHT + 10}" x2="${width}" y2="${HEIGHT + 10}" stroke="#98a2b3"/>${bars}</svg>`
    + '<p><span style="color:#2e6be6">■</span> license <span style="color:#f79009">■</span> maintenance</p>';
}

export function renderForecastPage(days: ForecastDay[], from: Date): string {
  const total = days.reduce((n, d) => n + d.license + d.maintenance, 0);
  const rows = days.map((d) => [d.date, d.license, d.maintenance, d.license + d.maintenance]);
  return page(`Forecast: ${days.length} days`, `<p>${total} reminder${total === 1 ? '' : 's'} from ${esc(from.toISOString())} (by UTC date of sending; each reminder goes to every contact of the order).</p>`
    + `<form method="get"><label>Days <input name="days" type="number" min="1" max="366" value="${days.length}"></label> <button>Show</button></form>`
    + chart(days) + table(['date', 'license', 'maintenance', 'total'], rows, [1, 2, 3]));
}
