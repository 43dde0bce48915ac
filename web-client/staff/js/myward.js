// The councillor's ward (docs/myward.md): a ward's panels from GET /api/myward/{ward} with
// small bar charts drawn as inline SVG, a map of the ward's outline with a grid density layer
// of its requests (no heat plugin is installed: squares of about 150 m shaded by count), the
// newest requests with links, and the exports. Councillors pick among their own wards, staff
// among every ward of the boundaries in force.
import { startStaffPage, staffFetch } from './staff-shell.js';
import { createMap } from '/js/map.js';
import { startCouncillorActions } from './councillor-actions.js';

const L = window.L;
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';

let map = null;
let layers = null;

function todayIso() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
}
function yearBefore(iso) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return d.toISOString().slice(0, 10);
}

function facts(dl, rows) {
  dl.replaceChildren();
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value ?? '–';
    dl.append(dt, dd);
  }
}

/** A horizontal bar chart of [{label, count}] as inline SVG (counts also as text). */
function barChart(target, rows) {
  target.replaceChildren();
  if (!rows.length) {
    target.textContent = 'None.';
    return;
  }
  const max = Math.max(1, ...rows.map((r) => r.count ?? 0));
  const rowH = 18;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 320 ${rows.length * rowH + 4}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', rows.map((r) => `${r.label}: ${r.count ?? 'fewer than 5'}`).join(', '));
  rows.forEach((r, i) => {
    const y = i * rowH + 2;
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', '0');
    label.setAttribute('y', String(y + 12));
    label.textContent = r.label;
    const bar = document.createElementNS(SVG, 'rect');
    bar.setAttribute('x', '130');
    bar.setAttribute('y', String(y + 2));
    bar.setAttribute('height', String(rowH - 6));
    bar.setAttribute('width', String(Math.max(1, (150 * (r.count ?? 0)) / max)));
    bar.setAttribute('fill', '#1d3f72');
    const value = document.createElementNS(SVG, 'text');
    value.setAttribute('x', String(134 + (150 * (r.count ?? 0)) / max));
    value.setAttribute('y', String(y + 12));
    value.textContent = String(r.count ?? '<5');
    svg.append(label, bar, value);
  });
  target.append(svg);
}

function notInUse(target) {
  const p = document.createElement('p');
  p.className = 'not-in-use';
  p.textContent = 'Not in use here.';
  target.replaceChildren(p);
}

function definitionList(target, rows) {
  const dl = document.createElement('dl');
  dl.className = 'myward-facts';
  facts(dl, rows);
  target.replaceChildren(dl);
  return dl;
}

function params() {
  // The server's default start (a year before the end, not before its first request) until
  // the user picks one.
  const p = new URLSearchParams({ to: $('to').value });
  if ($('from').dataset.touched) p.set('from', $('from').value);
  if ($('category').value) p.set('category', $('category').value);
  if ($('status').value) p.set('status', $('status').value);
  return p;
}

function densityLayer(points) {
  // About 150 m squares in degrees at Chorley's latitude.
  const dLat = 0.00135;
  const dLon = 0.0022;
  const cells = new Map();
  for (const [lon, lat] of points) {
    const key = `${Math.floor(lon / dLon)},${Math.floor(lat / dLat)}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const max = Math.max(1, ...cells.values());
  const group = L.featureGroup();
  for (const [key, n] of cells) {
    const [i, j] = key.split(',').map(Number);
    L.rectangle([[j * dLat, i * dLon], [(j + 1) * dLat, (i + 1) * dLon]], {
      stroke: false, fillColor: '#a4000f', fillOpacity: 0.15 + 0.6 * (n / max), interactive: false,
    }).addTo(group);
  }
  return group;
}

async function load() {
  const ward = $('ward').value;
  $('load-error').textContent = '';
  let doc;
  try {
    doc = await staffFetch(`/api/myward/${encodeURIComponent(ward)}?${params()}`);
  } catch (error) {
    $('load-error').textContent = `The ward could not be loaded: ${error.message}`;
    document.body.dataset.loaded = String(Date.now());
    return;
  }
  const r = doc.requests;
  $('from').value = doc.from;
  $('summary').textContent = `${doc.ward.name}: ${r.in_use ? r.received : 0} requests from ${doc.from} to ${doc.to}.`;
  if (r.in_use) {
    facts($('requests-facts'), [
      ['Received', r.received], ['Open', r.open], ['Closed', r.closed], ['Overdue', r.overdue],
      ['Closed within target', r.sla.attainment === null ? '–' : `${r.sla.attainment}%`],
      ['Days to close', r.days_to_close.mean === null ? '–'
        : `mean ${r.days_to_close.mean}, median ${r.days_to_close.median}`],
      ['Repeat locations', r.repeat_locations.length],
      ['Per 1,000 addresses', `${r.trends.borough.ward_per_1000_addresses ?? '–'} (borough ${r.trends.borough.borough_per_1000_addresses ?? '–'})`],
      ['Same period last year', r.trends.last_year.received],
    ]);
    barChart($('chart-months'), r.by_month.map((m) => ({ label: m.month, count: m.count })));
    barChart($('chart-categories'), r.by_category.map((c) => ({ label: c.category, count: c.count })));
    const select = $('category');
    if (select.options.length === 1) {
      for (const c of r.by_category) select.add(new Option(c.category, c.category));
    }
  }
  const pl = doc.planning;
  if (!pl.in_use) notInUse($('planning-body'));
  else {
    definitionList($('planning-body'), [['Received', pl.received], ['Validated', pl.validated],
      ['Decided', pl.decided], ['Pending', pl.pending],
      ['Decisions', pl.decisions.map((d) => `${d.decision} ${d.count}`).join(', ') || '–']]);
  }
  const b = doc.bins;
  if (!b.in_use) notInUse($('bins-body'));
  else {
    definitionList($('bins-body'), [['Bins', b.bins],
      ['By type', b.by_type.map((t) => `${t.type} ${t.count}`).join(', ')],
      ['By capacity', b.by_capacity.map((t) => `${t.capacity} ${t.count}`).join(', ')],
      ['Overflow reports', b.overflow_reports],
      ['Fly-tips reported / cleared', b.fly_tipping ? `${b.fly_tipping.reported} / ${b.fly_tipping.cleared}` : '–']]);
  }
  const sc = doc.streetscene;
  if (sc && sc.in_use) {
    const visits = document.createElement('div');
    visits.id = 'cleansing-visits';
    $('bins-body').append(visits);
    definitionList(visits, [[`Cleansing visits since ${sc.season_from}: completed / scheduled`,
      `${sc.completed} / ${sc.scheduled}` + (sc.completed_percent === null ? '' : ` (${sc.completed_percent}%)`)],
      ...sc.by_activity.map((a) => [a.name, `${a.completed} / ${a.scheduled}`])]);
  }
  const e = doc.empty_properties;
  if (!e.in_use) notInUse($('empty-body'));
  else {
    definitionList($('empty-body'), [['Empty now', e.total ?? 'fewer than 5'],
      ...e.by_time_empty.map((x) => [x.band.replace(/_/g, ' '), x.count ?? 'fewer than 5']),
      ['Inspections due (4 weeks)', e.inspections.due_within_28_days ?? 'fewer than 5'],
      ['Inspections overdue', e.inspections.overdue ?? 'fewer than 5']]);
  }
  const br = doc.bereavement;
  if (!br.in_use) notInUse($('bereavement-body'));
  else {
    definitionList($('bereavement-body'), br.cemeteries.map((c) => [c.cemetery,
      `burials this year ${c.burials_this_year ?? 'fewer than 5'}; graves available ${c.space_by_section.reduce((s, x) => s + x.available, 0)}`]));
  }
  const list = $('list');
  list.replaceChildren();
  for (const item of r.in_use ? r.list.slice(0, 20) : []) {
    const li = document.createElement('li');
    li.dataset.id = String(item.id); // councillor-actions.js adds Follow and Note here
    const a = document.createElement('a');
    a.href = item.url;
    a.textContent = `#${item.id} ${item.category} (${item.status})`;
    li.append(a, ` ${item.created_at.slice(0, 10)}`);
    list.append(li);
  }
  const exports = $('exports');
  exports.replaceChildren();
  const base = `/api/myward/${encodeURIComponent(ward)}`;
  for (const [name, label] of [['requests.csv', 'Requests (CSV)'], ['requests.geojson', 'Requests (GeoJSON)'],
    ['categories.csv', 'By category (CSV)'], ['months.csv', 'By month (CSV)'], ['planning.csv', 'Planning (CSV)'],
    ['bins.csv', 'Bins (CSV)'], ['empty_properties.csv', 'Empty properties (CSV)']]) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `${base}/${name}?${params()}`;
    a.textContent = label;
    a.setAttribute('download', '');
    li.append(a);
    exports.append(li);
  }
  // The printable A4 report of the month that holds `to` (docs/myward.md "Monthly report").
  const month = ($('to').value || todayIso()).slice(0, 7);
  for (const [suffix, label] of [['report', 'Print report'], ['report.pdf', 'Report (PDF)']]) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `${base}/${suffix}?month=${month}`;
    a.textContent = `${label}, ${month}`;
    a.target = '_blank';
    li.append(a);
    exports.append(li);
  }
  layers.clearLayers();
  if (r.in_use) densityLayer(r.points).addTo(layers);
  try {
    const outline = await staffFetch(`${base}/months.geojson?${params()}`);
    const shape = L.geoJSON(outline, { style: { color: '#1d3f72', weight: 3, fill: false } }).addTo(layers);
    map.fitBounds(shape.getBounds(), { padding: [10, 10], animate: false });
  } catch {
    // the outline is a nicety: the panels stand without it
  }
  document.body.dataset.loaded = String(Date.now());
}

const me = await startStaffPage();
$('checking').remove();
const grants = me.person.roles ?? [];
const councillor = grants.find((g) => g.role === 'councillor');
const select = $('ward');
if (councillor) {
  for (const code of councillor.wards) select.add(new Option(me.wardNames[code] ?? code, code));
} else {
  const wards = await (await fetch(`/api/wards?date=${todayIso()}`)).json();
  for (const f of wards.features) select.add(new Option(f.properties.name, f.properties.code));
}
$('to').value = todayIso();
$('from').value = yearBefore(todayIso());
$('filters').hidden = false;
({ map } = await createMap($('map'), { label: "Map of the ward's requests", streets: false }));
layers = L.featureGroup().addTo(map);
window.wardmapMyWardMap = map; // "Raise a request" picks its point here (councillor-actions.js)
$('from').addEventListener('change', () => { $('from').dataset.touched = 'true'; });
for (const id of ['ward', 'from', 'to', 'category', 'status']) $(id).addEventListener('change', load);
await load();
await startCouncillorActions(me);
document.body.dataset.ready = 'true';
