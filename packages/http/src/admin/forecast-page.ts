/** The forecast as an HTML page: stacked inline-SVG bars per day (one colour per kind) and a table. */
import { forecastDayTotal, forecastTable, REMINDER_KINDS, type ForecastDay } from '@tickler/domain';
import { esc, page, table } from './html';

const BAR_W = 18;
const GAP = 4;
const HEIGHT = 160;
/** Bar colours, one per kind in table order (a new kind takes the next one). */
const PALETTE = ['#2e6be6', '#f79009', '#12b76a', '#9e77ed', '#f04438'];
const colourOf = (i: number) => PALETTE[i % PALETTE.length]!;

function bar(d: ForecastDay, x: number, max: number): string {
  let top = HEIGHT + 10;
  const rects = REMINDER_KINDS.map((kind, k) => {
    const h = Math.round((d.counts[kind] / max) * HEIGHT);
    top -= h;
    return `<rect x="${x}" y="${top}" width="${BAR_W}" height="${h}" fill="${colourOf(k)}"/>`;
  }).join('');
  const label = `${d.date}: ${REMINDER_KINDS.map((kind) => `${d.counts[kind]} ${kind}`).join(', ')}`;
  return `<g><title>${esc(label)}</title>${rects}`;
}

function chart(days: ForecastDay[]): string {
  const max = Math.max(1, ...days.map(forecastDayTotal));
  const width = days.length * (BAR_W + GAP) + 40;
  const bars = days.map((d, i) => {
    const x = 30 + i * (BAR_W + GAP);
    return bar(d, x, max) + (i % 7 === 0 ? `<text x="${x}" y="${HEIGHT + 26}" font-size="10">${esc(d.date.slice(5))}</text>` : '') + '</g>';
  }).join('');
  const legend = REMINDER_KINDS.map((kind, k) => `<span style="color:${colourOf(k)}">■</span> ${esc(kind)}`).join(' ');
  return `<svg role="img" aria-label="Reminders per day" width="${width}" height="${HEIGHT + 34}" viewBox="0 0 ${width} ${HEIGHT + 34}" xmlns="http://www.w3.org/2000/svg">`
    + `<text x="0" y="14" font-size="10">${max}</text><text x="0" y="${HEIGHT + 10}" font-size="10">0</text>`
    + `<line x1="28" y1="${HEIGHT + 10}" x2="${width}" y2="${HEIGHT + 10}" stroke="#98a2b3"/>${bars}</svg>`
    + `<p>${legend}</p>`;
}

export function renderForecastPage(days: ForecastDay[], from: Date): string {
  const { header, rows, total } = forecastTable(days);
  return page(`Forecast: ${days.length} days`, `<p>${total} reminder${total === 1 ? '' : 's'} from ${esc(from.toISOString())} (by UTC date of sending; each reminder goes to every contact of the order).</p>`
    + `<form method="get"><label>Days <input name="days" type="number" min="1" max="366" value="${days.length}"></label> <button>Show</button></form>`
    + chart(days) + table(header, rows, header.slice(1).map((_, i) => i + 1)));
}
