// The public grave search (burials.html): a name, an optional year range and cemetery, sent to
// GET /api/burials/search; each burial found is listed with its dates, cemetery, section and
// grave number, and choosing one draws its grave (the public graves collection's polygon) on
// the council's basemap. The API shows nothing of the living, and neither does this page.
import { request, ApiError } from './api.js';
import { createMap } from './map.js';

const L = window.L;
const form = document.getElementById('search');
const summary = document.getElementById('summary');
const results = document.getElementById('results');
const more = document.getElementById('more');
const formError = document.getElementById('form-error');
const graveSummary = document.getElementById('grave-summary');
const mapPanel = document.querySelector('.map-panel');
const mapHome = mapPanel.parentElement;
// Below the desktop layout's two columns the map would sit under the whole list of results, so
// on a phone it opens under the burial chosen, where the eye already is.
const narrow = window.matchMedia('(max-width: 899px)');
const FIELDS = ['name', 'year_from', 'year_to', 'cemetery'];
const PAGE = 20;
const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

let map = null;
let graveLayer = null;
let lastQuery = null;
let page = 1;

const day = (iso) => (iso ? DATE.format(new Date(`${iso}T00:00:00Z`)) : '');

function showErrors(fields = {}) {
  for (const name of FIELDS) {
    const message = fields[name] ?? '';
    document.getElementById(`${name}-error`).textContent = message;
    const input = document.getElementById(name);
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

function resultItem(hit) {
  const item = document.createElement('li');
  item.className = 'report-item burial';
  const title = document.createElement('p');
  title.className = 'report-title';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link-button';
  button.textContent = [hit.forenames, hit.surname].filter(Boolean).join(' ');
  button.setAttribute('aria-describedby', `burial-${hit.id}-meta`);
  button.addEventListener('click', () => showGrave(hit, item));
  title.append(button);
  const meta = document.createElement('p');
  meta.className = 'report-meta';
  meta.id = `burial-${hit.id}-meta`;
  const parts = [];
  if (hit.age) parts.push(hit.age === 'stillborn' ? 'Stillborn' : `Aged ${hit.age}`);
  if (hit.died_on) parts.push(`died ${day(hit.died_on)}`);
  parts.push(`buried ${day(hit.buried_on)}`);
  meta.textContent = parts.join(', ');
  const place = document.createElement('p');
  place.className = 'report-meta';
  place.textContent = `${hit.cemetery.name}, ${hit.section}, grave ${hit.grave.grave_number}`;
  item.append(title, meta, place);
  if (hit.disinterred) {
    const moved = document.createElement('p');
    moved.className = 'report-meta';
    moved.textContent = `Moved by licence on ${day(hit.disinterred.on)}` + (hit.disinterred.grave
      ? ` to ${hit.disinterred.cemetery}, grave ${hit.disinterred.grave.grave_number}` : '');
    item.append(moved);
  }
  if (hit.match === 'sounds_like') {
    const note = document.createElement('p');
    note.className = 'report-meta';
    note.textContent = 'A similar-sounding spelling';
    item.append(note);
  }
  return item;
}

// The map panel goes under the chosen item on a narrow screen, back beside the list otherwise.
function placeMapPanel(item) {
  const target = narrow.matches && item ? item : null;
  if (target && mapPanel.parentElement !== target) target.append(mapPanel);
  else if (!target && mapPanel.parentElement !== mapHome) mapHome.append(mapPanel);
  map?.invalidateSize({ animate: false });
}

narrow.addEventListener('change', () => { if (!narrow.matches) placeMapPanel(null); });

async function showGrave(hit, item) {
  placeMapPanel(item);
  graveSummary.textContent = `${[hit.forenames, hit.surname].filter(Boolean).join(' ')}: ` +
    `${hit.cemetery.name}, ${hit.section}, grave ${hit.grave.grave_number}.`;
  document.body.dataset.grave = String(hit.grave.id);
  if (!map) return;
  graveLayer?.remove();
  try {
    const feature = await request(`/ogc/collections/graves/items/${hit.grave.id}`);
    graveLayer = L.geoJSON(feature, { style: { color: '#b00020', weight: 3, fillColor: '#b00020', fillOpacity: 0.35 } })
      .bindTooltip(`Grave ${hit.grave.grave_number}`, { permanent: true, direction: 'top' })
      .addTo(map);
    map.fitBounds(graveLayer.getBounds(), { maxZoom: 19, animate: false });
  } catch {
    if (hit.grave.point) {
      const [lon, lat] = hit.grave.point.coordinates;
      graveLayer = L.circleMarker([lat, lon], { radius: 8, color: '#b00020' }).addTo(map);
      map.setView([lat, lon], 19, { animate: false });
    }
  }
  document.body.dataset.graveShown = 'true';
  document.getElementById('map').scrollIntoView({ block: narrow.matches ? 'center' : 'nearest' });
}

async function search(append) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(lastQuery)) if (v) params.set(k, v);
  params.set('limit', String(PAGE));
  params.set('page', String(page));
  formError.hidden = true;
  summary.textContent = 'Searching…';
  try {
    const doc = await request(`/api/burials/search?${params}`);
    showErrors();
    if (!append) {
      placeMapPanel(null);
      results.replaceChildren();
    }
    results.append(...doc.results.map(resultItem));
    const shown = results.children.length;
    // Past the server's cap `total` is the cap and `total_capped` says there are more: the
    // pages go on until one comes back short.
    const found = doc.total_capped
      ? `${doc.total.toLocaleString('en-GB')} or more burials found`
      : `${doc.total} ${doc.total === 1 ? 'burial' : 'burials'} found`;
    summary.textContent = doc.total === 0
      ? 'No burials found. Try another spelling or a wider range of years.'
      : found + (doc.total_capped || shown < doc.total ? `, showing ${shown}.` : '.');
    more.hidden = doc.total_capped ? doc.results.length < PAGE : shown >= doc.total;
  } catch (error) {
    summary.textContent = '';
    if (error instanceof ApiError && Object.keys(error.fields).some((f) => FIELDS.includes(f))) {
      showErrors(error.fields);
      document.querySelector('[aria-invalid="true"]')?.focus();
    } else {
      formError.textContent = error.message;
      formError.hidden = false;
    }
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  lastQuery = Object.fromEntries(FIELDS.map((f) => [f, String(data.get(f) ?? '').trim()]));
  if (!lastQuery.name) {
    showErrors({ name: 'Enter a surname, or a forename and surname.' });
    document.getElementById('name').focus();
    return;
  }
  page = 1;
  search(false);
});
more.addEventListener('click', () => {
  page += 1;
  search(true);
});

async function loadCemeteries() {
  try {
    const doc = await request('/ogc/collections/cemeteries/items?limit=100');
    const select = document.getElementById('cemetery');
    for (const f of doc.features) {
      const option = document.createElement('option');
      option.value = String(f.id);
      option.textContent = f.properties.name;
      select.append(option);
    }
  } catch {
    // The search works without the list (all cemeteries).
  }
}

async function start() {
  await loadCemeteries();
  try {
    const element = document.getElementById('map');
    map = (await createMap(element, { label: 'Map of the grave', streets: false })).map ?? element.wardmap?.map;
  } catch {
    map = null;
  }
  document.body.dataset.ready = 'true';
}

start();
