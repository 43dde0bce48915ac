// A councillor's actions on MyWard (docs/myward.md "Councillors' actions"): a Follow button
// and a Note form on each of the latest requests (myward.js lists them, each <li> carrying
// data-id), the requests they follow, and "Raise a request" for a resident, its place picked
// by a click on the ward's map. Staff see none of it (they do not hold councillor_act).
import { staffFetch } from './staff-api.js';

const $ = (id) => document.getElementById(id);

let following = new Set();

async function refreshFollowing() {
  const doc = await staffFetch('/api/myward/following');
  following = new Set(doc.following.map((f) => f.service_request_id));
  const list = $('following-list');
  list.replaceChildren();
  for (const f of doc.following) {
    const li = document.createElement('li');
    li.textContent = `#${f.service_request_id} ${f.service_code} (${f.status.replace(/_/g, ' ')})`;
    list.append(li);
  }
  if (!doc.following.length) {
    const li = document.createElement('li');
    li.textContent = 'None yet.';
    list.append(li);
  }
}

function decorate(li) {
  const id = li.dataset.id;
  if (!id || li.querySelector('.cllr-actions')) return;
  const box = document.createElement('div');
  box.className = 'cllr-actions';
  const follow = document.createElement('button');
  follow.type = 'button';
  const label = () => { follow.textContent = following.has(id) ? `Unfollow #${id}` : `Follow #${id}`; };
  label();
  const status = document.createElement('span');
  status.setAttribute('role', 'status');
  follow.addEventListener('click', async () => {
    const on = !following.has(id);
    try {
      await staffFetch(`/api/requests/${id}/councillor-follow`, { method: on ? 'POST' : 'DELETE', json: {} });
      await refreshFollowing();
      label();
      status.textContent = on ? ' Following: you will be emailed when it changes.' : ' Not following.';
    } catch (error) {
      status.textContent = ` ${error.message}`;
    }
  });
  const form = document.createElement('form');
  form.className = 'cllr-note';
  const text = document.createElement('textarea');
  text.name = 'text';
  text.maxLength = 2000;
  text.rows = 2;
  text.setAttribute('aria-label', `Note for staff on request #${id}`);
  const send = document.createElement('button');
  send.type = 'submit';
  send.textContent = 'Add note for staff';
  form.append(text, send);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await staffFetch(`/api/requests/${id}/councillor-notes`, { method: 'POST', json: { text: text.value } });
      text.value = '';
      status.textContent = ' Note added (staff only; never public).';
    } catch (error) {
      status.textContent = ` ${error.fields?.text ? `The note ${error.fields.text}` : error.message}`;
    }
  });
  // The note form folded away: a list of twenty open forms would bury the list.
  const fold = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Note for staff';
  fold.append(summary, form);
  box.append(follow, status, fold);
  li.append(box);
}

async function raise(event) {
  event.preventDefault();
  const out = $('raise-result');
  const body = { service_code: $('raise-service').value, description: $('raise-description').value };
  if ($('raise-lat').value) body.lat = Number($('raise-lat').value);
  if ($('raise-long').value) body.long = Number($('raise-long').value);
  for (const f of ['first_name', 'last_name', 'email', 'phone']) {
    const v = $(`raise-${f}`).value.trim();
    if (v) body[f] = v;
  }
  try {
    const created = await staffFetch('/api/myward/requests', { method: 'POST', json: body });
    out.textContent = `Request #${created.service_request_id} raised. The resident can track it at /track.html#${created.token}`;
  } catch (error) {
    const fields = Object.entries(error.fields ?? {}).map(([k, v]) => `${k} ${v}`).join('; ');
    out.textContent = `Not raised: ${fields || error.message}`;
  }
}

async function startRaiseForm() {
  const services = await (await fetch('/open311/v2/services.json')).json();
  const select = $('raise-service');
  for (const s of services) select.add(new Option(s.service_name, s.service_code));
  const map = window.wardmapMyWardMap;
  let marker = null;
  if (map) {
    map.on('click', (e) => {
      $('raise-lat').value = e.latlng.lat.toFixed(6);
      $('raise-long').value = e.latlng.lng.toFixed(6);
      if (marker) marker.remove();
      marker = window.L.marker(e.latlng).addTo(map);
    });
  }
  $('raise-form').addEventListener('submit', raise);
}

export async function startCouncillorActions(me) {
  if (!(me.person.roles ?? []).some((g) => g.role === 'councillor')) return;
  $('cllr-panel').hidden = false;
  $('raise-panel').hidden = false;
  await refreshFollowing();
  const list = $('list');
  const all = () => list.querySelectorAll('li[data-id]').forEach(decorate);
  new MutationObserver(all).observe(list, { childList: true });
  all();
  await startRaiseForm();
}
