// The staff pages' one way to talk to the server. staffFetch() sends the session cookie
// (same origin), adds the session's X-CSRF-Token to every state-changing call (POST, PUT,
// PATCH, DELETE; docs/http-api.md "CSRF"), and turns problem+json answers into a StaffError
// carrying the status, the fields named in its `errors` and, for 429, the seconds to wait
// (Retry-After).

export class StaffError extends Error {
  constructor(message, { status = 0, retryAfter = null, network = false, fields = {} } = {}) {
    super(message);
    this.name = 'StaffError';
    this.status = status;
    this.retryAfter = retryAfter; // seconds, for 429 and 503
    this.network = network;
    this.fields = fields; // field name -> message, from problem+json `errors`
  }
}

let csrfToken = null;
/** The session's CSRF token, from sign-in or GET /api/me (staff-shell.js sets it). */
export function setCsrfToken(token) {
  csrfToken = token || null;
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * fetch() for staff pages. `json` is sent as the JSON body; `body` (a Blob, e.g. a photo) as
 * the raw body with its own type. Answers with the parsed JSON body (null for 204); throws
 * StaffError for any other answer or a network failure.
 */
export async function staffFetch(path, { method = 'GET', json, body, headers = {}, signal } = {}) {
  const init = { method, credentials: 'same-origin', signal,
    headers: { Accept: 'application/json', ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
    if (body.type) init.headers['Content-Type'] = body.type;
  }
  if (CHANGES.has(method.toUpperCase()) && csrfToken) {
    init.headers['X-CSRF-Token'] = csrfToken;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new StaffError('We could not reach the council\'s server. Check your connection and try again.',
      { network: true });
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    const seconds = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    const fields = {};
    for (const e of Array.isArray(problem?.errors) ? problem.errors : []) {
      if (e?.name) fields[e.name] = e.message ?? '';
    }
    throw new StaffError(problem?.detail || problem?.title || `The server answered ${response.status}.`,
      { status: response.status, retryAfter: Number.isFinite(seconds) ? seconds : null, fields });
  }
  if (response.status === 204 || response.status === 202) return null;
  return response.json();
}

/**
 * `value` when it is a path on this site ("/staff/...", not "//host", "/\host", a scheme or
 * control characters), else `fallback`. Used for ?return_to= after sign-in.
 */
export function safeReturnTo(value, fallback = '/staff/') {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') ||
      value.startsWith('/\\') || /[\u0000-\u001f\u007f\\]/.test(value)) {
    return fallback;
  }
  try {
    const url = new URL(value, window.location.origin);
    if (url.origin !== window.location.origin) return fallback;
    if (url.pathname === '/staff/sign-in.html' || url.pathname === '/staff/link.html') return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}

/** The sign-in page's address, coming back to `returnTo` afterwards. */
export function signInPath(returnTo, extra = {}) {
  const params = new URLSearchParams(extra);
  if (returnTo && returnTo !== '/staff/') params.set('return_to', returnTo);
  const query = params.toString();
  return `/staff/sign-in.html${query ? `?${query}` : ''}`;
}

/** "30 seconds", "2 minutes": how long to wait, in words. */
export function waitInWords(seconds) {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The wait as a sentence with the clock time, for 429 answers. */
export function retryMessage(what, seconds) {
  if (seconds === null || seconds === undefined) return `${what} Please wait a minute and try again.`;
  const at = new Date(Date.now() + seconds * 1000).toLocaleTimeString('en-GB',
    { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
  return `${what} Try again in ${waitInWords(seconds)} (after ${at}).`;
}

const ROLE_NAMES = { councillor: 'Councillor', officer: 'Officer', supervisor: 'Supervisor', admin: 'Administrator',
  funeral_director: 'Funeral director' };
const TEAM_NAMES = { streetscene: 'Streetscene', bereavement: 'Bereavement services', planning: 'Planning',
  customer_services: 'Customer services', housing: 'Housing' };

export const roleName = (role) => ROLE_NAMES[role] ?? String(role ?? '').replace(/_/g, ' ');
export const teamName = (team) => TEAM_NAMES[team] ?? String(team ?? '').replace(/_/g, ' ');

/** One role with its scope in words: "Councillor for Astley, Chorley East", "Officer, Streetscene". */
export function describeRole(grant, wardNames = {}) {
  const name = roleName(grant.role);
  if (grant.role === 'admin') return `${name} (every ward and team)`;
  if (grant.wards?.length) return `${name} for ${grant.wards.map((c) => wardNames[c] ?? c).join(', ')}`;
  if (grant.teams?.length) return `${name}, ${grant.teams.map(teamName).join(', ')}`;
  if (grant.firm) return `${name}, ${grant.firm}`;
  return name;
}
