// The one place pages talk to the server: every call goes through request(), which turns
// problem+json bodies, Open311 error lists and network failures into an ApiError whose
// `fields` map names the form field each message concerns.

export class ApiError extends Error {
  constructor(message, { status = 0, fields = {}, network = false } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fields = fields; // field name -> message
    this.network = network;
  }
}

const NETWORK_MESSAGE =
  'We could not reach the council\'s server. Check your connection and try again; nothing you typed has been lost.';

// Open311 error descriptions start with the parameter in quotes: "'attribute[amount]' is required: …".
function open311Fields(list) {
  const fields = {};
  for (const item of list) {
    const text = String(item.description ?? '');
    const match = /^(?:parameter )?'([^']+)'\s*(.*)$/.exec(text);
    const name = match ? match[1].replace(/\[\]$/, '') : '_form';
    const message = match ? `${humanName(name)} ${match[2]}` : text;
    fields[name] = fields[name] ? `${fields[name]} ${message}` : message;
  }
  return fields;
}

function humanName(name) {
  const known = { lat: 'The location', long: 'The location', email: 'Email', phone: 'Phone',
    description: 'The description', service_code: 'The category', photo_id: 'The photos' };
  if (known[name]) return known[name];
  if (name.startsWith('attribute[')) return 'This answer';
  return `'${name}'`;
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (Array.isArray(body)) {
    const fields = open311Fields(body);
    const message = Object.values(fields).join(' ') || `The server answered ${response.status}.`;
    return new ApiError(message, { status: response.status, fields });
  }
  if (body && typeof body === 'object') {
    const fields = {};
    for (const e of body.errors ?? []) {
      if (e.name) fields[e.name] = e.message;
    }
    return new ApiError(body.detail || body.title || `The server answered ${response.status}.`,
      { status: response.status, fields });
  }
  if (response.status >= 500) {
    return new ApiError('The council\'s server had a problem. Please try again in a minute.',
      { status: response.status });
  }
  return new ApiError(`The server answered ${response.status}.`, { status: response.status });
}

export async function request(path, { method = 'GET', json, form, body, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: 'application/json, application/geo+json', ...headers }, signal };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (form !== undefined) {
    init.body = form.toString();
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(NETWORK_MESSAGE, { network: true });
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    throw new ApiError('The server sent an answer we could not read. Please try again.',
      { status: response.status });
  }
}

const query = (params) => new URLSearchParams(
  Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();

let configPromise = null;
/** The page configuration (web-client/config.json): basemap tiles, council name, Open311 key. */
export function config() {
  configPromise ??= request('/config.json').catch(() => ({}));
  return configPromise;
}

export const api = {
  searchAddresses: (q, limit = 8, signal) => request(`/api/addresses?${query({ q, limit })}`, { signal }),
  nearestAddress: (lon, lat) => request(`/api/addresses/nearest?${query({ lon, lat, radius: 100, limit: 1 })}`),
  postcode: (pc) => request(`/api/postcodes/${encodeURIComponent(pc)}`),
  wards: () => request('/api/wards'),
  ward: (code) => request(`/api/wards/${encodeURIComponent(code)}`),
  wardAt: (lon, lat) => request(`/api/wards/at?${query({ lon, lat })}`),
  myArea: (params) => request(`/api/my-area?${params}`),
  features: (collection, params) =>
    request(`/ogc/collections/${encodeURIComponent(collection)}/items?${query(params)}`),
  services: () => request('/open311/v2/services.json'),
  service: (code) => request(`/open311/v2/services/${encodeURIComponent(code)}.json`),
  createRequest: (form) => request('/open311/v2/requests.json', { method: 'POST', form }),
  duplicates: (serviceCode, lon, lat) =>
    request(`/api/requests/duplicates?${query({ service_code: serviceCode, lon, lat })}`),
  follow: (id, email) => request(`/api/requests/${encodeURIComponent(id)}/followers`,
    { method: 'POST', json: { email } }),
  track: (token) => request(`/api/track/${encodeURIComponent(token)}`),
  addUpdate: (token, update) => request(`/api/track/${encodeURIComponent(token)}/updates`,
    { method: 'POST', json: update }),
  uploadPhoto: (apiKey, blob) => request(`/api/photos?${query({ api_key: apiKey })}`,
    { method: 'POST', body: blob, headers: { 'Content-Type': blob.type || 'image/jpeg' } }),
};

/** Lifecycle statuses in plain words (docs/http-api.md, "Lifecycle statuses"). */
export const STATUS_LABELS = {
  open: 'Open', investigating: 'Investigating', in_progress: 'In progress',
  action_scheduled: 'Action scheduled', reopened: 'Reopened', fixed: 'Fixed',
  no_further_action: 'No further action', duplicate: 'Duplicate',
  not_councils_responsibility: 'Not the council\'s responsibility',
  internal_referral: 'Referred internally', cancelled: 'Cancelled', closed: 'Closed',
};
export const OPEN_STATUSES = ['open', 'investigating', 'in_progress', 'action_scheduled', 'reopened'];
export const CLOSED_STATUSES = ['fixed', 'no_further_action', 'duplicate',
  'not_councils_responsibility', 'internal_referral', 'cancelled', 'closed'];

export const statusLabel = (s) => STATUS_LABELS[s] ?? String(s ?? '').replace(/_/g, ' ');

// One formatter each: building an Intl.DateTimeFormat per call is slow with long lists.
const DATE_TIME = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric',
  hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
const DATE_ONLY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric',
  timeZone: 'Europe/London' });

export function formatDate(iso, withTime = true) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (withTime ? DATE_TIME : DATE_ONLY).format(d);
}
