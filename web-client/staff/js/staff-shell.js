// The header every staff page shares (MyWard, streetscene and bereavement pages plug in here):
// who is signed in, their roles and scope, and a sign-out button. startStaffPage() asks
// GET /api/me; without a session (401) it sends the browser to the sign-in page, which comes
// back here afterwards. Residents' pages never load this module.
import { StaffError, describeRole, setCsrfToken, signInPath, staffFetch } from './staff-api.js';

export { staffFetch } from './staff-api.js';

function here() {
  return window.location.pathname + window.location.search + window.location.hash;
}

/** Ward code -> name from the public ward list (names are nicer than GSS codes). */
async function wardNames(person) {
  const codes = person.roles.flatMap((r) => r.wards ?? []);
  if (!codes.length) return {};
  try {
    const wards = await staffFetch('/api/wards');
    return Object.fromEntries(wards.features.map((f) => [f.properties.code, f.properties.name]));
  } catch {
    return {};
  }
}

function renderHeader(slot, person, names) {
  const bar = document.createElement('div');
  bar.className = 'staff-bar';
  const who = document.createElement('p');
  who.className = 'staff-who';
  const label = document.createElement('span');
  label.className = 'visually-hidden';
  label.textContent = 'Signed in as ';
  const name = document.createElement('strong');
  name.id = 'staff-name';
  name.textContent = person.name;
  who.append(label, name);
  const roles = document.createElement('ul');
  roles.id = 'staff-roles';
  roles.className = 'staff-roles';
  roles.setAttribute('aria-label', 'Your roles');
  for (const grant of person.roles) {
    const item = document.createElement('li');
    item.textContent = describeRole(grant, names);
    roles.append(item);
  }
  const signOut = document.createElement('button');
  signOut.type = 'button';
  signOut.id = 'sign-out';
  signOut.className = 'sign-out';
  signOut.textContent = 'Sign out';
  const problem = document.createElement('p');
  problem.id = 'sign-out-error';
  problem.className = 'staff-bar-error';
  problem.setAttribute('role', 'alert');
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    problem.textContent = '';
    try {
      await staffFetch('/api/session', { method: 'DELETE' });
    } catch (error) {
      // Already signed out (401) is what was wanted; anything else is said and can be retried.
      if (!(error instanceof StaffError && error.status === 401)) {
        problem.textContent = `Signing out did not work: ${error.message}`;
        signOut.disabled = false;
        return;
      }
    }
    setCsrfToken(null);
    window.location.replace(signInPath(null, { signed_out: '1' }));
  });
  const details = document.createElement('div');
  details.className = 'staff-details';
  details.append(who, roles);
  bar.append(details, signOut, problem);
  slot.replaceChildren(bar);
}

/**
 * Starts a staff page: the header in `#staff-header` (an element the page provides inside its
 * <header>), then resolves with {person, csrfToken, wardNames}. Sends the browser to the
 * sign-in page (and never resolves) when nobody is signed in.
 * `offlinePerson`: for pages that work offline (the crew page), an async function giving the
 * person last seen on this device; when the server cannot be reached the header is drawn for
 * them and the page resolves with {person, csrfToken: null, wardNames: {}, offline: true}.
 */
export async function startStaffPage({ slot = document.getElementById('staff-header'), offlinePerson = null } = {}) {
  let me;
  try {
    me = await staffFetch('/api/me');
  } catch (error) {
    if (error instanceof StaffError && error.status === 401) {
      window.location.replace(signInPath(here()));
      return new Promise(() => {});
    }
    if (error instanceof StaffError && error.network && offlinePerson) {
      const person = await offlinePerson().catch(() => null);
      if (person) {
        renderHeader(slot, person, {});
        return { person, csrfToken: null, wardNames: {}, offline: true };
      }
    }
    slot.textContent = `We could not check who you are: ${error.message}`;
    slot.setAttribute('role', 'alert');
    throw error;
  }
  setCsrfToken(me.csrf_token);
  const names = await wardNames(me.person);
  renderHeader(slot, me.person, names);
  return { person: me.person, csrfToken: me.csrf_token, wardNames: names };
}

/**
 * Asks GET /api/me again (a page started offline, back online): sets the CSRF token for
 * staffFetch and resolves with the person, or null when the session has ended (401).
 */
export async function refreshSession() {
  try {
    const me = await staffFetch('/api/me');
    setCsrfToken(me.csrf_token);
    return me.person;
  } catch (error) {
    if (error instanceof StaffError && error.status === 401) return null;
    throw error;
  }
}

/** The sign-in page's address that comes back to this page. */
export function signInHere() {
  return signInPath(here());
}
