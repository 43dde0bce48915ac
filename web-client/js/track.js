// The reporter's private view, /track.html#TOKEN (or ?token=TOKEN): status, target date, the
// place on the map (the shared map module and basemap, the point as Open311 publishes it), the
// history, an update with photos (and reopening a closed report), and following by email.
import { api, config, formatDate, statusLabel } from './api.js';
import { photoPicker } from './photos.js';
import { clearErrors, showErrors } from './forms.js';
import { createMap, locationMarker, statusClass } from './map.js';

const $ = (id) => document.getElementById(id);
const token = decodeURIComponent(location.hash.slice(1)) || new URLSearchParams(location.search).get('token') || '';
const settings = await config();
let current = null;
/** The report's zoom: streets and their names, house numbers from 18. */
const REPORT_ZOOM = 17;
let reportMap = null;

function render(t) {
  current = t;
  document.title = `${t.service_name} ${t.service_request_id} – Chorley Council`;
  $('title').textContent = `${t.service_name}: report ${t.service_request_id}`;
  const status = $('status');
  status.textContent = statusLabel(t.status);
  status.className = `badge ${statusClass(t.status)}`;
  $('overdue').hidden = !t.overdue;
  $('reference').textContent = t.service_request_id;
  $('address').textContent = t.address || 'The point on the map you chose';
  $('requested').textContent = formatDate(t.requested_datetime);
  $('expected').textContent = t.open
    ? (t.expected_datetime ? formatDate(t.expected_datetime) : 'No target date for this kind of report')
    : 'Closed';
  $('description').textContent = t.description || '(no description)';
  $('history').replaceChildren(...t.history.map((h) => {
    const li = document.createElement('li');
    const when = document.createElement('p');
    when.className = 'when';
    when.textContent = formatDate(h.at);
    const what = document.createElement('p');
    const who = h.by === 'council' ? 'The council' : h.by === 'reporter' ? 'You' : 'You';
    what.textContent = h.by === 'report'
      ? 'You reported it.'
      : h.from !== h.to
        ? `${who} changed the status from ${statusLabel(h.from)} to ${statusLabel(h.to)}.`
        : `${who} added a note.`;
    li.append(when, what);
    if (h.note) {
      const note = document.createElement('p');
      note.textContent = h.note;
      li.append(note);
    }
    if (h.photos?.length) {
      // The update's photos (a crew's "after" photo when the council closes it), each a
      // thumbnail linking to the full photo.
      const list = document.createElement('ul');
      list.className = 'photo-list history-photos';
      list.setAttribute('aria-label', `Photos ${h.by === 'council' ? 'from the council' : 'you added'}`);
      list.append(...h.photos.map((p, i) => {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.href = p.url;
        const img = document.createElement('img');
        img.src = p.thumbnail_url;
        img.alt = `Photo ${i + 1} ${h.by === 'council' ? 'from the council' : 'you added'}, ${formatDate(h.at)}`;
        img.loading = 'lazy';
        link.append(img);
        item.append(link);
        return item;
      }));
      li.append(list);
    }
    return li;
  }));
  $('reopen-box').hidden = t.open;
  $('report').hidden = false;
}

/** Draws the map once the page shows, and the pin at the report's point (on a reload too). */
async function showOnMap(t) {
  const panel = $('map').closest('section');
  const placed = Number.isFinite(t.lat) && Number.isFinite(t.long) && !(t.lat === 0 && t.long === 0);
  if (!placed || !window.L) {
    panel.hidden = true;
    return;
  }
  const at = [t.lat, t.long];
  if (!reportMap) {
    const { map } = await createMap($('map'), { label: 'Map of the place you reported' });
    reportMap = { map, pin: null, id: null };
    $('map-recentre').addEventListener('click', () => {
      const recentre = () => reportMap.map.setView(reportMap.pin.getLatLng(), REPORT_ZOOM);
      // Leaflet drops a new view asked for while a zoom still animates (a quick "-" then
      // the button); it is set when that zoom ends instead.
      if (reportMap.map._animatingZoom) {
        reportMap.map.once('zoomend', recentre);
      } else {
        recentre();
      }
      $('map').focus();
    });
  }
  const { map } = reportMap;
  // Another report's link in the same tab (hashchange) gets its own pin and view.
  if (reportMap.id !== t.service_request_id) {
    reportMap.pin?.remove();
    reportMap.pin = locationMarker(at, { title: `Report ${t.service_request_id} is here` }).addTo(map);
    reportMap.id = t.service_request_id;
    map.setView(at, REPORT_ZOOM, { animate: false });
  }
  panel.hidden = false;
}

async function load() {
  if (!token) {
    showLoadError('This page needs the private link from your confirmation or email. Check that you copied all of it.');
    return;
  }
  let tracked;
  try {
    tracked = await api.track(token);
    render(tracked);
  } catch (e) {
    showLoadError(e.status === 404
      ? 'We could not find a report for this link. Check that you copied all of it; links are case-sensitive.'
      : e.message);
    return;
  }
  try {
    await showOnMap(tracked);
  } catch {
    // The report's words say where it is; the page works without the map.
    $('map').closest('section').hidden = true;
  }
}

function showLoadError(message) {
  $('load-error').textContent = message;
  $('load-error').hidden = false;
}

const photos = photoPicker({ input: $('update-photos'), list: $('update-photo-list'),
  error: $('update-photos-error'), apiKey: settings.open311_api_key ?? 'demo-web-key' });

$('update-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = $('update-form');
  clearErrors(form, $('update-error'));
  $('update-done').textContent = '';
  const text = $('update-text').value.trim();
  const reopen = !current.open && $('reopen').checked;
  if (!text && !reopen && !photos.ids().length) {
    showErrors(form, $('update-error'), { fields: { text: 'Write what has changed, or add a photo.' } });
    return;
  }
  if (photos.busy()) {
    showErrors(form, $('update-error'), { fields: { photo_id: 'Please wait: a photo is still being sent.' } });
    return;
  }
  const update = { text, reopen };
  if (photos.ids().length) update.photo_id = photos.ids().join(',');
  try {
    render(await api.addUpdate(token, update));
    $('update-text').value = '';
    $('reopen').checked = false;
    photos.clear();
    $('update-done').textContent = reopen ? 'Thank you: the report is open again.' : 'Thank you: your update has been added.';
  } catch (e) {
    showErrors(form, $('update-error'), e);
  }
});

$('follow-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const email = $('follow-email').value.trim();
  $('follow-email-error').textContent = '';
  $('follow-done').textContent = '';
  if (!email) {
    $('follow-email-error').textContent = 'Enter the email address that should hear about changes.';
    $('follow-email').focus();
    return;
  }
  try {
    await api.follow(current.service_request_id, email);
    $('follow-done').textContent = `We have emailed ${email} a link to confirm. Once it is used, that address will be told when this report changes.`;
  } catch (e) {
    $('follow-email-error').textContent = e.fields?.email ?? (e.status === 404
      ? 'Reports of this kind are private, so they cannot be followed.' : e.message);
    $('follow-email').focus();
  }
});

window.addEventListener('hashchange', load);
await load();
performance.mark('wardmap-ready');
document.body.dataset.ready = 'true';
