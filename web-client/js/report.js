// The reporting page: where (typed address or postcode, "use my location", a map click),
// what (grouped, searchable category and its Open311 questions), nearby duplicates to follow
// instead, description and photos, optional name and email, then POST /open311/v2/requests.
import { api, config, formatDate, statusLabel } from './api.js';
import { createMap, locationMarker } from './map.js';
import { addressCombobox } from './combobox.js';
import { photoPicker } from './photos.js';
import { clearErrors, showErrors, fieldErrorSlot } from './forms.js';

const $ = (id) => document.getElementById(id);
const form = $('report');
const state = { location: null, services: [], definitions: new Map(), marker: null, answers: new Map() };

// The catalogue, the configuration and the map load side by side.
const servicesLoading = api.services();
const settings = await config();
const apiKey = settings.open311_api_key ?? 'demo-web-key';
const { map, layers } = await createMap($('map'), { label: 'Map: click or tap where the problem is' });
layers.ready.then(() => { document.body.dataset.mapReady = 'true'; });

addressCombobox({
  input: $('address'), listbox: $('address-options'), status: $('address-status'),
  onChoose: (feature) => {
    const [lon, lat] = feature.geometry.coordinates;
    setLocation({ lat, lon, uprn: feature.id, label: feature.properties.address, zoom: 18 });
  },
});

map.on('click', (event) => placeAt(event.latlng.lat, event.latlng.lng));
$('use-centre').addEventListener('click', () => {
  const c = map.getCenter();
  placeAt(c.lat, c.lng);
});

$('locate').addEventListener('click', () => {
  const out = $('location-error');
  if (!navigator.geolocation) {
    out.textContent = 'Your browser cannot tell us where you are. Type an address or click the map instead.';
    return;
  }
  $('location-chosen').textContent = 'Finding where you are…';
  navigator.geolocation.getCurrentPosition(
    (position) => placeAt(position.coords.latitude, position.coords.longitude, 17),
    () => {
      $('location-chosen').textContent = '';
      out.textContent = 'We could not get your location (it may be switched off). Type an address or click the map instead.';
    },
    { enableHighAccuracy: true, timeout: 10000 });
});

async function placeAt(lat, lon, zoom) {
  let label = `the point you chose (${lat.toFixed(5)}, ${lon.toFixed(5)})`;
  try {
    const nearest = await api.nearestAddress(lon, lat);
    if (nearest.features.length) label = `near ${nearest.features[0].properties.address}`;
  } catch {
    // The label is a help only; the point itself is what is reported.
  }
  await setLocation({ lat, lon, uprn: null, label, zoom });
}

async function setLocation({ lat, lon, uprn, label, zoom }) {
  const error = $('location-error');
  error.textContent = '';
  let ward = null;
  try {
    ward = await api.wardAt(lon, lat);
  } catch (e) {
    if (e.status === 404 || e.status === 400) {
      error.textContent = 'That place is outside Chorley Council\'s area, so we cannot take a report for it here. ' +
        'Choose a place inside the borough (the thick blue line on the map), or contact the council whose area it is.';
      return;
    }
    if (e.network) {
      error.textContent = e.message;
      return;
    }
  }
  state.location = { lat, lon, uprn };
  state.marker?.remove();
  state.marker = locationMarker([lat, lon]).addTo(map);
  map.setView([lat, lon], Math.max(map.getZoom(), zoom ?? 16));
  $('location-chosen').textContent = `Pin placed ${label.startsWith('near') || label.startsWith('the') ? '' : 'at '}${label}${ward ? `, in ${ward.name} ward` : ''}.`;
  refreshDuplicates();
}

// Categories: grouped in the select, filtered by the search box (names, groups, keywords).
try {
  state.services = await servicesLoading;
  renderCategories('');
} catch (e) {
  $('category-error').textContent = `The list of categories could not be loaded. ${e.message}`;
}

function renderCategories(filter) {
  const select = $('category');
  const chosen = select.value;
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = state.services.filter((s) => {
    const text = `${s.service_name} ${s.group} ${s.keywords} ${s.description}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const groups = new Map();
  for (const s of matches) {
    if (!groups.has(s.group)) groups.set(s.group, []);
    groups.get(s.group).push(s);
  }
  const first = document.createElement('option');
  first.value = '';
  first.textContent = matches.length ? `Choose a category (${matches.length} shown)` : 'No category matches your search';
  select.replaceChildren(first, ...[...groups].map(([group, services]) => {
    const optgroup = document.createElement('optgroup');
    optgroup.label = group;
    optgroup.append(...services.map((s) => {
      const option = document.createElement('option');
      option.value = s.service_code;
      option.textContent = s.service_name;
      return option;
    }));
    return optgroup;
  }));
  if (matches.some((s) => s.service_code === chosen)) select.value = chosen;
  else if (matches.length === 1) { select.value = matches[0].service_code; categoryChanged(); }
}

$('category-search').addEventListener('input', (event) => renderCategories(event.target.value));
$('category').addEventListener('change', categoryChanged);

async function categoryChanged() {
  rememberAnswers();
  const code = $('category').value;
  const container = $('attributes');
  const service = state.services.find((s) => s.service_code === code);
  $('category-error').textContent = '';
  const notice = $('category-notice');
  notice.hidden = !service?.description;
  notice.textContent = service?.description ?? '';
  if (!code) {
    container.replaceChildren();
    refreshDuplicates();
    return;
  }
  try {
    if (!state.definitions.has(code)) state.definitions.set(code, await api.service(code));
    if ($('category').value !== code) return;
    container.replaceChildren(...state.definitions.get(code).attributes.map(attributeField));
    restoreAnswers();
  } catch (e) {
    $('category-error').textContent = `The questions for this category could not be loaded. ${e.message}`;
  }
  refreshDuplicates();
}

function attributeField(attribute) {
  const id = `attribute-${attribute.code}`;
  const name = `attribute[${attribute.code}]`;
  const wrapper = document.createElement('div');
  wrapper.className = 'field';
  const labelText = `${attribute.description}${attribute.required ? '' : ' (optional)'}`;
  const error = fieldErrorSlot(name, `${id}-error`);
  let control;
  if (attribute.datatype === 'multivaluelist') {
    const fieldset = document.createElement('fieldset');
    fieldset.className = 'choices';
    fieldset.setAttribute('aria-describedby', error.id);
    const legend = document.createElement('legend');
    legend.textContent = labelText;
    fieldset.append(legend, ...attribute.values.map((v, i) => {
      const label = document.createElement('label');
      label.className = 'choice';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = `${name}[]`;
      box.value = v.key;
      box.id = `${id}-${i}`;
      label.append(box, ` ${v.name}`);
      return label;
    }));
    wrapper.append(fieldset, error);
    return wrapper;
  }
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = labelText;
  if (attribute.datatype === 'singlevaluelist') {
    control = document.createElement('select');
    const none = document.createElement('option');
    none.value = '';
    none.textContent = 'Choose one';
    control.append(none, ...attribute.values.map((v) => {
      const option = document.createElement('option');
      option.value = v.key;
      option.textContent = v.name;
      return option;
    }));
  } else if (attribute.datatype === 'text') {
    control = document.createElement('textarea');
    control.rows = 3;
  } else {
    control = document.createElement('input');
    control.type = attribute.datatype === 'number' ? 'number' : attribute.datatype === 'datetime' ? 'datetime-local' : 'text';
    if (attribute.datatype === 'number') control.step = 'any';
  }
  control.id = id;
  control.name = name;
  control.dataset.datatype = attribute.datatype;
  control.setAttribute('aria-describedby', error.id);
  if (attribute.required) control.setAttribute('aria-required', 'true');
  wrapper.append(label);
  if (attribute.datatype_description) {
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.id = `${id}-hint`;
    hint.textContent = attribute.datatype_description;
    control.setAttribute('aria-describedby', `${hint.id} ${error.id}`);
    wrapper.append(hint);
  }
  wrapper.append(control, error);
  return wrapper;
}

// What the resident answered survives a change of category and back.
function rememberAnswers() {
  for (const el of $('attributes').querySelectorAll('input, select, textarea')) {
    const key = `${el.name}=${el.type === 'checkbox' ? el.value : ''}`;
    state.answers.set(key, el.type === 'checkbox' ? el.checked : el.value);
  }
}
function restoreAnswers() {
  for (const el of $('attributes').querySelectorAll('input, select, textarea')) {
    const key = `${el.name}=${el.type === 'checkbox' ? el.value : ''}`;
    if (!state.answers.has(key)) continue;
    if (el.type === 'checkbox') el.checked = state.answers.get(key);
    else el.value = state.answers.get(key);
  }
}

let duplicateRun = 0;
async function refreshDuplicates() {
  const section = $('duplicates');
  const code = $('category').value;
  const run = ++duplicateRun;
  if (!code || !state.location) {
    section.hidden = true;
    return;
  }
  try {
    const found = await api.duplicates(code, state.location.lon, state.location.lat);
    if (run !== duplicateRun) return;
    section.hidden = found.features.length === 0;
    $('duplicate-list').replaceChildren(...found.features.map(duplicateItem));
  } catch {
    section.hidden = true; // a suggestion only: the report can go ahead without it
  }
}

function duplicateItem(feature) {
  const p = feature.properties;
  const li = document.createElement('li');
  li.className = 'report-item';
  const title = document.createElement('p');
  title.className = 'report-title';
  title.textContent = `${p.service_name}, ${Math.round(p.distance_m)} m away`;
  const meta = document.createElement('p');
  meta.className = 'report-meta';
  meta.textContent = `Reported ${formatDate(p.requested_datetime, false)} · ${statusLabel(p.status)} · reference ${p.service_request_id}`;
  li.append(title, meta);
  if (p.description) {
    const text = document.createElement('p');
    text.textContent = p.description;
    li.append(text);
  }
  const follow = document.createElement('button');
  follow.type = 'button';
  follow.className = 'secondary';
  follow.textContent = 'Follow this instead';
  follow.setAttribute('aria-label', `Follow report ${p.service_request_id} instead`);
  follow.addEventListener('click', () => {
    follow.hidden = true;
    li.append(followForm(p.service_request_id));
    li.querySelector('input[type=email]').focus();
  });
  li.append(follow);
  return li;
}

function followForm(id) {
  const box = document.createElement('div');
  box.className = 'follow-form';
  const inputId = `follow-email-${id}`;
  const label = document.createElement('label');
  label.htmlFor = inputId;
  label.textContent = 'Your email, to hear when it changes';
  const input = document.createElement('input');
  input.type = 'email';
  input.id = inputId;
  input.autocomplete = 'email';
  input.value = $('email').value;
  const error = document.createElement('p');
  error.className = 'field-error';
  error.id = `${inputId}-error`;
  input.setAttribute('aria-describedby', error.id);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'primary';
  button.textContent = `Follow report ${id}`;
  const done = document.createElement('p');
  done.setAttribute('role', 'status');
  button.addEventListener('click', async () => {
    error.textContent = '';
    if (!input.value.trim()) {
      error.textContent = 'Enter your email address so we can tell you when it changes.';
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      await api.follow(id, input.value.trim());
      box.replaceChildren(done);
      done.className = 'success';
      done.textContent = `Almost done: open the link we have emailed to ${input.value.trim()} to follow report ${id}. There is no need to report it again.`;
    } catch (e) {
      error.textContent = e.fields.email ?? e.message;
      button.disabled = false;
      input.focus();
    }
  });
  box.append(label, input, error, button, done);
  return box;
}

const photos = photoPicker({ input: $('photos'), list: $('photo-list'), error: $('photos-error'), apiKey });

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form, $('form-error'));
  const problems = {};
  if (!state.location) problems.lat = 'Tell us where the problem is: type an address or postcode, use your location, or click the map.';
  if (!$('category').value) problems.service_code = 'Choose a category.';
  if (photos.busy()) problems.photo_id = 'Please wait: a photo is still being sent.';
  if (Object.keys(problems).length) {
    showErrors(form, $('form-error'), { fields: problems, message: 'Some details are missing.' });
    return;
  }
  const body = new URLSearchParams();
  body.set('api_key', apiKey);
  body.set('service_code', $('category').value);
  body.set('lat', state.location.lat.toFixed(7));
  body.set('long', state.location.lon.toFixed(7));
  if (state.location.uprn) body.set('address_id', String(state.location.uprn));
  for (const el of $('attributes').querySelectorAll('input, select, textarea')) {
    if (el.type === 'checkbox') {
      if (el.checked) body.append(el.name, el.value);
    } else if (el.value.trim()) {
      body.set(el.name, el.dataset.datatype === 'datetime' ? new Date(el.value).toISOString() : el.value.trim());
    }
  }
  for (const [field, id] of [['description', 'description'], ['first_name', 'first-name'],
    ['last_name', 'last-name'], ['email', 'email']]) {
    const value = $(id).value.trim();
    if (value) body.set(field, value);
  }
  if (photos.ids().length) body.set('photo_id', photos.ids().join(','));
  const submit = $('submit');
  submit.disabled = true;
  submit.textContent = 'Sending…';
  try {
    const [created] = await api.createRequest(body);
    showConfirmation(created);
  } catch (e) {
    showErrors(form, $('form-error'), e);
  } finally {
    submit.disabled = false;
    submit.textContent = 'Send the report';
  }
});

function showConfirmation(created) {
  form.hidden = true;
  $('duplicates').hidden = true;
  const link = `${location.origin}/track.html#${created.tracking_token}`;
  $('confirmation-id').textContent = created.service_request_id;
  $('tracking-link').href = link;
  $('tracking-link').textContent = link;
  $('confirmation-notice').hidden = !created.service_notice;
  $('confirmation-notice').textContent = created.service_notice ?? '';
  $('confirmation').hidden = false;
  $('confirmation').focus();
}

$('another').addEventListener('click', () => {
  form.reset();
  photos.clear();
  $('attributes').replaceChildren();
  state.location = null;
  state.marker?.remove();
  $('location-chosen').textContent = '';
  $('confirmation').hidden = true;
  form.hidden = false;
  $('address').focus();
});

performance.mark('wardmap-ready');
document.body.dataset.ready = 'true';
