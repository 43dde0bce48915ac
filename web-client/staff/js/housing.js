// The housing team's empty-property page: the register's due and overdue inspections on the
// council's basemap and as a list (next due first), a property's panel with its inspections and
// status history, the owner's details only on request (each read audited by the server), and
// recording an inspection with photos. Talks to /api/housing/... (docs/http-api.md).
import { startStaffPage, staffFetch } from './staff-shell.js';
import { StaffError } from './staff-api.js';
import { createMap } from '/js/map.js';

const L = window.L;
const $ = (id) => document.getElementById(id);

const STATUS = { monitoring: 'Monitoring', engaged: 'Engaged with owner', enforcement: 'Enforcement',
  back_in_use: 'Back in use' };
const SOURCE = { council_tax: 'Council tax', complaint: 'Complaint', survey: 'Street survey' };
const CONDITION = { good: 'Good', fair: 'Fair', poor: 'Poor', derelict: 'Derelict' };
const SECURITY = { secure: 'Secure', insecure: 'Insecure', open: 'Open to entry' };
const ACTION = { none: 'None', monitor: 'Keep monitoring', contact_owner: 'Contact the owner',
  advice: 'Advice to the owner', enforcement: 'Enforcement', emergency_works: 'Emergency works' };
const COLOURS = { overdue: '#a4000f', due: '#b35c00', later: '#1d3f72', closed: '#4a4a4a' };

let csrfToken = null;
let map = null;
let markers = null;
let current = null; // the property open in the panel

function todayIso() {
  // The council's day (Europe/London), as the server dates things.
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
}
function addDays(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
function longDate(iso) {
  if (!iso) return '–';
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB',
    { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}
function urgency(p, on) {
  if (p.status === 'back_in_use' || !p.next_inspection_due) return 'closed';
  if (p.overdue) return 'overdue';
  return p.next_inspection_due <= addDays(on, 28) ? 'due' : 'later';
}
function urgencyText(p, on) {
  switch (urgency(p, on)) {
    case 'overdue': return `Overdue since ${longDate(p.next_inspection_due)}`;
    case 'due': return `Due ${longDate(p.next_inspection_due)}`;
    case 'later': return `Next due ${longDate(p.next_inspection_due)}`;
    default: return 'Back in use: no inspection due';
  }
}
function label(p) {
  return p.address || `UPRN ${p.uprn}`;
}

function query() {
  const on = $('filter-date').value || todayIso();
  const params = new URLSearchParams({ date: on });
  const view = $('filter-view').value;
  if (view === 'due') params.set('due_by', addDays(on, 28));
  if (view === 'overdue') params.set('overdue', 'true');
  if ($('filter-status').value) params.set('status', $('filter-status').value);
  return { on, params };
}

function facts(dl, rows) {
  dl.replaceChildren();
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dl.append(dt, dd);
  }
}

async function load() {
  const { on, params } = query();
  $('load-error').textContent = '';
  let collection;
  try {
    collection = await staffFetch(`/api/housing/properties.geojson?${params}`);
  } catch (error) {
    $('load-error').textContent = `The register could not be loaded: ${error.message}`;
    return;
  }
  const features = collection.features;
  const overdue = features.filter((f) => f.properties.overdue).length;
  $('summary').textContent = `${features.length} ${features.length === 1 ? 'property' : 'properties'}, ` +
    `${overdue} overdue for inspection on ${longDate(on)}.`;
  markers.clearLayers();
  const list = $('list');
  list.replaceChildren();
  for (const f of features) {
    const p = { ...f.properties, id: f.id };
    const kind = urgency(p, on);
    const [lon, lat] = f.geometry.coordinates;
    const marker = L.circleMarker([lat, lon], { radius: 8, weight: 2, color: '#fff', fillColor: COLOURS[kind],
      fillOpacity: 0.95 });
    marker.bindTooltip(`${label(p)}: ${urgencyText(p, on)}`);
    marker.on('click', () => openProperty(p.id));
    marker.addTo(markers);
    const item = document.createElement('li');
    item.className = `housing-item housing-${kind}`;
    item.dataset.id = p.id;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link-button housing-open';
    button.textContent = label(p);
    button.addEventListener('click', () => openProperty(p.id));
    const when = document.createElement('p');
    when.className = 'housing-when';
    when.textContent = urgencyText(p, on);
    const about = document.createElement('p');
    about.className = 'hint';
    about.textContent = `${STATUS[p.status] ?? p.status} · ${p.risk} risk · empty since ${longDate(p.empty_since)}`;
    item.append(button, when, about);
    list.append(item);
  }
  if (!features.length) {
    const none = document.createElement('li');
    none.textContent = 'No properties match.';
    list.append(none);
  } else if (!map.wardmapFitted) {
    map.wardmapFitted = true;
    map.fitBounds(markers.getBounds(), { padding: [20, 20], maxZoom: 15, animate: false });
  }
  document.body.dataset.loaded = String(Date.now());
}

function renderPanel(p) {
  const on = $('filter-date').value || todayIso();
  $('panel-title').textContent = label(p);
  facts($('panel-facts'), [
    ['Inspection', urgencyText(p, on)],
    ['Status', STATUS[p.status] ?? p.status],
    ['Risk', `${p.risk} (inspected every ${{ high: 3, medium: 6, low: 12 }[p.risk]} months)`],
    ['Empty since', longDate(p.empty_since)],
    ['Furnished', p.furnished ? 'Yes' : 'No'],
    ['Found by', SOURCE[p.source] ?? p.source],
    ['Last inspected', longDate(p.last_inspected_on)],
    ['UPRN', String(p.uprn)],
  ]);
  const inspections = $('panel-inspections');
  inspections.replaceChildren();
  for (const i of p.inspections) {
    const li = document.createElement('li');
    const head = document.createElement('p');
    head.innerHTML = '';
    const strong = document.createElement('strong');
    strong.textContent = longDate(i.inspected_on);
    head.append(strong, ` by ${i.inspector}: ${CONDITION[i.condition] ?? i.condition}, ` +
      `${SECURITY[i.security] ?? i.security}. Action: ${ACTION[i.recommended_action] ?? i.recommended_action}.`);
    li.append(head);
    if (i.notes) {
      const notes = document.createElement('p');
      notes.className = 'hint';
      notes.textContent = i.notes;
      li.append(notes);
    }
    for (const photo of i.photos) {
      const a = document.createElement('a');
      a.href = photo.url;
      const img = document.createElement('img');
      img.src = photo.thumbnail_url;
      img.alt = `Photo from the inspection on ${longDate(i.inspected_on)}`;
      img.className = 'housing-photo';
      a.append(img);
      li.append(a);
    }
    inspections.append(li);
  }
  if (!p.inspections.length) {
    const li = document.createElement('li');
    li.textContent = 'Not inspected yet.';
    inspections.append(li);
  }
  const log = $('panel-log');
  log.replaceChildren();
  for (const e of p.status_log) {
    const li = document.createElement('li');
    li.textContent = `${longDate(e.effective_on)}: ${STATUS[e.status] ?? e.status} (${e.by})${e.note ? ` – ${e.note}` : ''}`;
    log.append(li);
  }
  $('owner-details').hidden = true;
  $('owner-details').replaceChildren();
  $('owner-show').hidden = false;
  $('owner-show').textContent = p.owner_details_held ? 'Show owner details' : 'No owner details held';
  $('owner-show').disabled = !p.owner_details_held;
  $('owner-error').textContent = '';
}

async function openProperty(id) {
  const on = $('filter-date').value || todayIso();
  try {
    current = await staffFetch(`/api/housing/properties/${id}?date=${on}`);
  } catch (error) {
    $('load-error').textContent = `That property could not be opened: ${error.message}`;
    return;
  }
  renderPanel(current);
  $('inspected-on').value = todayIso();
  $('inspection-error').textContent = '';
  $('inspection-done').textContent = '';
  const panel = $('panel');
  panel.hidden = false;
  panel.focus();
  panel.scrollIntoView({ block: 'start' });
  document.body.dataset.panel = String(id);
}

async function showOwner() {
  $('owner-error').textContent = '';
  try {
    const owner = await staffFetch(`/api/housing/properties/${current.id}/owner`);
    facts($('owner-details'), [['Name', owner.name ?? '–'], ['Address', owner.address ?? '–'],
      ['Phone', owner.phone ?? '–'], ['Email', owner.email ?? '–']]);
    $('owner-details').hidden = false;
    $('owner-show').hidden = true;
  } catch (error) {
    $('owner-error').textContent = error instanceof StaffError && error.status === 403
      ? 'Owner details are for the housing team only.' : `The owner details could not be read: ${error.message}`;
  }
}

async function uploadPhoto(inspectionId, file) {
  const response = await fetch(`/api/housing/inspections/${inspectionId}/photos`, {
    method: 'POST', credentials: 'same-origin', body: file,
    headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': csrfToken,
      Accept: 'application/json' },
  });
  if (!response.ok) {
    let detail = '';
    try { detail = (await response.json()).detail ?? ''; } catch { detail = ''; }
    throw new Error(`${file.name}: ${detail || `the server answered ${response.status}`}`);
  }
}

async function saveInspection(event) {
  event.preventDefault();
  const form = $('inspection-form');
  const error = $('inspection-error');
  error.textContent = '';
  $('inspection-done').textContent = '';
  if (!$('inspected-on').value) {
    error.textContent = 'Enter the date of the visit.';
    $('inspected-on').focus();
    return;
  }
  const files = [...$('photos').files];
  if (files.length > 6) {
    error.textContent = 'Choose at most 6 photos.';
    $('photos').focus();
    return;
  }
  const body = { inspected_on: $('inspected-on').value, condition: $('condition').value,
    security: $('security').value, recommended_action: $('action').value };
  if ($('notes').value.trim()) body.notes = $('notes').value.trim();
  const save = $('inspection-save');
  save.disabled = true;
  try {
    const saved = await staffFetch(`/api/housing/properties/${current.id}/inspections`, { method: 'POST', json: body });
    for (const file of files) await uploadPhoto(saved.inspection_id, file);
    form.reset();
    $('inspected-on').value = todayIso();
    await openProperty(current.id);
    $('inspection-done').textContent = `Inspection saved. ${urgencyText(current, $('filter-date').value || todayIso())}.`;
    await load();
  } catch (e) {
    error.textContent = `The inspection was not saved: ${e.message}`;
  } finally {
    save.disabled = false;
  }
}

await startStaffPage().then((me) => { csrfToken = me.csrfToken; });
$('checking').remove();
$('filters').hidden = false;
$('filter-date').value = todayIso();
({ map } = await createMap($('map'), { label: 'Map of empty properties', streets: false }));
markers = L.featureGroup().addTo(map);
for (const id of ['filter-view', 'filter-status', 'filter-date']) $(id).addEventListener('change', load);
$('owner-show').addEventListener('click', showOwner);
$('inspection-form').addEventListener('submit', saveInspection);
await load();
document.body.dataset.ready = 'true';
