// The crew page (/staff/crew.html?date=YYYY-MM-DD, default today in the UK): the signed-in
// person's day from GET /api/me/day on the council's basemap and as a list, next stop first;
// recording a stop as done or not done (reason, quantities, notes, GPS, before/after photos).
//
// Built for a van with a poor signal (docs/web-client.md, "The crew page offline"):
// - crew-sw.js, the service worker, keeps the page's files and the map tiles it has shown;
// - the day is kept in IndexedDB (crew-store.js) each time the server sends it, and shown from
//   there when the server cannot be reached;
// - every completion, online or not, goes first into the IndexedDB outbox with a UUID made
//   here (client_id) and its photos as JPEG blobs, and crew-sync.js sends it: at once, when the
//   browser says it is back online, every 30 seconds while something waits, and on "Send now".
//   The server stores a client_id once, so sending again after a lost answer is harmless.
// Each stop says whether its completion is waiting on this phone, being sent, sent, or refused.
import { config } from '/js/api.js';
import { BASEMAP_TILES, createMap } from '/js/map.js';
import { resizeImage } from '/js/photos.js';
import { StaffError, staffFetch } from './staff-api.js';
import { refreshSession, signInHere, startStaffPage } from './staff-shell.js';
import {
  deleteEntry, loadDay, loadMeta, newClientId, outboxOf, outboxOfOthers, pruneDays, pruneSynced, putEntry, saveDay, saveMeta,
} from './crew-store.js';
import { MAX_PHOTOS, syncOutbox, syncing } from './crew-sync.js';
import {
  REASONS, STATUS, addDays, boundsOf, circleFor, clock, legendControl, londonToday, longDate, statusOf, validDate,
} from './visit-map.js';

const SYNC_EVERY_MS = 30000;
const REFRESH_DAY_EVERY_MS = 5 * 60000;
const params = new URLSearchParams(window.location.search);
const today = londonToday();
const date = validDate(params.get('date')) ? params.get('date') : today;

const state = {
  person: null,
  day: null, // the FeatureCollection
  source: null, // 'server' | 'device'
  savedAt: null,
  entries: [], // this person's outbox
  lastSync: null, // {at, result}
  map: null,
  markers: null,
  selected: null, // visit id
  completing: null, // the feature being recorded
  photos: [], // {role, blob, url, name}
  fitted: false,
  offlineReady: false,
  legend: null,
  prefetched: null, // the date whose tiles were fetched for the phone
};

const $ = (id) => document.getElementById(id);

// ---- service worker ----------------------------------------------------------------------

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('/staff/crew-sw.js', { scope: '/staff/crew' });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => {
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true });
        setTimeout(resolve, 10000);
      });
    }
    state.offlineReady = Boolean(navigator.serviceWorker.controller);
    if (state.offlineReady) {
      await keepWhatWasShown();
      prefetchDayTiles();
    }
  } catch {
    state.offlineReady = false; // plain http off localhost, or a browser without workers: online only
  }
  renderSource();
}

/**
 * The map tiles and wards this page fetched before the worker took control (the first visit)
 * are asked for again through it, so that they are on the phone too.
 */
async function keepWhatWasShown() {
  const urls = new Set(performance.getEntriesByType('resource').map((e) => e.name)
    .filter((name) => {
      const url = new URL(name);
      return url.origin === window.location.origin && (url.pathname.startsWith('/ogc/tiles/') || url.pathname === '/api/wards');
    }));
  await Promise.all([...urls].map((url) => fetch(url, { credentials: 'same-origin' }).catch(() => null)));
}

const STOP_DATA_ZOOM = 15; // the map shows a stop at display zoom 16: data tiles of zoom 15
const AREA_DATA_ZOOMS = [14, 13, 12, 11]; // display zooms 15 down to 12, over the day's whole area
const PREFETCH_MAX_TILES = 500;

function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)];
}

/**
 * With a signal and the worker in control, the basemap's tiles of the day are fetched through
 * the worker, which keeps them, so the map of the whole round is on the phone and not only
 * what was looked at: first the tiles around each stop at the zoom a stop is shown at (in work
 * order, the next stops first), then the day's whole area at lower zooms; at most
 * PREFETCH_MAX_TILES, once per day and page load. `body[data-map-saved]` says when it is done.
 */
async function prefetchDayTiles() {
  const features = (state.day?.features ?? []).filter((f) => f.geometry?.type === 'Point');
  if (!state.offlineReady || !navigator.onLine || !features.length || state.prefetched === date) return;
  state.prefetched = date;
  const settings = await config().catch(() => ({}));
  const template = settings.vector_tiles?.url ?? BASEMAP_TILES;
  if (template === 'none' || !template.startsWith('/')) return;
  const urls = new Set();
  const add = (z, x, y) => { if (urls.size < PREFETCH_MAX_TILES) urls.add(template.replace('{z}', z).replace('{x}', x).replace('{y}', y)); };
  const todo = features.filter((f) => effectiveStatus(f).status === 'planned');
  for (const f of [...todo, ...features]) {
    const [x, y] = tileOf(f.geometry.coordinates[0], f.geometry.coordinates[1], STOP_DATA_ZOOM);
    for (let dx = -1; dx <= 1; dx += 1) for (let dy = -1; dy <= 1; dy += 1) add(STOP_DATA_ZOOM, x + dx, y + dy);
  }
  const lons = features.map((f) => f.geometry.coordinates[0]);
  const lats = features.map((f) => f.geometry.coordinates[1]);
  for (const z of AREA_DATA_ZOOMS) {
    const [x0, y0] = tileOf(Math.min(...lons), Math.max(...lats), z);
    const [x1, y1] = tileOf(Math.max(...lons), Math.min(...lats), z);
    for (let x = x0 - 1; x <= x1 + 1; x += 1) for (let y = y0 - 1; y <= y1 + 1; y += 1) add(z, x, y);
  }
  const queue = [...urls];
  const worker = async () => {
    while (queue.length && navigator.onLine) await fetch(queue.shift(), { credentials: 'same-origin' }).catch(() => null);
  };
  await Promise.all([worker(), worker()]);
  if (!queue.length) {
    document.body.dataset.mapSaved = 'true';
    renderSource();
  }
}

// ---- the day -----------------------------------------------------------------------------

function effectiveStatus(feature) {
  const local = latestEntry(feature.id);
  const server = feature.properties.completion;
  if (local && (!server || Date.parse(local.body.at) >= Date.parse(server.at))) {
    return { status: local.body.outcome, reason: local.body.reason ?? null, at: local.body.at, entry: local };
  }
  if (server) return { status: server.outcome, reason: server.reason ?? null, at: server.at, entry: null };
  return { status: statusOf(feature.properties.status), reason: null, at: null, entry: null };
}

function latestEntry(visitId) {
  let latest = null;
  for (const e of state.entries) {
    if (String(e.visit_id) === String(visitId) && e.state !== 'refused' && (!latest || e.created_at > latest.created_at)) latest = e;
  }
  return latest;
}

async function fetchDay() {
  try {
    const collection = await staffFetch(`/api/me/day?date=${encodeURIComponent(date)}`);
    state.day = collection;
    state.source = 'server';
    state.savedAt = new Date().toISOString();
    await saveDay(state.person.id, date, collection, null);
    $('load-error').hidden = true;
    return true;
  } catch (error) {
    if (error instanceof StaffError && error.status === 401) {
      window.location.replace(signInHere());
      return false;
    }
    const stored = await loadDay(state.person.id, date);
    if (stored) {
      state.day = stored.collection;
      state.source = 'device';
      state.savedAt = stored.fetched_at;
    }
    if (!(error instanceof StaffError && error.network)) {
      showLoadError(`Your day could not be loaded: ${error.message}`);
    } else if (!stored) {
      showLoadError('There is no signal, and this day has not been saved on this phone yet. ' +
        'Open this page once with a signal to keep the day on the phone.');
    }
    return false;
  }
}

function showLoadError(message) {
  const box = $('load-error');
  box.textContent = message;
  box.hidden = false;
}

function renderSource() {
  const p = $('day-source');
  if (!state.day) {
    p.hidden = true;
    return;
  }
  const parts = [];
  if (state.source === 'device') {
    parts.push(`No connection to the server: this is your day as saved on this phone at ${clock(state.savedAt)}.`);
  } else if (state.offlineReady) {
    parts.push(document.body.dataset.mapSaved === 'true'
      ? 'Saved on this phone: the page, your day and its map work without a signal.'
      : 'Saved on this phone: the page and your day work without a signal.');
  }
  p.textContent = parts.join(' ');
  p.hidden = parts.length === 0;
  p.dataset.source = state.source ?? '';
  document.body.dataset.offlineReady = String(state.offlineReady && Boolean(state.day));
}

// ---- drawing -----------------------------------------------------------------------------

const SYNC_WORDS = { queued: 'Waiting to send', sending: 'Sending…', synced: 'Sent', refused: 'Refused' };

function statusText(eff) {
  if (eff.status === 'done') return `Done${eff.at ? ` at ${clock(eff.at)}` : ''}`;
  if (eff.status === 'not_done') return `Not done: ${REASONS[eff.reason] ?? 'no reason given'}${eff.at ? ` (${clock(eff.at)})` : ''}`;
  return 'Still to do';
}

function visitItem(feature, index, { next = false } = {}) {
  const p = feature.properties;
  const eff = effectiveStatus(feature);
  const el = document.createElement(next ? 'div' : 'li');
  el.className = `visit${next ? ' visit-next' : ''}`;
  el.dataset.visitId = String(feature.id);
  el.dataset.status = eff.status;
  if (state.selected === feature.id) el.classList.add('selected');

  const head = document.createElement('h3');
  head.className = 'visit-label';
  const number = document.createElement('span');
  number.className = 'visit-number';
  const word = document.createElement('span');
  word.className = 'visually-hidden';
  word.textContent = 'Stop ';
  number.append(word, String(index + 1));
  head.append(number, ' ', p.label ?? `Visit ${feature.id}`);
  const what = document.createElement('p');
  what.className = 'visit-what';
  const assigned = p.assigned_person ? ` · for ${p.assigned_person.name}` : '';
  what.textContent = `${p.activity_name ?? p.activity ?? ''} · ${p.round_name ?? p.round_code ?? ''}${assigned}`;
  const status = document.createElement('p');
  status.className = 'visit-status';
  const badge = document.createElement('span');
  badge.className = `status-badge status-${eff.status}`;
  badge.textContent = statusText(eff);
  status.append(badge);
  // The sync state of this stop's latest completion recorded on this phone.
  const entry = eff.entry ?? [...state.entries].reverse().find((e) => String(e.visit_id) === String(feature.id) && e.state === 'refused');
  if (entry) {
    const sync = document.createElement('span');
    sync.className = `sync-badge sync-${entry.state}`;
    sync.dataset.sync = entry.state;
    sync.textContent = entry.state === 'synced' && entry.duplicate ? 'Sent (already on the server)' : SYNC_WORDS[entry.state];
    status.append(' ', sync);
  }
  el.append(head, what, status);
  if (entry?.state === 'refused') {
    const why = document.createElement('p');
    why.className = 'field-error';
    why.textContent = `The server refused this: ${entry.error}`;
    const drop = document.createElement('button');
    drop.type = 'button';
    drop.className = 'link-button';
    drop.textContent = 'Remove it from this phone';
    drop.addEventListener('click', async () => {
      await deleteEntry(entry.client_id);
      await reloadEntries();
      render();
    });
    el.append(why, drop);
  }
  const notes = entry?.photos?.filter((ph) => ph.refused) ?? [];
  if (notes.length) {
    const warn = document.createElement('p');
    warn.className = 'field-error';
    warn.textContent = `${notes.length} photo${notes.length === 1 ? ' was' : 's were'} refused by the server and not sent: ${notes[0].refused}`;
    el.append(warn);
  }
  const buttons = document.createElement('div');
  buttons.className = 'visit-buttons';
  const record = document.createElement('button');
  record.type = 'button';
  record.className = eff.status === 'planned' ? 'primary record' : 'secondary record';
  record.textContent = eff.status === 'planned' ? 'Record' : 'Record again';
  record.setAttribute('aria-label', `${record.textContent}: ${p.label ?? `visit ${feature.id}`}`);
  record.addEventListener('click', () => openForm(feature));
  const show = document.createElement('button');
  show.type = 'button';
  show.className = 'link-button show-on-map';
  show.textContent = 'Show on the map';
  show.addEventListener('click', () => select(feature.id, { pan: true }));
  buttons.append(record, show);
  el.append(buttons);
  return el;
}

function render() {
  const features = state.day?.features ?? [];
  const order = new Map(features.map((f, i) => [f.id, i]));
  const todo = [];
  const finished = [];
  const counts = { planned: 0, done: 0, not_done: 0 };
  for (const f of features) {
    const eff = effectiveStatus(f);
    counts[eff.status] += 1;
    (eff.status === 'planned' ? todo : finished).push(f);
  }
  const next = todo[0] ?? null;
  $('next-block').hidden = !next || Boolean(state.completing);
  $('next').replaceChildren(...(next ? [visitItem(next, order.get(next.id), { next: true })] : []));
  $('todo-heading').textContent = `After that: ${Math.max(todo.length - 1, 0)} still to do`;
  $('todo').replaceChildren(...todo.slice(1).map((f) => visitItem(f, order.get(f.id))));
  $('finished-heading').textContent = `Finished (${finished.length})`;
  $('finished').replaceChildren(...finished.map((f) => visitItem(f, order.get(f.id))));
  $('todo-heading').hidden = todo.length <= 1;
  $('finished-heading').hidden = finished.length === 0;
  const waiting = state.entries.filter((e) => e.state === 'queued' || e.state === 'sending').length;
  $('counts').textContent = features.length
    ? `${features.length} stops: ${counts.planned} still to do, ${counts.done} done, ${counts.not_done} not done.`
    : (state.day ? 'Nothing is planned for you on this day.' : '');
  $('counts').dataset.planned = String(counts.planned);
  $('counts').dataset.done = String(counts.done);
  $('counts').dataset.notDone = String(counts.not_done);
  renderSync(waiting);
  renderSource();
  drawMarkers(features, next);
  state.legend?.update(counts);
}

function drawMarkers(features, next) {
  if (!state.map) return;
  state.markers.clearLayers();
  const highlight = [];
  for (const f of features) {
    if (f.geometry?.type !== 'Point') continue;
    const eff = effectiveStatus(f);
    const isSelected = state.selected === f.id || (state.selected === null && next && f.id === next.id);
    const marker = circleFor(f, eff.status, { selected: isSelected });
    marker.bindTooltip(`${f.properties.label ?? ''}: ${STATUS[eff.status].label}`);
    marker.on('click', () => select(f.id, { scroll: true }));
    marker.visitId = f.id;
    if (isSelected) highlight.push(marker);
    else state.markers.addLayer(marker);
  }
  for (const m of highlight) state.markers.addLayer(m); // drawn last, on top
  if (!state.fitted && features.length) {
    const bounds = boundsOf(features);
    if (bounds) {
      state.map.wardmapMoved = true;
      if (next) state.map.setView([next.geometry.coordinates[1], next.geometry.coordinates[0]], 16, { animate: false });
      else state.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17, animate: false });
      state.fitted = true;
    }
  }
}

function select(visitId, { pan = false, scroll = false } = {}) {
  state.selected = visitId;
  render();
  const feature = state.day?.features.find((f) => f.id === visitId);
  if (pan && feature && state.map) {
    state.map.setView([feature.geometry.coordinates[1], feature.geometry.coordinates[0]], Math.max(state.map.getZoom(), 17));
    $('map').scrollIntoView({ block: 'nearest' });
  }
  if (scroll) {
    const item = document.querySelector(`.visit[data-visit-id="${CSS.escape(String(visitId))}"]`);
    item?.scrollIntoView({ block: 'nearest' });
    item?.querySelector('button.record')?.focus({ preventScroll: true });
  }
}

// ---- sync state --------------------------------------------------------------------------

function renderSync(waiting) {
  const bar = $('sync-bar');
  const status = $('sync-status');
  const refused = state.entries.filter((e) => e.state === 'refused').length;
  const button = $('sync-now');
  const n = (k) => `${k} completion${k === 1 ? '' : 's'}`;
  let text;
  let mode;
  const stopped = state.lastSync?.result?.stopped;
  if (waiting === 0) {
    mode = refused ? 'refused' : 'synced';
    text = state.entries.some((e) => e.state === 'synced') ? 'Everything you recorded has been sent.' : 'Nothing is waiting to be sent.';
    if (state.lastSync?.at) text += ` Last checked ${clock(state.lastSync.at)}.`;
  } else if (syncing()) {
    mode = 'sending';
    text = `Sending ${n(waiting)}…`;
  } else if (!navigator.onLine || stopped === 'offline') {
    mode = 'offline';
    text = `No signal: ${n(waiting)} saved on this phone, waiting to be sent. They go as soon as there is a signal.`;
  } else if (stopped === 'signed_out') {
    mode = 'signed-out';
    text = `${n(waiting)} saved on this phone. Your sign-in has ended: sign in again to send them.`;
  } else if (stopped === 'server') {
    mode = 'server';
    text = `${n(waiting)} saved on this phone. The server could not take them just now (${state.lastSync.result.error ?? 'it will be tried again'}); trying again shortly.`;
  } else {
    mode = 'queued';
    text = `${n(waiting)} saved on this phone, waiting to be sent.`;
  }
  if (refused) text += ` ${n(refused)} refused by the server: see the stops marked Refused.`;
  bar.dataset.state = mode;
  bar.dataset.waiting = String(waiting);
  status.replaceChildren(text);
  if (mode === 'signed-out') {
    const a = document.createElement('a');
    a.href = signInHere();
    a.textContent = 'Sign in again';
    status.append(' ', a);
  }
  button.hidden = waiting === 0 || syncing();
}

async function reloadEntries() {
  state.entries = state.person ? await outboxOf(state.person.id) : [];
  const others = state.person ? (await outboxOfOthers(state.person.id)).filter((e) => e.state === 'queued' || e.state === 'sending') : [];
  const box = $('others');
  box.hidden = others.length === 0;
  box.textContent = others.length
    ? `${others.length} completion${others.length === 1 ? '' : 's'} recorded on this phone by someone else ${others.length === 1 ? 'is' : 'are'} waiting for them to sign in here to be sent.`
    : '';
}

let csrfReady = false;
async function sync() {
  if (!state.person) return;
  if (!csrfReady) {
    try {
      const person = await refreshSession();
      if (!person) {
        state.lastSync = { at: new Date().toISOString(), result: { stopped: 'signed_out' } };
        render();
        return;
      }
      csrfReady = true;
    } catch {
      state.lastSync = { at: new Date().toISOString(), result: { stopped: 'offline' } };
      render();
      return;
    }
  }
  const waitingBefore = state.entries.filter((e) => e.state === 'queued' || e.state === 'sending').length;
  const promise = syncOutbox(state.person.id, { onChange: () => { reloadEntries().then(render); }, refresh: refreshSession });
  render();
  const result = await promise;
  const last = (await outboxOf(state.person.id)).find((e) => e.state === 'queued' && e.error);
  state.lastSync = { at: new Date().toISOString(), result: { ...result, error: last?.error } };
  await reloadEntries();
  render();
  // Something reached the server: ask for the day again (rolled visits, the server's status).
  if (result.sent > 0 || (waitingBefore > 0 && result.stopped === null)) {
    if (await fetchDay()) render();
  }
}

// ---- recording a stop --------------------------------------------------------------------

function clearFormErrors() {
  const form = $('complete-form');
  for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  $('complete-error').hidden = true;
}

function fieldError(id, message, input = $(id)) {
  $(`${id}-error`).textContent = message;
  input?.setAttribute('aria-invalid', 'true');
}

function openForm(feature) {
  state.completing = feature;
  state.selected = feature.id;
  const form = $('complete-form');
  form.reset();
  clearFormErrors();
  for (const photo of state.photos) URL.revokeObjectURL(photo.url);
  state.photos = [];
  renderPhotos();
  $('reason-block').hidden = true;
  $('quantities').open = false;
  $('position-status').textContent = '';
  const p = feature.properties;
  $('complete-title').textContent = `Record: ${p.label ?? `visit ${feature.id}`}`;
  $('complete-where').textContent = `${p.activity_name ?? p.activity ?? ''} · ${p.round_name ?? p.round_code ?? ''}`;
  document.body.classList.add('completing');
  $('list-panel').hidden = true;
  $('next-block').hidden = true;
  $('complete-panel').hidden = false;
  $('complete-title').focus();
  render();
}

/** Back to the list; the focus goes to the stop that was open, or (after saving) the next stop. */
function closeForm({ saved = false } = {}) {
  const visitId = state.completing?.id;
  state.completing = null;
  if (saved) state.selected = null;
  for (const photo of state.photos) URL.revokeObjectURL(photo.url);
  state.photos = [];
  document.body.classList.remove('completing');
  $('complete-panel').hidden = true;
  $('list-panel').hidden = false;
  render();
  state.map?.invalidateSize();
  const next = saved ? state.day?.features.find((f) => f.geometry?.type === 'Point' && effectiveStatus(f).status === 'planned') : null;
  if (next && state.map) {
    state.map.setView([next.geometry.coordinates[1], next.geometry.coordinates[0]], Math.max(state.map.getZoom(), 16), { animate: false });
  }
  const item = saved ? document.querySelector('#next button.record')
    : document.querySelector(`.visit[data-visit-id="${CSS.escape(String(visitId))}"] button.record`);
  (item ?? $('title')).focus();
}

function renderPhotos() {
  const list = $('photo-list');
  list.replaceChildren(...state.photos.map((photo, index) => {
    const li = document.createElement('li');
    const img = document.createElement('img');
    img.src = photo.url;
    img.alt = `Photo ${index + 1}, ${photo.role}: ${photo.name}`;
    const caption = document.createElement('span');
    caption.className = 'photo-role';
    caption.textContent = photo.role === 'before' ? 'Before' : 'After';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'link-button';
    remove.textContent = `Remove photo ${index + 1}`;
    remove.addEventListener('click', () => {
      URL.revokeObjectURL(photo.url);
      state.photos.splice(index, 1);
      renderPhotos();
      $(`photo-${photo.role}`).focus();
    });
    li.append(img, caption, remove);
    return li;
  }));
  const full = state.photos.length >= MAX_PHOTOS;
  $('photo-before').disabled = full;
  $('photo-after').disabled = full;
}

let pendingPhotos = 0;
async function addPhotos(input, role) {
  const files = [...input.files];
  input.value = '';
  $('photos-error').textContent = '';
  const room = MAX_PHOTOS - state.photos.length - pendingPhotos;
  if (files.length > room) {
    $('photos-error').textContent = `Up to ${MAX_PHOTOS} photos a stop; the first ${Math.max(room, 0)} were kept.`;
  }
  for (const file of files.slice(0, Math.max(room, 0))) {
    pendingPhotos += 1;
    $('photo-list').setAttribute('aria-busy', 'true');
    try {
      // Resized here (longest side 1600 px, JPEG), so the phone keeps and sends a few hundred KB.
      const blob = await resizeImage(file);
      state.photos.push({ role, blob, url: URL.createObjectURL(blob), name: file.name });
      renderPhotos();
    } catch (error) {
      $('photos-error').textContent = error.message;
    } finally {
      pendingPhotos -= 1;
      if (!pendingPhotos) $('photo-list').removeAttribute('aria-busy');
    }
  }
}

function currentPosition() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) {
      resolve({ position: null, why: 'This phone does not give its position to web pages.' });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ position: { lon: Number(pos.coords.longitude.toFixed(7)), lat: Number(pos.coords.latitude.toFixed(7)),
        accuracy_m: Math.round(pos.coords.accuracy * 10) / 10 } }),
      (error) => resolve({ position: null,
        why: error.code === 1 ? 'Position not allowed for this page: saved without it.' : 'No GPS fix: saved without the position.' }),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  });
}

function readQuantities() {
  const quantities = {};
  const rules = [
    ['bins_emptied', 'Bins emptied must be a whole number, 0 or more.', (v) => Number.isInteger(v) && v >= 0],
    ['fill_percent', 'How full must be a whole number from 0 to 100.', (v) => Number.isInteger(v) && v >= 0 && v <= 100],
    ['area_m2', 'Area must be a number of square metres, 0 or more.', (v) => Number.isFinite(v) && v >= 0],
    ['bags', 'Bags must be a whole number, 0 or more.', (v) => Number.isInteger(v) && v >= 0],
  ];
  let ok = true;
  for (const [id, message, valid] of rules) {
    const input = $(id);
    const text = input.value.trim();
    if (input.validity.badInput) {
      fieldError(id, message);
      ok = false;
    } else if (text !== '') {
      const value = Number(text);
      if (!valid(value)) {
        fieldError(id, message);
        ok = false;
      } else {
        quantities[id] = value;
      }
    }
  }
  if (!ok) $('quantities').open = true;
  return ok ? quantities : null;
}

async function saveCompletion(event) {
  event.preventDefault();
  clearFormErrors();
  const feature = state.completing;
  if (!feature) return;
  const outcome = document.querySelector('input[name="outcome"]:checked')?.value;
  if (!outcome) fieldError('outcome', 'Choose Done or Not done.', $('outcome-done'));
  const reason = $('reason').value;
  if (outcome === 'not_done' && !reason) fieldError('reason', 'Choose why it was not done.');
  const quantities = readQuantities();
  const notes = $('notes').value.trim();
  if (notes.length > 2000) fieldError('notes', `Notes can be up to 2,000 characters (these are ${notes.length}).`);
  if (pendingPhotos) $('photos-error').textContent = 'Wait for the photos to be ready.';
  const invalid = $('complete-form').querySelector('[aria-invalid="true"]');
  if (invalid || pendingPhotos) {
    (invalid ?? $('photo-before')).focus();
    return;
  }
  const save = $('save');
  save.disabled = true;
  save.textContent = 'Saving…';
  try {
    // RFC 3339 in UTC to the second, as the server stores it.
    const body = { client_id: newClientId(), outcome, at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    if (outcome === 'not_done') body.reason = reason;
    if (quantities && Object.keys(quantities).length) body.quantities = quantities;
    if (notes) body.notes = notes;
    if ($('use-position').checked) {
      $('position-status').textContent = 'Finding your position…';
      const { position, why } = await currentPosition();
      if (position) body.position = position;
      $('position-status').textContent = why ?? '';
    }
    const entry = {
      client_id: body.client_id,
      person_id: state.person.id,
      visit_id: feature.id,
      date,
      label: feature.properties.label ?? null,
      body,
      photos: state.photos.map((p) => ({ role: p.role, blob: p.blob, name: p.name, uploaded_id: null })),
      state: 'queued',
      created_at: new Date().toISOString(),
    };
    await putEntry(entry);
    await reloadEntries();
    closeForm({ saved: true });
    sync();
  } catch (error) {
    const box = $('complete-error');
    box.textContent = `This could not be saved on the phone: ${error.message}`;
    box.hidden = false;
    box.focus();
  } finally {
    save.disabled = false;
    save.textContent = 'Save';
  }
}

// ---- start -------------------------------------------------------------------------------

function wireForm() {
  $('complete-form').addEventListener('submit', saveCompletion);
  $('cancel').addEventListener('click', closeForm);
  for (const radio of document.querySelectorAll('input[name="outcome"]')) {
    radio.addEventListener('change', () => { $('reason-block').hidden = $('outcome-not-done').checked === false; });
  }
  $('photo-before').addEventListener('change', (e) => addPhotos(e.target, 'before'));
  $('photo-after').addEventListener('change', (e) => addPhotos(e.target, 'after'));
  $('sync-now').addEventListener('click', () => sync());
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.completing) closeForm();
  });
}

function wireDayNav() {
  const link = (id, d) => {
    $(id).href = d === today ? '/staff/crew.html' : `/staff/crew.html?date=${d}`;
    if (d === date) $(id).setAttribute('aria-current', 'date');
  };
  link('day-before', addDays(date, -1));
  link('day-today', today);
  link('day-after', addDays(date, 1));
  $('title').textContent = date === today ? 'Your day' : `Your day: ${longDate(date)}`;
  document.title = `${$('title').textContent} – Chorley Council`;
}

async function start() {
  wireDayNav();
  wireForm();
  let started;
  try {
    started = await startStaffPage({ offlinePerson: () => loadMeta('person') });
  } catch (error) {
    showLoadError(error instanceof StaffError && error.network
      ? 'There is no signal, and nobody has used this page on this phone yet. Open it once with a signal.'
      : `Your day could not be loaded: ${error.message}`);
    $('sync-status').textContent = '';
    document.body.dataset.ready = 'true';
    return;
  }
  state.person = started.person;
  csrfReady = !started.offline;
  if (!started.offline) {
    await saveMeta('person', { id: started.person.id, name: started.person.name, roles: started.person.roles });
  }
  await reloadEntries();
  // What the phone has is shown at once; the server's answer replaces it when it comes.
  const stored = await loadDay(state.person.id, date);
  if (stored) {
    state.day = stored.collection;
    state.source = 'device';
    state.savedAt = stored.fetched_at;
  }
  try {
    const { map } = await createMap($('map'), { label: 'Map of the day\'s stops', canvas: true });
    state.map = map;
    state.markers = window.L.layerGroup().addTo(map);
    state.legend = legendControl('map-legend');
    state.legend.addTo(map);
  } catch {
    $('map').textContent = 'The map could not be drawn; the list below has every stop.';
  }
  render();
  if (started.offline) {
    if (!stored) {
      showLoadError('There is no signal, and this day has not been saved on this phone yet. ' +
        'Open this page once with a signal to keep the day on the phone.');
    }
  } else {
    await fetchDay();
  }
  render();
  document.body.dataset.ready = 'true';
  registerWorker();
  pruneDays(today).catch(() => {});
  pruneSynced().catch(() => {});

  window.addEventListener('online', async () => {
    render();
    await sync();
    if (await fetchDay()) render();
  });
  window.addEventListener('offline', () => render());
  setInterval(() => {
    if (navigator.onLine && state.entries.some((e) => e.state === 'queued' || e.state === 'sending')) sync();
  }, SYNC_EVERY_MS);
  setInterval(async () => {
    if (navigator.onLine && !state.completing && (await fetchDay())) render();
  }, REFRESH_DAY_EVERY_MS);
  if (state.entries.some((e) => e.state === 'queued' || e.state === 'sending')) sync();
  else render();
}

start();
