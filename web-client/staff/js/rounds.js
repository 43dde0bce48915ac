// The rounds page (staff/rounds.html): every round with its rule in words, and one round
// (?code=) with its stops on the map in order, its next visits, the form to change its rule
// (errors next to their fields, from the server's 400 problem+json), and its history.
// Needs rounds_manage (a streetscene supervisor or an admin); others are told so.
import { startStaffPage, staffFetch } from './staff-shell.js';
import { StaffError } from './staff-api.js';
import { ruleWords } from './rule-words.js';
import { createMap } from '/js/map.js';

const $ = (id) => document.getElementById(id);
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const FIELDS = ['name', 'kind', 'rrule', 'interval_working_days', 'visits_per_season', 'first_date', 'season',
  'suspension', 'bank_holidays', 'vehicle'];
const INPUT_OF = { name: 'f-name', kind: 'f-kind', rrule: 'f-rrule', interval_working_days: 'f-interval',
  visits_per_season: 'f-per-season', first_date: 'f-first', season: 'f-season', suspension: 'f-suspension',
  bank_holidays: 'f-bank', vehicle: 'f-vehicle' };

let round = null; // the round as GET /api/rounds/{code} gave it
let mapParts = null;
let stopLayer = null;

function dateWords(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return `${WEEKDAYS[date.getUTCDay()]} ${d} ${date.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })} ${y}`;
}

function showPageError(message) {
  const box = $('page-error');
  box.textContent = message;
  box.hidden = false;
}

async function showList() {
  $('page-title').textContent = 'Rounds';
  const { rounds } = await staffFetch('/api/rounds');
  const body = $('rounds-body');
  body.replaceChildren();
  for (const r of rounds) {
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    const a = document.createElement('a');
    a.href = `/staff/rounds.html?code=${encodeURIComponent(r.code)}`;
    a.textContent = r.name;
    const code = document.createElement('div');
    code.className = 'hint';
    code.textContent = r.code;
    name.append(a, code);
    const cells = [r.activity_name, ruleWords(r), String(r.stops), r.next_visit ? dateWords(r.next_visit) : 'None planned'];
    tr.append(name, ...cells.map((text) => {
      const td = document.createElement('td');
      td.textContent = text;
      return td;
    }));
    body.append(tr);
  }
  $('round-list').hidden = false;
}

function formRound() {
  const value = (id) => $(id).value.trim();
  const kind = value('f-kind');
  const body = {
    code: round.code,
    name: value('f-name'),
    activity: round.activity,
    round_set: round.round_set,
    team: round.team,
    vehicle: value('f-vehicle') || null,
    working_pattern: round.working_pattern,
    kind,
    first_date: value('f-first'),
    season: value('f-season') || null,
    suspension: value('f-suspension') || null,
    bank_holidays: value('f-bank'),
    stops: round.stops,
  };
  if (kind === 'rrule') body.rrule = value('f-rrule');
  const number = (id) => (value(id) === '' ? null : Number(value(id)));
  if (kind === 'working_days') body.interval_working_days = number('f-interval');
  if (kind === 'per_season') body.visits_per_season = number('f-per-season');
  return body;
}

function showKindFields() {
  const kind = $('f-kind').value;
  $('g-rrule').hidden = kind !== 'rrule';
  $('g-interval').hidden = kind !== 'working_days';
  $('g-per-season').hidden = kind !== 'per_season';
}

function updateWords() {
  $('rule-words').textContent = ruleWords(formRound());
}

function clearErrors() {
  for (const p of document.querySelectorAll('#rule-form .field-error')) p.textContent = '';
  for (const id of Object.values(INPUT_OF)) $(id).removeAttribute('aria-invalid');
  $('error-summary').hidden = true;
  $('error-list').replaceChildren();
}

function showErrors(error) {
  const list = $('error-list');
  const fields = Object.keys(error.fields ?? {});
  if (fields.length === 0) {
    const li = document.createElement('li');
    li.textContent = error.message;
    list.append(li);
  }
  for (const name of fields) {
    const message = error.fields[name];
    // stops[3].uprn and the like go with the stops.
    const field = name.startsWith('stops') ? 'stops' : name;
    const slot = document.querySelector(`#rule-form .field-error[data-field="${CSS.escape(field)}"]`);
    const text = field === name ? message : `${name}: ${message}`;
    if (slot) slot.textContent = text;
    const input = INPUT_OF[field] ? $(INPUT_OF[field]) : null;
    if (input) input.setAttribute('aria-invalid', 'true');
    const li = document.createElement('li');
    if (input) {
      const a = document.createElement('a');
      a.href = `#${INPUT_OF[field]}`;
      a.textContent = `${labelOf(field)}: ${message}`;
      li.append(a);
    } else {
      li.textContent = text;
    }
    list.append(li);
  }
  $('error-summary').hidden = false;
  $('error-summary').focus();
}

function labelOf(field) {
  const label = document.querySelector(`label[for="${INPUT_OF[field]}"]`);
  return label ? label.textContent : field;
}

function fillForm() {
  $('f-name').value = round.name;
  $('f-kind').value = round.kind;
  $('f-rrule').value = round.rrule ?? '';
  $('f-interval').value = round.interval_working_days ?? '';
  $('f-per-season').value = round.visits_per_season ?? '';
  $('f-first').value = round.first_date;
  $('f-season').value = round.season ?? '';
  $('f-suspension').value = round.suspension ?? '';
  $('f-bank').value = round.bank_holidays;
  $('f-vehicle').value = round.vehicle ?? '';
  showKindFields();
}

function showFacts() {
  $('page-title').textContent = round.name;
  document.title = `${round.name} – Rounds – Chorley Council`;
  $('round-code').textContent = round.code;
  $('round-activity').textContent = round.activity_name;
  $('round-crew').textContent = round.team ?? 'None yet';
  $('rule-words').textContent = ruleWords(round);
  $('round-version').textContent = `${round.rule_version} (changed ${round.updated_at.slice(0, 10)})`;
  const next = $('next-visits');
  next.replaceChildren();
  for (const v of round.next_visits) {
    const li = document.createElement('li');
    li.textContent = `${dateWords(v.date)}: ${v.visits} ${v.visits === 1 ? 'stop' : 'stops'}`
      + (v.moved_from ? ` (moved from ${dateWords(v.moved_from)}, a bank holiday)` : '');
    next.append(li);
  }
  if (round.next_visits.length === 0) {
    const li = document.createElement('li');
    li.textContent = 'No visit in the next 13 weeks.';
    next.append(li);
  }
}

function showStops() {
  const list = $('stop-list');
  list.replaceChildren();
  for (const s of round.stop_details) {
    const li = document.createElement('li');
    li.textContent = s.label;
    list.append(li);
  }
  if (!mapParts) return;
  const L = window.L;
  stopLayer?.remove();
  stopLayer = L.layerGroup().addTo(mapParts.map);
  const points = round.stop_details.filter((s) => s.lat !== null && s.lon !== null);
  const line = points.map((s) => [s.lat, s.lon]);
  if (line.length > 1) {
    L.polyline(line, { color: '#1d3f72', weight: 3, opacity: 0.7, dashArray: '6 6', interactive: false }).addTo(stopLayer);
  }
  for (const s of points) {
    L.marker([s.lat, s.lon], {
      title: `${s.seq}. ${s.label}`,
      alt: `Stop ${s.seq}: ${s.label}`,
      keyboard: false,
      icon: L.divIcon({ className: 'stop-number', html: String(s.seq), iconSize: [24, 24] }),
    }).addTo(stopLayer);
  }
  if (line.length) mapParts.map.fitBounds(L.latLngBounds(line).pad(0.2), { maxZoom: 17 });
}

async function showChanges() {
  const { changes } = await staffFetch(`/api/rounds/${encodeURIComponent(round.code)}/changes`);
  const list = $('changes');
  list.replaceChildren();
  const words = { created: 'Created', changed: 'Rule or stops changed', regenerated: 'Visits planned on' };
  for (const c of changes.slice(0, 30)) {
    const li = document.createElement('li');
    const who = c.actor.replace(/^person:\d+ /, '');
    const v = c.detail?.visits;
    li.textContent = `${c.at.slice(0, 16).replace('T', ' ')}: ${words[c.change] ?? c.change} by ${who}`
      + (v ? ` (${v.planned} visits planned, ${v.removed} removed, ${v.kept} kept)` : '');
    list.append(li);
  }
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  $('saved').hidden = true;
  const button = $('save');
  button.disabled = true;
  try {
    const result = await staffFetch(`/api/rounds/${encodeURIComponent(round.code)}`, { method: 'PUT', json: formRound() });
    round = result.round;
    showFacts();
    showStops();
    const season = $('out-of-season');
    season.hidden = !result.out_of_season_until;
    season.textContent = result.out_of_season_until
      ? `Out of season: the first visit is ${dateWords(result.out_of_season_until)}.` : '';
    $('saved').textContent = result.changed
      ? `Saved: version ${round.rule_version}, ${result.visits.planned} visits planned, ${result.visits.removed} removed.`
      : 'Nothing changed; the visits were planned again.';
    $('saved').hidden = false;
    await showChanges();
  } catch (error) {
    if (error instanceof StaffError) showErrors(error);
    else throw error;
  } finally {
    button.disabled = false;
  }
}

async function showRound(code) {
  round = await staffFetch(`/api/rounds/${encodeURIComponent(code)}`);
  $('round-view').hidden = false;
  showFacts();
  fillForm();
  try {
    mapParts = await createMap($('round-map'), { label: `Map of the stops of ${round.name}` });
  } catch {
    mapParts = null; // the list of stops still says where
  }
  showStops();
  await showChanges();
  $('rule-form').addEventListener('submit', save);
  $('f-kind').addEventListener('change', () => { showKindFields(); updateWords(); });
  for (const field of FIELDS) $(INPUT_OF[field]).addEventListener('input', updateWords);
}

async function main() {
  await startStaffPage();
  $('checking').hidden = true;
  const code = new URLSearchParams(window.location.search).get('code');
  try {
    if (code) await showRound(code);
    else await showList();
  } catch (error) {
    if (error instanceof StaffError && error.status === 403) {
      showPageError('Rounds are planned by streetscene supervisors. Your account does not include that; ask an administrator if it should.');
    } else if (error instanceof StaffError && error.status === 404) {
      showPageError(`There is no round with the code ${code}.`);
    } else {
      showPageError(error.message);
    }
  }
  document.body.dataset.ready = 'true';
}

main();
