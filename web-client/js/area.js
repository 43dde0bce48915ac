// My area (docs/my-area.md): a resident types an address or postcode and chooses their
// address; the page reads GET /api/my-area?uprn= and shows their ward and councillors, bin and
// sweeping days, planning on the property and nearby, land charges and constraints, open
// reports nearby and the nearest litter bins, with a map of them on the council's basemap.
// The address is in the page's URL (area.html?uprn=...), so the page can be shared.
import { api, formatDate, statusLabel } from './api.js';
import { createMap } from './map.js';
import { addressCombobox } from './combobox.js';

const $ = (id) => document.getElementById(id);
const el = (tag, text, attrs = {}) => {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};
const list = (items) => {
  const ul = el('ul');
  ul.append(...items);
  return ul;
};
const metres = (m) => (m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);
const dayLabel = (iso) => new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' })
  .format(new Date(`${iso}T00:00:00Z`));

let mapParts = null;
let overlay = null;
async function mapReady() {
  mapParts ??= createMap($('map'), { label: 'Map of your area', streets: false });
  return mapParts;
}

addressCombobox({
  input: $('address'), listbox: $('address-options'), status: $('address-status'),
  onChoose: (feature) => {
    const params = new URLSearchParams({ uprn: String(feature.id) });
    history.pushState(null, '', `?${params}`);
    load(params);
  },
});
$('find').addEventListener('submit', (event) => event.preventDefault());
window.addEventListener('popstate', () => load(new URLSearchParams(location.search)));

function where(params) {
  const out = new URLSearchParams();
  for (const k of ['uprn', 'postcode', 'lon', 'lat']) {
    if (params.get(k)) out.set(k, params.get(k));
  }
  return out;
}

async function load(params) {
  const query = where(params);
  if ([...query.keys()].length === 0) return;
  $('area-error').hidden = true;
  $('area-status').textContent = 'Looking up your area…';
  document.body.dataset.areaLoaded = 'false';
  let doc;
  try {
    doc = await api.myArea(query);
  } catch (error) {
    $('area-status').textContent = '';
    $('area-error').textContent = error.status === 404
      ? 'We could not find that place in the borough. Type your address and choose it from the list.'
      : error.message;
    $('area-error').hidden = false;
    document.body.dataset.areaLoaded = 'error';
    return;
  }
  $('area').hidden = false;
  render(doc);
  $('area-status').textContent = `Showing ${placeLabel(doc.place)}.`;
  await drawMap(doc);
  document.body.dataset.areaLoaded = 'true';
}

function placeLabel(place) {
  if (place.kind === 'property') return place.address || `property ${place.uprn}`;
  if (place.kind === 'postcode') return `postcode ${place.postcode}`;
  return `the point ${place.at.lat.toFixed(5)}, ${place.at.lon.toFixed(5)}`;
}

function render(doc) {
  $('place').textContent = placeLabel(doc.place);
  const share = new URLSearchParams(doc.place.uprn ? { uprn: doc.place.uprn } : where(new URLSearchParams(location.search)));
  $('share').href = `/area.html?${share}`;
  if (doc.place.kind === 'property' && !$('address').value) $('address').value = doc.place.address ?? '';

  // Ward and councillors.
  const ward = $('ward');
  ward.replaceChildren();
  if (!doc.ward) {
    ward.append(el('p', 'This place is outside the council\'s wards.'));
  } else {
    ward.append(el('p', `${doc.ward.name} ward`, { class: 'area-ward-name' }));
    if (doc.ward.councillors.length === 0) {
      ward.append(el('p', 'The council has not published this ward\'s councillors here yet.'));
    } else {
      ward.append(list(doc.ward.councillors.map((c) => {
        const li = el('li');
        li.append(el('strong', c.name));
        if (c.party) li.append(` (${c.party})`);
        if (c.email) {
          li.append(' – ');
          li.append(el('a', c.email, { href: `mailto:${c.email}` }));
        }
        return li;
      })));
    }
  }

  // Bin and sweeping days.
  const days = $('days');
  days.replaceChildren();
  const d = doc.bin_and_sweeping_days;
  if (!d.in_use) {
    days.append(el('p', d.message === 'not in use here' ? 'Not in use here yet.' : `${d.message[0].toUpperCase()}${d.message.slice(1)}.`));
  } else {
    days.append(list(d.activities.map((a) => {
      const li = el('li');
      li.append(el('strong', a.name));
      li.append(a.next ? `: next ${dayLabel(a.next)}` : ': none in the next 13 weeks');
      const moved = a.coming.find((c) => c.moved_from);
      if (moved) li.append(el('span', ` (${dayLabel(moved.date)} instead of ${dayLabel(moved.moved_from)}: bank holiday)`, { class: 'report-meta' }));
      return li;
    })));
    if (doc.place.uprn) {
      const p = el('p');
      p.append(el('a', 'Add these days to your calendar', { href: `/api/schedules.ics?uprn=${doc.place.uprn}` }));
      days.append(p);
    }
  }

  // Planning.
  const planning = $('planning');
  planning.replaceChildren();
  const app = (a) => {
    const li = el('li');
    li.append(el('strong', a.reference), ` ${a.description} `);
    const meta = [a.address, `received ${formatDate(a.received_date, false)}`, a.decision ?? a.status.replace(/_/g, ' ')];
    if (a.distance_m !== undefined) meta.push(`${metres(a.distance_m)} away`);
    li.append(el('span', `(${meta.join(', ')})`, { class: 'report-meta' }));
    return li;
  };
  if (doc.place.kind === 'property') {
    planning.append(el('h3', 'On this property'));
    planning.append(doc.planning.on_property.length ? list(doc.planning.on_property.map(app))
      : el('p', 'No planning applications on this property.'));
  }
  const near = doc.planning.nearby;
  planning.append(el('h3', `Within ${near.radius_m} m, last ${near.months} months`));
  planning.append(near.applications.length ? list(near.applications.map(app)) : el('p', 'None.'));

  // Constraints and land charges.
  const constraints = $('constraints');
  constraints.replaceChildren();
  for (const [title, panel] of [['Constraints', doc.constraints], ['Local land charges', doc.land_charges]]) {
    if (!panel.in_use) {
      constraints.append(el('p', `${title}: not in use here yet.`));
    } else if (!panel.items?.length) {
      constraints.append(el('p', `${title}: none on this property.`));
    } else {
      constraints.append(el('h3', title));
      constraints.append(list(panel.items.map((c) => el('li', [(c.kind ?? c.charge_type ?? '').replace(/_/g, ' '), c.name ?? c.description, c.reference].filter(Boolean).join(': ')))));
    }
  }

  // Open reports nearby.
  const reports = $('reports');
  reports.replaceChildren();
  const r = doc.reports_nearby;
  reports.append(el('p', `${r.open_count} open report${r.open_count === 1 ? '' : 's'} within ${r.radius_m} m.`, { id: 'reports-count' }));
  if (r.reports.length) {
    reports.append(list(r.reports.slice(0, 10).map((x) => {
      const li = el('li');
      li.append(el('strong', x.category ?? x.category_code));
      li.append(el('span', ` ${statusLabel(x.status)}, reported ${formatDate(x.created_at, false)}, ${metres(x.distance_m)} away`, { class: 'report-meta' }));
      return li;
    })));
    if (r.reports.length > 10) {
      const p = el('p');
      p.append(el('a', 'See them all on the map of reports', { href: '/reports.html' }));
      reports.append(p);
    }
  }

  // Litter bins.
  const bins = $('bins');
  bins.replaceChildren();
  bins.append(doc.litter_bins.length ? list(doc.litter_bins.map((b) => el('li',
    `${b.reference}${b.bin_type ? ` (${b.bin_type.replace(/_/g, ' ')})` : ''}: ${metres(b.distance_m)} away`)))
    : el('p', 'No litter bins recorded near here.'));
}

async function drawMap(doc) {
  const { map } = await mapReady();
  overlay?.remove();
  overlay = L.layerGroup().addTo(map);
  const dot = (at, color, title, radius = 7) => L.circleMarker([at.lat, at.lon],
    { radius, color: '#fff', weight: 2, fillColor: color, fillOpacity: 1 }).bindTooltip(title).addTo(overlay);
  const all = [];
  for (const b of doc.litter_bins) all.push(dot(b.at, '#00703c', `Litter bin ${b.reference}`, 6));
  for (const a of [...(doc.planning.on_property ?? []), ...doc.planning.nearby.applications]) {
    all.push(dot(a.at, '#6f3c96', `Planning ${a.reference}`, 6));
  }
  for (const x of doc.reports_nearby.reports) all.push(dot(x.at, '#b10e1e', `${x.category ?? x.category_code}: ${statusLabel(x.status)}`, 6));
  const home = dot(doc.place.at, '#1d3f72', placeLabel(doc.place), 10);
  all.push(home);
  map.fitBounds(L.featureGroup(all).getBounds().pad(0.1), { maxZoom: 17, animate: false });
}

document.body.dataset.ready = 'true';
if (location.search) load(new URLSearchParams(location.search));
