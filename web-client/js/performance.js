// The public performance page (performance.html): GET /api/performance by month for the
// borough or one ward, drawn as inline SVG charts and a table, with the CSV link for the same
// question. Suppressed figures (small numbers) are gaps in the charts and "*" in the table.

import { api, request } from './api.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#1d3f72', '#0b6b2f', '#a4000f', '#6f3c96'];

const fromInput = $('perf-from');
const toInput = $('perf-to');
const wardSelect = $('perf-ward');

function monthOf(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}

const params = new URLSearchParams(location.search);
const now = new Date();
const yearAgo = new Date(now.getFullYear(), now.getMonth() - 11, 1);
toInput.value = params.get('to') ?? monthOf(now);
fromInput.value = params.get('from') ?? monthOf(yearAgo);
toInput.max = monthOf(now);
fromInput.max = monthOf(now);

try {
  const wards = await api.wards();
  const options = wards.features.map((f) => [f.properties.code, f.properties.name])
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([code, name]) => new Option(name, code));
  wardSelect.append(...options);
  wardSelect.value = params.get('ward') ?? '';
} catch {
  // The borough's figures still show without the ward list.
}

function question() {
  const q = new URLSearchParams({ from: fromInput.value, to: toInput.value });
  if (wardSelect.value) q.set('ward', wardSelect.value);
  return q;
}

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function format(measure, cell) {
  if (cell.suppressed) return '*';
  if (cell.value === null) return '–';
  if (measure.kind === 'share') return `${(cell.value * 100).toFixed(1)}%`;
  if (measure.kind === 'days') return cell.value.toFixed(1);
  return cell.value.toLocaleString('en-GB');
}

/** One chart: bars (counts) or lines (shares, days) of `keys` over the months. */
function chart(doc, title, keys, { line = false, percent = false } = {}) {
  const measures = keys.map((k) => doc.measures.find((m) => m.key === k));
  const rows = doc.rows;
  const W = 640, H = 260, left = 48, right = 12, top = 16, bottom = 40;
  const values = rows.flatMap((r) => keys.map((k) => r[k].value).filter((v) => v !== null));
  let max = 1;
  if (!percent) {
    // Four gridlines at a round step (1, 2, 2.5 or 5 times a power of ten; whole for counts).
    const raw = Math.max(...values, line ? 0.1 : 1) / 4;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = Math.max(line ? 0 : 1, [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw));
    max = step * 4;
  }
  const x0 = (i) => left + (i * (W - left - right)) / rows.length;
  const band = (W - left - right) / Math.max(1, rows.length);
  const y = (v) => top + (H - top - bottom) * (1 - v / max);

  const figure = document.createElement('figure');
  figure.className = 'perf-chart';
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  figure.append(caption);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `${title}, by month. The table below has the same figures.` });
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    svg.append(el('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' },
      percent ? `${Math.round(v * 100)}%` : Number.isInteger(v) ? v.toLocaleString('en-GB') : v.toFixed(1)));
  }
  const every = Math.ceil(rows.length / 12);
  rows.forEach((r, i) => {
    if (i % every === 0) {
      const [year, month] = r.month.split('-');
      const label = new Date(Number(year), Number(month) - 1, 1)
        .toLocaleDateString('en-GB', { month: 'short' }) + (month === '01' || i === 0 ? ` ${year.slice(2)}` : '');
      svg.append(el('text', { x: x0(i) + band / 2, y: H - bottom + 16, 'text-anchor': 'middle', class: 'tick' }, label));
    }
  });
  measures.forEach((m, k) => {
    const colour = COLOURS[k % COLOURS.length];
    if (line) {
      let path = '';
      rows.forEach((r, i) => {
        const c = r[m.key];
        const cx = x0(i) + band / 2;
        if (c.value === null) {
          if (c.suppressed) svg.append(el('text', { x: cx, y: H - bottom - 4, 'text-anchor': 'middle', class: 'suppressed-mark' }, '*'));
          path += ' ';
          return;
        }
        path += `${path.endsWith(' ') || path === '' ? 'M' : 'L'}${cx.toFixed(1)},${y(c.value).toFixed(1)}`;
        svg.append(el('circle', { cx, cy: y(c.value), r: 3.5, fill: colour, 'data-key': m.key }));
      });
      svg.append(el('path', { d: path.replace(/ +/g, ' ').trim() || 'M0,0', stroke: colour, fill: 'none', 'stroke-width': 2.5 }));
    } else {
      const w = (band * 0.8) / measures.length;
      rows.forEach((r, i) => {
        const c = r[m.key];
        const bx = x0(i) + band * 0.1 + k * w;
        if (c.value === null) {
          if (c.suppressed) svg.append(el('text', { x: bx + w / 2, y: H - bottom - 4, 'text-anchor': 'middle', class: 'suppressed-mark' }, '*'));
          return;
        }
        svg.append(el('rect', { x: bx, y: y(c.value), width: Math.max(1, w - 1), height: y(0) - y(c.value),
          fill: colour, 'data-key': m.key, 'data-value': c.value }));
      });
    }
  });
  figure.append(svg);
  const legend = document.createElement('ul');
  legend.className = 'legend';
  measures.forEach((m, k) => {
    const li = document.createElement('li');
    const key = document.createElement('span');
    key.className = 'key';
    key.style.background = COLOURS[k % COLOURS.length];
    li.append(key, ` ${m.label}`);
    legend.append(li);
  });
  figure.append(legend);
  return figure;
}

function table(doc) {
  const t = $('perf-table');
  t.replaceChildren();
  const head = t.createTHead().insertRow();
  const th = document.createElement('th');
  th.scope = 'col';
  th.textContent = 'Month';
  head.append(th);
  for (const m of doc.measures) {
    const c = document.createElement('th');
    c.scope = 'col';
    c.textContent = m.label;
    head.append(c);
  }
  const body = t.createTBody();
  for (const r of doc.rows) {
    const tr = body.insertRow();
    const rh = document.createElement('th');
    rh.scope = 'row';
    rh.textContent = r.month;
    tr.append(rh);
    for (const m of doc.measures) {
      const td = tr.insertCell();
      td.textContent = format(m, r[m.key]);
      td.dataset.key = m.key;
      if (r[m.key].suppressed) td.title = `Fewer than ${doc.suppress_below}: not shown`;
    }
  }
}

let latest = 0;
async function show() {
  const q = question();
  history.replaceState(null, '', `?${q}`);
  $('csv-link').href = `/api/performance.csv?${q}`;
  const mine = ++latest;
  $('summary').textContent = 'Loading the figures…';
  $('load-error').hidden = true;
  try {
    const doc = await request(`/api/performance?${q}`);
    if (mine !== latest) return;
    const where = doc.ward ? `${doc.ward.name} ward` : 'the whole borough';
    const received = doc.rows.reduce((n, r) => n + (r.received.value ?? 0), 0);
    $('summary').textContent = `${where}, ${doc.from} to ${doc.to}: ${received.toLocaleString('en-GB')} reports received (not counting months too small to show).`;
    $('charts').replaceChildren(
      chart(doc, 'Reports received and closed', ['received', 'closed']),
      chart(doc, 'Share received online and high-priority resolved within target',
        ['online_share', 'high_priority_within_target_share'], { line: true, percent: true }),
      chart(doc, 'Median days to close', ['median_days_to_close'], { line: true }),
      chart(doc, 'Open past target at month end', ['overdue_at_month_end']),
      chart(doc, 'My Account accounts used', ['accounts_used']));
    table(doc);
    document.body.dataset.figures = q.toString(); // the question the figures on show answer
    $('footnote').textContent = `* Fewer than ${doc.suppress_below}: small numbers are not shown (and neither is a share of them), so that no one can be identified from them. – means there was nothing to count.`;
  } catch (error) {
    if (mine !== latest) return;
    $('summary').textContent = '';
    $('load-error').textContent = error.message;
    $('load-error').hidden = false;
  }
}

for (const input of [fromInput, toInput, wardSelect]) input.addEventListener('change', show);
$('filters').addEventListener('submit', (e) => { e.preventDefault(); show(); });
await show();
