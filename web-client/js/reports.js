// Local reports (reports.html) and the ward page (ward.html?code=GSS): the public view of
// service requests from /ogc/collections/service_requests, filtered by status, category,
// dates and ward, clustered on the map, with a list of the reports in the current map view.
import { api, formatDate, statusLabel, OPEN_STATUSES, CLOSED_STATUSES } from './api.js';
import { createMap, statusClass, debounce } from './map.js';

const L = window.L;
const $ = (id) => document.getElementById(id);
const LIST_LIMIT = 100;
const isWardPage = document.body.dataset.view === 'ward';
const params = new URLSearchParams(location.search);

const { map, layers } = await createMap($('map'), { label: 'Map of reports', canvas: true });
await layers.ready;
// No split/merge animation of clusters: with 5,000 pins it halves the time spent in long
// frames while zooming (bench/web_client.mjs), and the map's own zoom still animates.
const cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false,
  maxClusterRadius: 50, animate: false, spiderfyOnMaxZoom: true });
map.addLayer(cluster);
let features = [];
let wardNames = new Map(layers.wardFeatures.map((f) => [f.properties.code, f.properties.name]));

// Filters start from the address bar, so a filtered view can be bookmarked and shared.
for (const [name, id] of [['status', 'filter-status'], ['category', 'filter-category'],
  ['from', 'filter-from'], ['to', 'filter-to'], ['ward', 'filter-ward']]) {
  if (params.has(name) && name !== 'category' && name !== 'ward') $(id).value = params.get(name);
}

const wardSelect = $('filter-ward');
wardSelect.append(...[...wardNames].sort((a, b) => a[1].localeCompare(b[1])).map(([code, name]) => {
  const option = document.createElement('option');
  option.value = code;
  option.textContent = name;
  return option;
}));
if (isWardPage) {
  wardSelect.value = params.get('code') ?? '';
  wardSelect.closest('div').hidden = true;
} else if (params.get('ward')) {
  wardSelect.value = params.get('ward');
}

try {
  const services = await api.services();
  const select = $('filter-category');
  const groups = new Map();
  for (const s of services.filter((x) => !/\bprivate\b/.test(x.keywords))) {
    if (!groups.has(s.group)) groups.set(s.group, []);
    groups.get(s.group).push(s);
  }
  select.append(...[...groups].map(([group, list]) => {
    const optgroup = document.createElement('optgroup');
    optgroup.label = group;
    optgroup.append(...list.map((s) => new Option(s.service_name, s.service_code)));
    return optgroup;
  }));
  if (params.get('category')) select.value = params.get('category');
} catch {
  // Without the catalogue the category filter offers "All categories" only.
}

if (isWardPage) await showWard(wardSelect.value);

async function showWard(code) {
  const info = $('ward-info');
  if (!code) {
    $('title').textContent = 'Ward not found';
    info.hidden = false;
    info.textContent = 'This page needs a ward code. Choose a ward from the local reports page.';
    return;
  }
  try {
    const ward = await api.ward(code);
    const p = ward.properties;
    $('title').textContent = `${p.name} ward`;
    document.title = `${p.name} ward – Chorley Council`;
    const councillors = p.councillors?.length
      ? `Councillors: ${p.councillors.map((c) => (c.party ? `${c.name} (${c.party})` : c.name)).join(', ')}.`
      : 'The council has not published this ward\'s councillors here yet.';
    const text = document.createElement('p');
    text.textContent = `${councillors} Ward code ${p.code}.`;
    const back = document.createElement('a');
    back.href = `/reports.html?ward=${encodeURIComponent(p.code)}`;
    back.textContent = 'See these reports on the borough map';
    info.replaceChildren(text, back);
    info.hidden = false;
    L.geoJSON(ward, { style: { color: '#a4000f', weight: 3, fill: false, interactive: false } }).addTo(map);
    map.fitBounds(L.geoJSON(ward).getBounds(), { padding: [8, 8], animate: false });
  } catch (e) {
    $('title').textContent = 'Ward not found';
    info.hidden = false;
    info.textContent = e.status === 404 ? `There is no ward with the code ${code}.` : e.message;
  }
}

function cqlString(value) {
  return `'${String(value).replace(/'/g, "''")}'`;
}

function query() {
  const status = $('filter-status').value;
  const clauses = [];
  if (status === 'open') clauses.push(`status IN (${OPEN_STATUSES.map(cqlString).join(',')})`);
  if (status === 'closed') clauses.push(`status IN (${CLOSED_STATUSES.map(cqlString).join(',')})`);
  const from = $('filter-from').value;
  const to = $('filter-to').value;
  return {
    limit: 10000,
    category_code: $('filter-category').value || undefined,
    ward_code: wardSelect.value || undefined,
    filter: clauses.join(' AND ') || undefined,
    datetime: from || to ? `${from ? `${from}T00:00:00Z` : '..'}/${to ? `${to}T23:59:59Z` : '..'}` : undefined,
  };
}

let loadRun = 0;
async function load() {
  const run = ++loadRun;
  $('load-error').hidden = true;
  $('summary').textContent = 'Loading the reports…';
  const from = $('filter-from').value;
  const to = $('filter-to').value;
  if (from && to && from > to) {
    $('summary').textContent = '';
    $('load-error').textContent = 'The "from" date is after the "up to" date: swap them to see reports.';
    $('load-error').hidden = false;
    return;
  }
  try {
    let page = await api.features('service_requests', query());
    const all = [...page.features];
    // Follow the server's next links past 10,000 (a whole borough over years).
    for (let next = page.links?.find((l) => l.rel === 'next'); next && all.length < 50000;
      next = page.links?.find((l) => l.rel === 'next')) {
      const url = new URL(next.href);
      page = await api.features('service_requests', Object.fromEntries(url.searchParams));
      all.push(...page.features);
    }
    if (run !== loadRun) return;
    features = all;
    draw();
    updateAddressBar();
  } catch (e) {
    if (run !== loadRun) return;
    $('summary').textContent = '';
    $('load-error').textContent = `The reports could not be loaded. ${e.message}`;
    $('load-error').hidden = false;
  }
}

function draw() {
  cluster.clearLayers();
  const markers = features.map((f) => {
    const [lon, lat] = f.geometry.coordinates;
    const marker = L.circleMarker([lat, lon], {
      radius: 7, weight: 2, color: '#ffffff', fillOpacity: 1,
      fillColor: statusClass(f.properties.status) === 'open' ? '#a4000f' : '#0b6b2f',
    });
    marker.feature = f;
    marker.bindPopup(() => popupContent(f));
    return marker;
  });
  cluster.addLayers(markers);
  const open = features.filter((f) => statusClass(f.properties.status) === 'open').length;
  $('summary').textContent = `${features.length} report${features.length === 1 ? '' : 's'} match (${open} open, ${features.length - open} closed).`;
  document.body.dataset.loaded = String(features.length);
  renderList();
}

function popupContent(f) {
  const div = document.createElement('div');
  const title = document.createElement('strong');
  title.textContent = f.properties.category;
  const meta = document.createElement('p');
  meta.textContent = `${statusLabel(f.properties.status)} · reported ${formatDate(f.properties.created_at, false)} · reference ${f.id}`;
  div.append(title, meta, wardLink(f.properties.ward_code));
  return div;
}

function wardLink(code) {
  const a = document.createElement('a');
  a.href = `/ward.html?code=${encodeURIComponent(code)}`;
  a.textContent = `${wardNames.get(code) ?? code} ward`;
  return a;
}

function renderList() {
  const bounds = map.getBounds();
  const west = bounds.getWest();
  const east = bounds.getEast();
  const south = bounds.getSouth();
  const north = bounds.getNorth();
  // created_at is RFC 3339 UTC, so plain string order is time order.
  const newestFirst = (a, b) => {
    const x = a.properties.created_at ?? '';
    const y = b.properties.created_at ?? '';
    return x < y ? 1 : x > y ? -1 : 0;
  };
  const inView = features.filter((f) => {
    const [lon, lat] = f.geometry.coordinates;
    return lon >= west && lon <= east && lat >= south && lat <= north;
  }).sort(newestFirst);
  $('list-summary').textContent = inView.length > LIST_LIMIT
    ? `${inView.length} reports in the map view; the newest ${LIST_LIMIT} are listed. Zoom in or filter to see the others.`
    : `${inView.length} report${inView.length === 1 ? '' : 's'} in the map view.`;
  $('list').replaceChildren(...inView.slice(0, LIST_LIMIT).map((f) => {
    const li = document.createElement('li');
    li.className = 'report-item';
    li.dataset.id = f.id;
    const title = document.createElement('p');
    title.className = 'report-title';
    const show = document.createElement('button');
    show.type = 'button';
    show.className = 'link-button';
    show.textContent = `${f.properties.category} (reference ${f.id})`;
    show.addEventListener('click', () => {
      const marker = cluster.getLayers().find((m) => m.feature === f);
      if (marker) cluster.zoomToShowLayer(marker, () => marker.openPopup());
      $('map').scrollIntoView({ block: 'nearest' });
    });
    title.append(show);
    const meta = document.createElement('p');
    meta.className = 'report-meta';
    meta.append(`${statusLabel(f.properties.status)} · reported ${formatDate(f.properties.created_at, false)} · `,
      wardLink(f.properties.ward_code));
    li.append(title, meta);
    return li;
  }));
}

function updateAddressBar() {
  const next = new URLSearchParams();
  if (isWardPage) next.set('code', wardSelect.value);
  for (const [name, id] of [['status', 'filter-status'], ['category', 'filter-category'],
    ['from', 'filter-from'], ['to', 'filter-to']]) {
    if ($(id).value) next.set(name, $(id).value);
  }
  if (!isWardPage && wardSelect.value) next.set('ward', wardSelect.value);
  history.replaceState(null, '', `${location.pathname}?${next}`);
}

$('filters').addEventListener('change', load);
$('filters').addEventListener('submit', (event) => { event.preventDefault(); load(); });
map.on('moveend', debounce(renderList, 150));
await load();
performance.mark('wardmap-ready');
document.body.dataset.ready = 'true';
