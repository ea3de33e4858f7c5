/** The forecast as an HTML page: stacked inline-SVG bars per day (one colour per kind) and a table. */
import { forecastDayTotal, forecastTable, REMINDER_KINDS, type ForecastDay } from '@tickler/domain';
import { esc, page, table } from './html';

/**
 * The chart is drawn in a fixed coordinate box (`WIDTH` × `HEIGHT + 34` units) whatever the number
 * of days, and scales to its container (`width:100%`): 60 or 366 days fit the page instead of
 * 22 px per day (8 092 px at 366). Below `MIN_PX` wide (a phone) it keeps that width and scrolls
 * inside its own box, so its labels stay legible and the page itself never scrolls sideways.
 */
const WIDTH = 960;
const LEFT = 30;
const HEIGHT = 160;
const MIN_PX = 480;
/** Date labels at least this many units apart, on a multiple of 7 days. */
const LABEL_SPACING = 44;
/** Bar colours, one per kind in table order (a new kind takes the next one). */
const PALETTE = ['#2e6be6', '#f79009', '#12b76a', '#9e77ed', '#f04438'];
const colourOf = (i: number) => PALETTE[i % PALETTE.length]!;
/** Coordinates with two decimals at most: short markup for a year of bars. */
const u = (n: number) => String(Math.round(n * 100) / 100);

function bar(d: ForecastDay, x: number, width: number, max: number): string {
  let top = HEIGHT + 10;
  const rects = REMINDER_KINDS.map((kind, k) => {
    const h = (d.counts[kind] / max) * HEIGHT;
    top -= h;
    return `<rect x="${u(x)}" y="${u(top)}" width="${u(width)}" height="${u(h)}" fill="${colourOf(k)}"/>`;
  }).join('');
  const label = `${d.date}: ${REMINDER_KINDS.map((kind) => `${d.counts[kind]} ${kind}`).join(', ')}`;
  return `<g><title>${esc(label)}</title>${rects}`;
}

function chart(days: ForecastDay[]): string {
  const max = Math.max(1, ...days.map(forecastDayTotal));
  const pitch = (WIDTH - LEFT - 10) / Math.max(1, days.length);
  const labelEvery = 7 * Math.max(1, Math.ceil(LABEL_SPACING / pitch / 7));
  const bars = days.map((d, i) => {
    const x = LEFT + i * pitch;
    return bar(d, x + pitch * 0.1, pitch * 0.8, max) + (i % labelEvery === 0 ? `<text x="${u(x)}" y="${HEIGHT + 26}" font-size="10">${esc(d.date.slice(5))}</text>` : '') + '</g>';
  }).join('');
  const legend = REMINDER_KINDS.map((kind, k) => `<span style="color:${colourOf(k)}">■</span> ${esc(kind)}`).join(' ');
  return `<div class="scroll"><svg role="img" aria-label="Reminders per day" viewBox="0 0 ${WIDTH} ${HEIGHT + 34}" style="display:block;width:100%;min-width:${MIN_PX}px;height:auto" xmlns="http://www.w3.org/2000/svg">`
    + `<text x="0" y="14" font-size="10">${max}</text><text x="0" y="${HEIGHT + 10}" font-size="10">0</text>`
    + `<line x1="${LEFT - 2}" y1="${HEIGHT + 10}" x2="${WIDTH}" y2="${HEIGHT + 10}" stroke="#98a2b3"/>${bars}</svg></div>`
    + `<p>${legend}</p>`;
}

export function renderForecastPage(days: ForecastDay[], from: Date): string {
  const { header, rows, total } = forecastTable(days);
  return page(`Forecast: ${days.length} days`, `<p>${total} reminder${total === 1 ? '' : 's'} from ${esc(from.toISOString())} (by UTC date of sending; each reminder goes to every contact of the order).</p>`
    + `<form method="get"><label>Days <input name="days" type="number" min="1" max="366" value="${days.length}"></label> <button>Show</button></form>`
    + chart(days) + table(header, rows, header.slice(1).map((_, i) => i + 1)));
}
