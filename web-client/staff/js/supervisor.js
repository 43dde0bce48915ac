// The streetscene supervisor's page (/staff/supervisor.html?date=YYYY-MM-DD&crew=CODE): the
// day's progress per crew (GET /api/crews/progress) as a table and on the map (still to do,
// done, not done in the colours and fills of visit-map.js, with a legend), reassigning a visit
// to another crew or to one member of a crew (GET /api/crews; PUT /api/visits/{id}/assignment)
// or a round to a crew from a date (PUT /api/rounds/{code}/crew), and a crew's weekly plan
// (GET /api/crews/{crew}/week).
// The progress is asked for again every minute while the page is in view.
import { createMap } from '/js/map.js';
import { StaffError, staffFetch } from './staff-api.js';
import { startStaffPage } from './staff-shell.js';
import {
  REASONS, STATUS, addDays, boundsOf, circleFor, clock, legendControl, londonToday, longDate, statusOf, validDate,
} from './visit-map.js';

const REFRESH_EVERY_MS = 60000;
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(window.location.search);
const state = {
  date: validDate(params.get('date')) ? params.get('date') : londonToday(),
  crew: params.get('crew') ?? '',
  progress: null,
  crews: [], // [{code, name, members: [{id, name}]}]
  map: null,
  markers: null,
  legend: null,
  chosen: null, // the chosen visit feature
  fitted: false,
};

const crewOf = (f) => f.properties.crew ?? f.properties.crew_code ?? null;
const crewName = (code) => state.crews.find((c) => c.code === code)?.name ?? code ?? 'No crew';

function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

function fillSelect(select, first, items) {
  const keep = select.value;
  select.replaceChildren(...(first ? [option('', first)] : []), ...items.map(([v, t]) => option(v, t)));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

/**
 * The crews and their members (GET /api/crews: {crews: [{code, name, depot, vehicle, members:
 * [{id, name}]}]}), so a visit can go to a crew or to one person. Should that list fail to
 * load, the crews the progress answer names are offered, with nobody to choose.
 */
async function loadCrews() {
  let list = null;
  try {
    list = (await staffFetch('/api/crews')).crews;
  } catch {
    list = (state.progress?.crews ?? []).map((c) => c.crew ?? c);
  }
  state.crews = list.map((c) => ({ code: c.code, name: c.name ?? c.code, members: c.members ?? [] }));
  const crews = state.crews.map((c) => [c.code, c.name]);
  fillSelect($('crew-filter'), 'Every crew', crews);
  fillSelect($('visit-crew'), 'Keep its crew', crews);
  fillSelect($('round-crew'), 'Choose a crew', crews);
  fillSelect($('week-crew'), null, crews);
  // One option per person (a person in two crews once), grouped by crew.
  const seen = new Set();
  const groups = state.crews.filter((c) => c.members.length).map((c) => {
    const group = document.createElement('optgroup');
    group.label = c.name;
    for (const m of c.members) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      group.append(option(String(m.id), m.name));
    }
    return group;
  }).filter((g) => g.children.length);
  const select = $('visit-person');
  select.replaceChildren(option('', 'Nobody in particular'), ...groups);
  $('visit-person-block').hidden = seen.size === 0;
  $('crew-filter').value = state.crew;
  if (state.crew) $('week-crew').value = state.crew;
}

async function loadProgress() {
  $('load-error').hidden = true;
  try {
    state.progress = await staffFetch(`/api/crews/progress?date=${encodeURIComponent(state.date)}`);
  } catch (error) {
    state.progress = null;
    const box = $('load-error');
    box.textContent = error instanceof StaffError && error.status === 403
      ? 'Only streetscene supervisors and administrators can see the crews\' progress.'
      : `The day's progress could not be loaded: ${error.message}`;
    box.hidden = false;
  }
}

function countsOf(features) {
  const counts = { planned: 0, done: 0, not_done: 0 };
  for (const f of features) counts[statusOf(f.properties.status)] += 1;
  return counts;
}

function renderTable() {
  const body = $('progress-table').querySelector('tbody');
  const rows = (state.progress?.crews ?? []).map((entry) => {
    const c = { ...(entry.crew ?? entry), counts: entry.counts };
    const counts = c.counts ?? countsOf((state.progress.features ?? []).filter((f) => crewOf(f) === c.code));
    const total = counts.planned + counts.done + counts.not_done;
    const tr = document.createElement('tr');
    tr.dataset.crew = c.code;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = c.name ?? crewName(c.code);
    tr.append(th);
    for (const key of ['done', 'not_done', 'planned']) {
      const td = document.createElement('td');
      td.className = 'num';
      td.dataset.count = key;
      td.textContent = String(counts[key]);
      tr.append(td);
    }
    const td = document.createElement('td');
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.setAttribute('role', 'img');
    const pct = (n) => (total ? Math.round((100 * n) / total) : 0);
    bar.setAttribute('aria-label', `${pct(counts.done)}% done, ${pct(counts.not_done)}% not done, of ${total}`);
    for (const key of ['done', 'not_done']) {
      const span = document.createElement('span');
      span.className = key;
      span.style.width = `${total ? (100 * counts[key]) / total : 0}%`;
      bar.append(span);
    }
    td.append(bar);
    tr.append(td);
    return tr;
  });
  if (!rows.length) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 5;
    td.textContent = 'No crew has work on this day.';
    tr.append(td);
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}

function visibleFeatures() {
  const all = state.progress?.features ?? [];
  return state.crew ? all.filter((f) => crewOf(f) === state.crew) : all;
}

function renderMap() {
  if (!state.map) return;
  const features = visibleFeatures();
  state.markers.clearLayers();
  let chosenMarker = null;
  for (const f of features) {
    if (f.geometry?.type !== 'Point') continue;
    const status = statusOf(f.properties.status);
    const isChosen = state.chosen?.id === f.id;
    const marker = circleFor(f, status, { selected: isChosen });
    marker.bindTooltip(`${f.properties.label ?? ''}: ${STATUS[status].label} (${crewName(crewOf(f))})`);
    marker.on('click', () => choose(f));
    marker.visitId = f.id;
    if (isChosen) chosenMarker = marker;
    else state.markers.addLayer(marker);
  }
  if (chosenMarker) state.markers.addLayer(chosenMarker);
  const counts = countsOf(features);
  state.legend.update(counts);
  $('day-summary').textContent = `${longDate(state.date)}${state.crew ? `, ${crewName(state.crew)}` : ', every crew'}: ` +
    `${counts.done} done, ${counts.not_done} not done, ${counts.planned} still to do.`;
  if (!state.fitted) {
    const bounds = boundsOf(features);
    if (bounds) {
      state.map.wardmapMoved = true;
      state.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17, animate: false });
      state.fitted = true;
    }
  }
}

function renderRounds() {
  const rounds = new Map();
  for (const f of state.progress?.features ?? []) {
    rounds.set(f.properties.round_code, f.properties.round_name ?? f.properties.round_code);
  }
  fillSelect($('round'), 'Choose a round', [...rounds].sort((a, b) => a[1].localeCompare(b[1])));
}

function describe(f) {
  const p = f.properties;
  const status = statusOf(p.status);
  const reason = status === 'not_done' && p.completion?.reason ? ` (${REASONS[p.completion.reason] ?? p.completion.reason})` : '';
  const who = p.assigned_person ? `, for ${p.assigned_person.name}` : '';
  return `${p.label ?? `Visit ${f.id}`}: ${p.round_name ?? p.round_code}, ${crewName(crewOf(f))}${who}, ` +
    `${STATUS[status].label.toLowerCase()}${reason}${p.completion?.at ? ` at ${clock(p.completion.at)}` : ''}`;
}

function choose(feature) {
  state.chosen = feature;
  $('visit-chosen').textContent = `Chosen: ${describe(feature)}`;
  $('visit-chosen').dataset.visitId = String(feature.id);
  $('visit-error').textContent = '';
  $('visit-done').textContent = '';
  renderMap();
}

function searchVisits() {
  const q = $('visit-search').value.trim().toLowerCase();
  const list = $('visit-matches');
  if (!q) {
    list.replaceChildren();
    return;
  }
  const matches = (state.progress?.features ?? []).filter((f) => {
    const p = f.properties;
    return [p.label, p.asset_reference, p.usrn, p.uprn, p.round_name, String(f.id)]
      .some((v) => v !== null && v !== undefined && String(v).toLowerCase().includes(q));
  }).slice(0, 20);
  list.replaceChildren(...matches.map((f) => {
    const li = document.createElement('li');
    li.className = 'visit';
    li.dataset.status = statusOf(f.properties.status);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link-button';
    button.textContent = describe(f);
    button.addEventListener('click', () => {
      choose(f);
      list.replaceChildren();
      $('visit-crew').focus();
    });
    li.append(button);
    return li;
  }));
}

async function refresh() {
  await loadProgress();
  renderTable();
  renderRounds();
  if (state.chosen) {
    state.chosen = (state.progress?.features ?? []).find((f) => f.id === state.chosen.id) ?? null;
    if (state.chosen) $('visit-chosen').textContent = `Chosen: ${describe(state.chosen)}`;
  }
  renderMap();
}

async function reassignVisit(event) {
  event.preventDefault();
  $('visit-error').textContent = '';
  $('visit-done').textContent = '';
  const crew = $('visit-crew').value;
  const person = $('visit-person').value;
  if (!state.chosen) {
    $('visit-error').textContent = 'Choose a visit first: on the map, or find it above.';
    $('visit-search').focus();
    return;
  }
  if (!crew && !person) {
    $('visit-error').textContent = 'Choose a crew or a person to give it to.';
    $('visit-crew').focus();
    return;
  }
  const json = {};
  if (crew) json.crew = crew;
  if (person) json.person_id = Number(person);
  const button = $('visit-submit');
  button.disabled = true;
  try {
    await staffFetch(`/api/visits/${encodeURIComponent(state.chosen.id)}/assignment`, { method: 'PUT', json });
    const to = [crew ? crewName(crew) : null, person ? $('visit-person').selectedOptions[0].textContent : null].filter(Boolean).join(', ');
    $('visit-done').textContent = `${state.chosen.properties.label ?? `Visit ${state.chosen.id}`} is now given to ${to}.`;
    await refresh();
  } catch (error) {
    $('visit-error').textContent = Object.values(error.fields ?? {})[0]
      ? `${error.message} ${Object.entries(error.fields).map(([k, v]) => `${k}: ${v}`).join('; ')}` : error.message;
  } finally {
    button.disabled = false;
  }
}

async function reassignRound(event) {
  event.preventDefault();
  $('round-error').textContent = '';
  $('round-done').textContent = '';
  const round = $('round').value;
  const crew = $('round-crew').value;
  const from = $('round-from').value;
  if (!round || !crew || !validDate(from)) {
    $('round-error').textContent = !round ? 'Choose a round.' : !crew ? 'Choose the crew to hand it to.' : 'Give the first day as a date.';
    (!round ? $('round') : !crew ? $('round-crew') : $('round-from')).focus();
    return;
  }
  const button = $('round-submit');
  button.disabled = true;
  try {
    await staffFetch(`/api/rounds/${encodeURIComponent(round)}/crew`, { method: 'PUT', json: { crew, from } });
    $('round-done').textContent = `${$('round').selectedOptions[0].textContent} goes to ${crewName(crew)} from ${longDate(from)}.`;
    await refresh();
  } catch (error) {
    $('round-error').textContent = error.message;
  } finally {
    button.disabled = false;
  }
}

function mondayOf(date) {
  const d = new Date(`${date}T12:00:00Z`);
  return addDays(date, -((d.getUTCDay() + 6) % 7));
}

async function loadWeek(event) {
  event?.preventDefault();
  const crew = $('week-crew').value;
  const from = $('week-from').value;
  $('week-error').textContent = '';
  const table = $('week-table');
  if (!crew) {
    table.querySelector('thead').replaceChildren();
    table.querySelector('tbody').replaceChildren();
    $('week-caption').textContent = 'No crews yet.';
    return;
  }
  let week;
  try {
    week = await staffFetch(`/api/crews/${encodeURIComponent(crew)}/week?from=${encodeURIComponent(from)}`);
  } catch (error) {
    $('week-error').textContent = `The week could not be loaded: ${error.message}`;
    return;
  }
  const days = week.days ?? [];
  const rounds = new Map();
  for (const day of days) {
    for (const r of day.rounds ?? []) rounds.set(r.round_code ?? r.code, r.round_name ?? r.name ?? r.round_code ?? r.code);
  }
  const headRow = document.createElement('tr');
  const corner = document.createElement('th');
  corner.scope = 'col';
  corner.textContent = 'Round';
  headRow.append(corner);
  for (const day of days) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = new Date(`${day.date}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
    headRow.append(th);
  }
  table.querySelector('thead').replaceChildren(headRow);
  const rows = [...rounds].map(([code, name]) => {
    const tr = document.createElement('tr');
    tr.dataset.round = code;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = name;
    tr.append(th);
    for (const day of days) {
      const td = document.createElement('td');
      td.className = 'num';
      const r = (day.rounds ?? []).find((x) => (x.round_code ?? x.code) === code);
      if (r) {
        const c = r.counts ?? {};
        const total = r.visits ?? r.total ?? ((c.planned ?? 0) + (c.done ?? 0) + (c.not_done ?? 0));
        td.textContent = `${total}`;
        const finished = (c.done ?? 0) + (c.not_done ?? 0);
        if (finished) td.textContent += ` (${c.done ?? 0} done${c.not_done ? `, ${c.not_done} not` : ''})`;
      } else {
        td.textContent = '–';
      }
      tr.append(td);
    }
    return tr;
  });
  if (!rows.length) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = days.length + 1;
    td.textContent = 'Nothing planned for this crew in the week.';
    tr.append(td);
    rows.push(tr);
  }
  table.querySelector('tbody').replaceChildren(...rows);
  $('week-caption').textContent = `${crewName(crew)}: visits planned per round and day, week from ${longDate(from)}`;
}

async function start() {
  await startStaffPage();
  $('date').value = state.date;
  $('round-from').value = addDays(state.date, 1);
  $('week-from').value = mondayOf(state.date);
  try {
    const { map } = await createMap($('map'), { label: 'Map of the day\'s visits by status', canvas: true });
    state.map = map;
    state.markers = window.L.layerGroup().addTo(map);
    state.legend = legendControl('supervisor-legend');
    state.legend.addTo(map);
  } catch {
    $('map').textContent = 'The map could not be drawn; the table has the day\'s figures.';
  }
  await loadProgress();
  await loadCrews();
  renderTable();
  renderRounds();
  renderMap();
  await loadWeek();
  $('day-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (validDate($('date').value)) next.set('date', $('date').value);
    if ($('crew-filter').value) next.set('crew', $('crew-filter').value);
    window.location.search = next.toString();
  });
  $('crew-filter').addEventListener('change', () => {
    state.crew = $('crew-filter').value;
    state.fitted = false;
    renderMap();
    const url = new URL(window.location.href);
    if (state.crew) url.searchParams.set('crew', state.crew);
    else url.searchParams.delete('crew');
    window.history.replaceState(null, '', url);
  });
  $('visit-search').addEventListener('input', searchVisits);
  $('visit-form').addEventListener('submit', reassignVisit);
  $('round-form').addEventListener('submit', reassignRound);
  $('week-form').addEventListener('submit', loadWeek);
  // The day moves on while the page is open: the figures and the map again every minute.
  setInterval(() => {
    if (!document.hidden) refresh();
  }, REFRESH_EVERY_MS);
  document.body.dataset.ready = 'true';
}

start();
