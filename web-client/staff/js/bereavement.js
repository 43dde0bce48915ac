// The bereavement officer's page: a cemetery's graves on the council's basemap coloured by
// their derived status (the public graves collection), a grave's register entries, rights of
// burial (holders: the audited staff route) and memorial with its inspections; the memorial
// inspections due or overdue on a map and as a list; and the capacity forecast with a chart of
// burials a year (inline SVG, burial-chart.js). Talks to /ogc/collections/... and
// /api/burials/... (docs/burials.md).
import { startStaffPage, staffFetch } from './staff-shell.js';
import { burialsChart } from './burial-chart.js';
import { createMap } from '/js/map.js';

const L = window.L;
const $ = (id) => document.getElementById(id);

const STATUS = { available: 'Available', reserved: 'Reserved', in_use: 'In use (space left)', full: 'Full',
  unavailable: 'Unavailable', right_expired: 'Right expired' };
const STATUS_COLOURS = { available: '#2e7d32', reserved: '#1d6fb8', in_use: '#b35c00', full: '#4a4a4a',
  unavailable: '#a4000f', right_expired: '#7b3fa0' };
const ACTION = { none: 'no action', laid_flat: 'laid flat', staked: 'staked', made_safe: 'made safe',
  repaired: 'repaired' };
const RISK = { 1: 'immediate', 2: 'medium', 3: 'low' };
const TYPE = { kerb_set: 'kerb set' };
const PAGE = 200;

let map = null;
let graves = null; // the graves layer of the chosen cemetery
let due = null; // the due markers
let cemeteries = [];
let dueOffset = 0;

function longDate(iso) {
  if (!iso) return '–';
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB',
    { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}
function todayIso() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
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
function node(tag, text, className) {
  const n = document.createElement(tag);
  if (text !== undefined && text !== null) n.textContent = text;
  if (className) n.className = className;
  return n;
}
function failed(what, error) {
  $('load-error').textContent = `${what} could not be loaded: ${error.message}`;
}

// ---- tabs ----
const TABS = ['graves', 'due', 'capacity'];
async function showTab(name, { focus = false } = {}) {
  for (const t of TABS) {
    const tab = $(`tab-${t}`);
    const on = t === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`view-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  document.body.dataset.tab = name;
  $('main').classList.toggle('burial-wide', name === 'capacity');
  $('map-panel').hidden = name === 'capacity';
  $('panel').hidden = name === 'capacity' || !document.body.dataset.grave;
  $('key-status').hidden = name !== 'graves';
  $('key-due').hidden = name !== 'due';
  if (name === 'graves') {
    due?.remove();
    graves?.addTo(map);
  } else if (name === 'due') {
    graves?.remove();
    due.addTo(map);
    if (!document.body.dataset.dueLoaded) await loadDue(true);
  } else if (!document.body.dataset.capacityLoaded) {
    await loadCapacity();
  }
  if (name !== 'capacity') map.invalidateSize();
}
function tabKeys(event) {
  const i = TABS.indexOf(document.body.dataset.tab);
  let next = null;
  if (event.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
  if (event.key === 'ArrowLeft') next = TABS[(i + TABS.length - 1) % TABS.length];
  if (event.key === 'Home') next = TABS[0];
  if (event.key === 'End') next = TABS[TABS.length - 1];
  if (next) {
    event.preventDefault();
    showTab(next, { focus: true });
  }
}

// ---- graves ----
async function loadCemeteries() {
  const fc = await staffFetch('/ogc/collections/cemeteries/items?limit=100');
  cemeteries = fc.features;
  const select = $('cemetery');
  select.replaceChildren();
  for (const f of cemeteries) {
    const option = node('option', f.properties.name);
    option.value = String(f.id);
    select.append(option);
  }
}
async function loadGraves() {
  const feature = cemeteries.find((f) => String(f.id) === $('cemetery').value);
  if (!feature) return;
  const bounds = L.geoJSON(feature).getBounds();
  const bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].join(',');
  let fc;
  try {
    fc = await staffFetch(`/ogc/collections/graves/items?bbox=${bbox}&limit=10000`);
  } catch (error) {
    failed('The graves', error);
    return;
  }
  graves?.remove();
  graves = L.geoJSON(fc, {
    style: (f) => ({ color: '#ffffff', weight: 0.5, fillColor: STATUS_COLOURS[f.properties.status] ?? '#888',
      fillOpacity: 0.85 }),
    onEachFeature: (f, layer) => {
      layer.bindTooltip(`Grave ${f.properties.grave_number}: ${STATUS[f.properties.status] ?? f.properties.status}`);
      layer.on('click', () => openGrave(f.id));
    },
  });
  if (document.body.dataset.tab === 'graves') graves.addTo(map);
  map.fitBounds(bounds, { padding: [10, 10], animate: false });
  const counts = {};
  for (const f of fc.features) counts[f.properties.status] = (counts[f.properties.status] ?? 0) + 1;
  $('graves-summary').textContent = `${fc.features.length} graves: ` +
    Object.keys(STATUS).filter((s) => counts[s]).map((s) => `${counts[s]} ${STATUS[s].toLowerCase()}`).join(', ') + '.';
  document.body.dataset.gravesLoaded = String(fc.features.length);
}

function memorialCard(m) {
  const card = node('div', null, 'memorial-card');
  if (m.next_due < todayIso()) card.classList.add('overdue');
  const dl = node('dl', null, 'housing-facts');
  facts(dl, [
    ['Type', TYPE[m.memorial_type] ?? m.memorial_type],
    ['Permit', m.permit_number ?? '–'],
    ['Mason', m.mason ?? '–'],
    ['Erected', longDate(m.erected_on)],
    ['Inscription', m.inscription ?? '–'],
    ['Next inspection', `${m.next_due < todayIso() ? 'Overdue since' : 'Due'} ${longDate(m.next_due)}`],
  ]);
  card.append(dl);
  const list = node('ol', null, 'housing-inspections');
  for (const i of [...m.inspections].reverse()) {
    list.append(node('li', `${longDate(i.inspected_on)}: ${i.result === 'pass' ? 'passed' : 'failed'}` +
      (i.result === 'fail' ? `, ${RISK[i.risk_category]} risk` : '') +
      `, ${ACTION[i.action] ?? i.action} (${i.inspector})` + (i.notes ? `. ${i.notes}` : '')));
  }
  if (!m.inspections.length) list.append(node('li', 'Not yet inspected.'));
  card.append(list);
  return card;
}

async function openGrave(id) {
  let grave;
  let memorials;
  try {
    [grave, { memorials }] = await Promise.all([staffFetch(`/api/burials/graves/${id}`),
      staffFetch(`/api/burials/graves/${id}/memorials`)]);
  } catch (error) {
    failed('The grave', error);
    return;
  }
  $('panel-title').textContent = `Grave ${grave.grave_number}`;
  const c = grave.capacity;
  facts($('panel-facts'), [
    ['Status', (STATUS[grave.status] ?? grave.status) + (grave.status_overridden ? ' (set by hand)' : '')],
    ['Cemetery', grave.cemetery],
    ['Section', grave.section + (grave.denomination ? ` (${grave.denomination})` : '')],
    ['Type', grave.grave_type.replace(/_/g, ' ')],
    ['Capacity', `${c.coffins_used} of ${c.coffins} coffins, ${c.cremated_remains_used} of ${c.cremated_remains} cremated remains`],
  ]);
  const mem = $('panel-memorials');
  mem.replaceChildren(...(memorials.length ? memorials.map(memorialCard) : [node('p', 'No memorial recorded.')]));
  const register = $('panel-register');
  register.replaceChildren();
  for (const i of grave.interments) {
    const name = [i.forenames, i.surname].filter(Boolean).join(' ') || i.surname;
    const age = i.stillborn ? 'stillborn' : i.age.years !== null ? `aged ${i.age.years}` : '';
    register.append(node('li', `No. ${i.register_number}: ${name}${age ? `, ${age}` : ''}, buried ${longDate(i.buried_on)}` +
      (i.disinterred_on ? ` (disinterred ${longDate(i.disinterred_on)}, licence ${i.licence_reference})` : '')));
  }
  if (!grave.interments.length) register.append(node('li', 'No burials.'));
  const grants = $('panel-grants');
  grants.replaceChildren();
  for (const g of grave.grants) {
    const box = node('div', null, 'memorial-card');
    box.append(node('p', `Deed ${g.deed_number}: granted ${longDate(g.granted_on)}, ${g.term_years} years, ` +
      `${g.active ? 'runs' : 'ran'} to ${longDate(g.expires_on)}`));
    const holders = g.holders.filter((h) => !h.held_to);
    box.append(node('p', holders.length ? `Registered owner${holders.length > 1 ? 's' : ''}: ${holders.map((h) => h.full_name).join(', ')}`
      : 'No current registered owner.'));
    grants.append(box);
  }
  if (!grave.grants.length) grants.append(node('p', 'No right of burial on record.'));
  document.body.dataset.grave = String(id);
  $('panel').hidden = false;
  $('panel').focus();
}

// ---- memorial inspections due ----
async function loadDue(reset) {
  if (reset) {
    dueOffset = 0;
    due.clearLayers();
    $('due-list').replaceChildren();
  }
  const status = $('due-status').value;
  let fc;
  try {
    fc = await staffFetch(`/api/burials/memorials/due?status=${status}&within=90&limit=${PAGE}&offset=${dueOffset}`);
  } catch (error) {
    failed('The inspections due', error);
    return;
  }
  dueOffset += fc.numberReturned;
  $('due-summary').textContent = `${fc.numberMatched} ${fc.numberMatched === 1 ? 'memorial' : 'memorials'} ` +
    (status === 'overdue' ? `overdue for inspection on ${longDate(fc.on)}.` : `due for inspection in the next 90 days.`);
  const list = $('due-list');
  for (const f of fc.features) {
    const p = f.properties;
    const overdue = status === 'overdue';
    if (f.geometry) {
      const [lon, lat] = f.geometry.coordinates;
      const marker = L.circleMarker([lat, lon], { radius: 7, weight: 2, color: '#fff',
        fillColor: overdue ? '#a4000f' : '#b35c00', fillOpacity: 0.95 });
      marker.bindTooltip(`Grave ${p.grave_number}: ${overdue ? 'overdue since' : 'due'} ${longDate(p.next_due)}`);
      marker.on('click', () => openGrave(p.grave_id));
      marker.addTo(due);
    }
    const item = node('li', null, `housing-item ${overdue ? 'housing-overdue' : 'housing-due'} due-item`);
    item.dataset.grave = String(p.grave_id);
    const button = node('button', `Grave ${p.grave_number}, ${p.section}`, 'link-button housing-open');
    button.type = 'button';
    button.addEventListener('click', () => openGrave(p.grave_id));
    item.append(button,
      node('p', `${overdue ? 'Overdue since' : 'Due'} ${longDate(p.next_due)}`, 'housing-when'),
      node('p', `${TYPE[p.memorial_type] ?? p.memorial_type} · ${p.cemetery} · ` + (p.last_inspected_on
        ? `last ${p.last_result === 'pass' ? 'passed' : 'failed'} ${longDate(p.last_inspected_on)}, ${ACTION[p.last_action] ?? p.last_action}`
        : 'never inspected'), 'hint'));
    list.append(item);
  }
  $('due-more').hidden = dueOffset >= fc.numberMatched;
  if (reset && fc.features.length) map.fitBounds(due.getBounds(), { padding: [20, 20], maxZoom: 17, animate: false });
  document.body.dataset.dueLoaded = String(dueOffset);
}

// ---- capacity ----
function yearsText(f) {
  if (!f || f.years_to_full === null) return 'never at this rate';
  if (f.years_to_full === 0) return 'full now';
  return `${f.full_year} (${f.years_to_full} years)`;
}
async function loadCapacity() {
  const rate = $('rate').value.trim();
  let report;
  try {
    report = await staffFetch(`/api/burials/capacity${rate ? `?rate=${encodeURIComponent(rate)}` : ''}`);
  } catch (error) {
    failed('The capacity forecast', error);
    return;
  }
  const years = report.rate_years;
  $('capacity-note').textContent = `The current rate is the mean of new graves used (first burial or purchase) ` +
    `a year in ${years[0]}–${years[years.length - 1]}.` + (rate ? ` Your rate, ${rate} a year, is shared among each cemetery's sections as they are used now.` : '');
  const out = $('capacity');
  out.replaceChildren();
  for (const c of report.cemeteries) {
    const section = node('section', null, 'capacity-cemetery');
    section.append(node('h2', c.name));
    section.append(node('p', `${c.available} of ${c.graves} graves available. Full in ${yearsText(c.at_current_rate)} at ` +
      `${c.current_rate} a year` + (c.at_officer_rate ? `; in ${yearsText(c.at_officer_rate)} at your rate` : '') + '.',
    'capacity-summary'));
    section.append(burialsChart(c.burials_per_year, `Burials a year at ${c.name}`));
    const wrap = node('div', null, 'capacity-scroll');
    const table = node('table', null, 'capacity-table');
    table.append(node('caption', `${c.name}: sections forecast to be full`));
    const head = node('tr');
    for (const [h, num] of [['Section', false], ['Available', true], ['By type', false], ['Used a year', true],
      ['Full at the current rate', false], ...(c.at_officer_rate ? [['Full at your rate', false]] : [])]) {
      const th = node('th', h, num ? 'num' : '');
      th.scope = 'col';
      head.append(th);
    }
    table.append(node('thead'));
    table.tHead.append(head);
    const body = node('tbody');
    for (const s of c.sections) {
      const row = node('tr');
      row.dataset.section = String(s.id);
      const th = node('th', s.name);
      th.scope = 'row';
      row.append(th, node('td', String(s.available), 'num'),
        node('td', Object.entries(s.available_by_type).map(([t, n]) => `${n} ${t.replace(/_/g, ' ')}`).join(', ') || '–'),
        node('td', String(s.current_rate), 'num'), node('td', yearsText(s.at_current_rate), 'full-current'));
      if (c.at_officer_rate) row.append(node('td', yearsText(s.at_officer_rate), 'full-officer'));
      body.append(row);
    }
    table.append(body);
    wrap.append(table);
    section.append(wrap);
    out.append(section);
  }
  document.body.dataset.capacityLoaded = String(Date.now());
}

await startStaffPage();
$('checking').remove();
$('tabs').hidden = false;
({ map } = await createMap($('map'), { label: 'Cemetery map', streets: false }));
due = L.featureGroup();
for (const t of TABS) $(`tab-${t}`).addEventListener('click', () => showTab(t));
$('tabs').addEventListener('keydown', tabKeys);
$('cemetery').addEventListener('change', loadGraves);
$('due-status').addEventListener('change', () => loadDue(true));
$('due-more').addEventListener('click', () => loadDue(false));
$('rate-form').addEventListener('submit', (event) => {
  event.preventDefault();
  loadCapacity();
});
try {
  await loadCemeteries();
} catch (error) {
  failed('The cemeteries', error);
}
await showTab('graves');
await loadGraves();
document.body.dataset.ready = 'true';
