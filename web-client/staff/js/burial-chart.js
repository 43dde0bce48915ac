// A bar chart of burials a year as inline SVG (no charting library: a dozen bars need none).
// Returns an <svg> element with a <title>, a text alternative (aria-label) and one <rect> a
// year, each with its own <title> for a tooltip.
const NS = 'http://www.w3.org/2000/svg';

function el(name, attributes = {}, text = null) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

/** `rows`: [{year, burials}], oldest first; `caption`: what the chart shows. */
export function burialsChart(rows, caption) {
  const width = 640;
  const height = 240;
  const left = 40;
  const bottom = 28;
  const top = 12;
  const max = Math.max(1, ...rows.map((r) => r.burials));
  // A round step for the axis: 1, 2 or 5 times a power of ten, about four ticks.
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? power * 10;
  const top_value = Math.ceil(max / step) * step;
  const plotHeight = height - top - bottom;
  const slot = (width - left - 8) / Math.max(1, rows.length);
  const summary = rows.map((r) => `${r.year}: ${r.burials}`).join(', ');
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'burial-chart', role: 'img',
    'aria-label': `${caption}. ${summary}` });
  svg.append(el('title', {}, caption));
  for (let v = 0; v <= top_value; v += step) {
    const y = top + plotHeight - (v / top_value) * plotHeight;
    svg.append(el('line', { x1: left - 4, x2: width - 8, y1: y, y2: y, class: 'axis', 'stroke-opacity': v ? 0.2 : 1 }));
    svg.append(el('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, String(v)));
  }
  rows.forEach((r, i) => {
    const h = (r.burials / top_value) * plotHeight;
    const x = left + i * slot + slot * 0.15;
    const bar = el('rect', { x, y: top + plotHeight - h, width: slot * 0.7, height: h, class: 'bar',
      'data-year': r.year, 'data-burials': r.burials });
    bar.append(el('title', {}, `${r.year}: ${r.burials} burials`));
    svg.append(bar);
    svg.append(el('text', { x: x + slot * 0.35, y: height - 10, 'text-anchor': 'middle' }, `’${String(r.year).slice(2)}`));
  });
  return svg;
}
