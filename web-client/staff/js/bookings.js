// Bookings of burials (docs/burials.md "Bookings"): a funeral director books a slot at a
// cemetery for an existing grave (number and deed) or a new one, uploads the documents and
// follows the status; the bereavement team sees every firm's bookings and confirms (picking
// the grave for a new one) or refuses them. Talks to /api/burials/... (docs/http-api.md).
import { startStaffPage, staffFetch } from './staff-shell.js';

const $ = (id) => document.getElementById(id);
const STATUS = { requested: 'Requested', confirmed: 'Confirmed', refused: 'Refused',
  withdrawn: 'Withdrawn', completed: 'Completed' };
const DOCS = { green_form: 'Green form (certificate for burial)', coroners_order: "Coroner's order",
  deed: 'Deed of grant', owner_consent: "Owner's consent" };

let staff = false;

function londonToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
}
function addDays(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
function longDate(iso) {
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB',
    { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}
function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

async function loadCemeteries() {
  const fc = await staffFetch('/ogc/collections/cemeteries/items?limit=100');
  $('cemetery').replaceChildren(...fc.features.map((f) => el('option', { value: f.id, textContent: f.properties.name })));
  const sections = await staffFetch('/ogc/collections/cemetery_sections/items?limit=1000');
  window.bookingSections = sections.features;
  fillSections();
}
function fillSections() {
  const cemetery = Number($('cemetery').value);
  $('section').replaceChildren(...(window.bookingSections ?? [])
    .filter((f) => f.properties.cemetery_id === cemetery)
    .map((f) => el('option', { value: f.id, textContent: f.properties.name })));
}

async function loadSlots() {
  const date = $('date').value;
  $('slot').replaceChildren();
  $('slot-hint').textContent = '';
  if (!date || !$('cemetery').value) return;
  const doc = await staffFetch(`/api/burials/slots?cemetery=${encodeURIComponent($('cemetery').value)}&date=${date}`);
  const free = doc.slots.filter((s) => s.free);
  $('slot').replaceChildren(...free.map((s) => el('option', { value: s.time, textContent: s.time })));
  $('slot-hint').textContent = doc.slots.length === 0
    ? 'No burials that day (weekends and bank holidays): choose another day.'
    : `${free.length} of ${doc.slots.length} times free on ${longDate(date)}.`;
}

async function book(event) {
  event.preventDefault();
  $('book-error').textContent = '';
  $('book-done').textContent = '';
  const body = {
    cemetery_id: Number($('cemetery').value), date: $('date').value, time: $('slot').value,
    surname: $('surname').value.trim(), died_on: $('died-on').value,
    interment_kind: $('kind').value,
  };
  if ($('forenames').value.trim()) body.forenames = $('forenames').value.trim();
  if ($('age').value) body.age_years = Number($('age').value);
  if ($('grave-new').checked) {
    body.new_section_id = Number($('section').value);
    body.new_grave_type = $('grave-type').value;
  } else {
    body.grave_number = $('grave-number').value.trim();
    if ($('deed-number').value.trim()) body.deed_number = $('deed-number').value.trim();
  }
  try {
    const made = await staffFetch('/api/burials/bookings', { method: 'POST', json: body });
    $('book-done').textContent = `Booking ${made.id} requested: upload its documents below.`;
    await Promise.all([loadSlots(), loadList()]);
  } catch (error) {
    const fields = Object.entries(error.fields ?? {}).map(([k, v]) => (k === 'reason' ? v : `${k}: ${v}`));
    $('book-error').textContent = [error.message, ...fields].join(' ');
  }
}

async function upload(booking, kind, file, out) {
  const form = new FormData();
  form.append('kind', kind);
  form.append('file', file, file.name);
  out.textContent = '';
  try {
    await staffFetch(`/api/burials/bookings/${booking}/documents`, { method: 'POST', body: form,
      headers: {} });
    await loadList();
  } catch (error) {
    out.textContent = error.message;
  }
}

async function act(booking, action, json, out) {
  out.textContent = '';
  try {
    await staffFetch(`/api/burials/bookings/${booking}/${action}`, { method: 'POST', json });
    await Promise.all([loadList(), loadSlots()]);
  } catch (error) {
    const fields = Object.entries(error.fields ?? {}).map(([k, v]) => (k === 'reason' ? v : `${k}: ${v}`));
    out.textContent = [error.message, ...fields].join(' ');
  }
}

function bookingItem(b, detail) {
  const li = el('li', { className: `booking-item booking-${b.status}` });
  li.dataset.id = b.id;
  li.dataset.status = b.status;
  const who = [b.deceased.forenames, b.deceased.surname].filter(Boolean).join(' ');
  li.append(el('h3', { textContent: `${longDate(b.date)} ${b.time}, ${b.cemetery}` }),
    el('p', { className: 'booking-status', textContent: `${STATUS[b.status] ?? b.status} · ${who}` +
      (b.grave_number ? ` · grave ${b.grave_number}` : ' · new grave') + (staff ? ` · ${b.firm}` : '') }));
  const docs = el('ul', { className: 'booking-docs' });
  for (const d of detail.documents) {
    const a = el('a', { href: `/api/burials/bookings/${b.id}/documents/${d.id}`, textContent: `${DOCS[d.kind] ?? d.kind}: ${d.filename}` });
    docs.append(el('li', {}, a));
  }
  if (detail.documents.length) li.append(docs);
  const out = el('p', { className: 'error-message', role: 'alert' });
  const live = b.status === 'requested' || b.status === 'confirmed';
  if (live) {
    const kind = el('select', { id: `doc-kind-${b.id}` },
      ...Object.entries(DOCS).map(([value, text]) => el('option', { value, textContent: text })));
    const file = el('input', { type: 'file', id: `doc-file-${b.id}`, accept: 'application/pdf,image/jpeg,image/png' });
    const send = el('button', { type: 'button', className: 'secondary', textContent: 'Upload' });
    send.addEventListener('click', () => file.files[0] && upload(b.id, kind.value, file.files[0], out));
    li.append(el('div', { className: 'booking-upload' },
      el('label', { htmlFor: kind.id, textContent: 'Document' }), kind,
      el('label', { htmlFor: file.id, textContent: 'File (PDF, JPEG or PNG, 10 MB at most)' }), file, send));
    const withdraw = el('button', { type: 'button', className: 'secondary booking-withdraw', textContent: 'Withdraw' });
    withdraw.addEventListener('click', () => act(b.id, 'withdraw', {}, out));
    li.append(withdraw);
  }
  if (staff && b.status === 'requested') {
    const graveId = el('input', { id: `grave-id-${b.id}`, inputMode: 'numeric', size: 8 });
    const confirm = el('button', { type: 'button', className: 'booking-confirm', textContent: 'Confirm' });
    confirm.addEventListener('click', () => act(b.id, 'confirm', graveId.value ? { grave_id: Number(graveId.value) } : {}, out));
    const reason = el('input', { id: `refuse-reason-${b.id}`, maxLength: 2000 });
    const refuse = el('button', { type: 'button', className: 'secondary booking-refuse', textContent: 'Refuse' });
    refuse.addEventListener('click', () => act(b.id, 'refuse', { reason: reason.value }, out));
    const decide = el('div', { className: 'booking-decide' });
    if (!b.grave_number) {
      decide.append(el('label', { htmlFor: graveId.id, textContent: 'Grave id for the new grave' }), graveId);
    }
    decide.append(confirm, el('label', { htmlFor: reason.id, textContent: 'Reason to refuse' }), reason, refuse);
    li.append(decide);
  }
  const refused = detail.events.find((e) => e.status === 'refused');
  if (refused) li.append(el('p', { textContent: `Refused: ${refused.reason}` }));
  li.append(out);
  return li;
}

async function loadList() {
  const params = new URLSearchParams();
  if ($('filter-status').value) params.set('status', $('filter-status').value);
  if ($('filter-date').value) params.set('date', $('filter-date').value);
  try {
    const { bookings } = await staffFetch(`/api/burials/bookings?${params}`);
    const details = await Promise.all(bookings.slice(0, 50).map((b) => staffFetch(`/api/burials/bookings/${b.id}`)));
    $('list').replaceChildren(...details.map((d) => bookingItem(d, d)));
    if (!bookings.length) $('list').append(el('li', { textContent: 'No bookings.' }));
  } catch (error) {
    $('load-error').textContent = error.message;
  }
}

const me = await startStaffPage();
$('checking').remove();
const roles = me.person.roles ?? [];
staff = !roles.some((r) => r.role === 'funeral_director');
$('list-section').hidden = false;
if (!staff) {
  $('book-form').hidden = false;
  $('main').classList.add('with-form');
  $('date').min = londonToday();
  $('date').value = addDays(londonToday(), 7);
  $('died-on').max = londonToday();
  await loadCemeteries().catch((e) => { $('load-error').textContent = e.message; });
  await loadSlots().catch((e) => { $('slot-hint').textContent = e.message; });
  $('cemetery').addEventListener('change', () => { fillSections(); loadSlots(); });
  $('date').addEventListener('change', loadSlots);
  for (const id of ['grave-existing', 'grave-new']) {
    $(id).addEventListener('change', () => {
      $('new-fields').hidden = !$('grave-new').checked;
      $('existing-fields').hidden = $('grave-new').checked;
    });
  }
  $('book-form').addEventListener('submit', book);
}
for (const id of ['filter-status', 'filter-date']) $(id).addEventListener('change', loadList);
await loadList();
document.body.dataset.ready = 'true';
