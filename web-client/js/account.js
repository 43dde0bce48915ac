// My Account (docs/web-client.md): sign in by an emailed one-time link (the token arrives in
// the URL's fragment, is posted once and removed from the address bar), then the account's
// reports, follows, alerts and saved address from GET /api/account, and erasure. The session
// is an HttpOnly cookie; changes carry its CSRF token.
import { request, formatDate, statusLabel } from './api.js';
import { addressCombobox } from './combobox.js';

const $ = (id) => document.getElementById(id);
let csrf = '';

function show(id, visible) { $(id).hidden = !visible; }
function fail(error) {
  $('account-error').textContent = error.message || String(error);
  show('account-error', true);
}
function clearError() { show('account-error', false); }

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function requestItem(r, extra) {
  const li = el('li', undefined, 'account-item');
  const title = el('p', undefined, 'account-item-title');
  title.append(el('strong', r.service_name), ` – ${r.address ?? 'no address'}`);
  li.append(title);
  const status = el('p');
  status.append(el('span', statusLabel(r.status), `badge ${r.open ? 'open' : 'closed'}`));
  if (r.overdue) status.append(' ', el('span', 'Overdue', 'badge overdue'));
  li.append(status);
  li.append(el('p', `Reported ${formatDate(r.requested_datetime)}`, 'summary'));
  if (r.open && r.expected_datetime) {
    li.append(el('p', `Expected by ${formatDate(r.expected_datetime, false)}`, 'expected'));
  }
  if (extra) li.append(el('p', extra, 'summary'));
  li.append(el('p', `Reference ${r.service_request_id}`, 'summary'));
  return li;
}

function fill(listId, emptyId, items, render) {
  const list = $(listId);
  list.replaceChildren(...items.map(render));
  show(emptyId, items.length === 0);
}

function alertText(a) {
  const what = [a.reports && 'new reports', a.planning && 'planning applications'].filter(Boolean).join(' and ');
  const where = a.ward_code ? `in ward ${a.ward_code}` : `within ${Math.round(a.distance_m)} m of your place`;
  return `Emails about ${what} ${where}, since ${formatDate(a.since, false)}`;
}

function renderAddress(address) {
  const box = $('saved-address');
  box.replaceChildren();
  if (!address) {
    box.append(el('p', 'No address saved. Choose yours to see your bin and sweeping days here.', 'summary'));
    return;
  }
  box.append(el('p', address.address ?? `UPRN ${address.uprn}`, 'chosen'));
  if (address.ward) box.append(el('p', `${address.ward.name} ward`, 'summary'));
  const days = address.bin_and_sweeping_days;
  if (days?.in_use) {
    const ul = el('ul', undefined, 'bin-days');
    ul.id = 'bin-days';
    for (const a of days.activities) {
      ul.append(el('li', `${a.name}: ${a.next ? formatDate(a.next, false) : 'none in the next weeks'}`));
    }
    box.append(ul);
  } else if (days) {
    box.append(el('p', `Bin and sweeping days: ${days.message ?? 'not in use here'}`, 'summary'));
  }
  const link = el('a', 'Everything about my area');
  link.href = `/area.html?uprn=${encodeURIComponent(address.uprn)}`;
  link.id = 'area-link';
  const para = el('p');
  para.append(link);
  box.append(para);
}

async function load() {
  let doc;
  try {
    doc = await request('/api/account');
  } catch (error) {
    if (error.status === 401) {
      show('signed-in', false);
      show('sign-in', true);
      return;
    }
    throw error;
  }
  csrf = doc.csrf_token;
  $('who').textContent = doc.email;
  fill('reports', 'reports-empty', doc.reports, (r) => requestItem(r));
  fill('following', 'following-empty', doc.following,
    (r) => requestItem(r, `Following since ${formatDate(r.following_since, false)}`));
  fill('alerts', 'alerts-empty', doc.alerts, (a) => el('li', alertText(a), 'account-item'));
  renderAddress(doc.address);
  show('sign-in', false);
  show('signed-in', true);
}

async function redeem(token) {
  // The token leaves the address bar at once: it works once and is not for bookmarks.
  history.replaceState(null, '', location.pathname);
  $('account-status').textContent = 'Signing you in…';
  try {
    const done = await request('/api/account/sign-in/redeem', { method: 'POST', json: { token } });
    csrf = done.csrf_token;
    $('account-status').textContent = done.created ? 'Welcome: your account is ready.' : 'You are signed in.';
  } catch (error) {
    $('account-status').textContent = '';
    fail(error.status === 401
      ? new Error('This sign-in link has expired or has been used already. Ask for a new one below.')
      : error);
  }
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearError();
  const email = $('email').value.trim();
  if (!email.includes('@')) {
    fail(new Error('Enter your email address, like name@example.com.'));
    $('email').focus();
    return;
  }
  try {
    const answer = await request('/api/account/sign-in', { method: 'POST', json: { email } });
    $('sign-in-form').hidden = true;
    $('check-email-text').textContent = `We have emailed a link to ${email}. ${answer.detail.replace(/^.*?\. /, '')}`;
    show('check-email', true);
    $('check-email-heading').focus();
  } catch (error) { fail(error); }
});

$('sign-out').addEventListener('click', async () => {
  try {
    await request('/api/account/sign-out', { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
  } catch (error) { fail(error); return; }
  show('signed-in', false);
  show('sign-in', true);
  $('account-status').textContent = 'You have signed out.';
});

addressCombobox({
  input: $('address'), listbox: $('address-options'), status: $('address-status'),
  onChoose: async (feature) => {
    clearError();
    try {
      await request('/api/account/address', { method: 'PUT', json: { uprn: feature.id },
        headers: { 'X-CSRF-Token': csrf } });
      $('account-status').textContent = 'Your address is saved.';
      $('address').value = '';
      await load();
    } catch (error) { fail(error); }
  },
});
$('address-form').addEventListener('submit', (event) => event.preventDefault());

$('delete').addEventListener('click', () => {
  show('delete-confirm', true);
  $('delete-yes').focus();
});
$('delete-no').addEventListener('click', () => { show('delete-confirm', false); $('delete').focus(); });
$('delete-yes').addEventListener('click', async () => {
  clearError();
  try {
    await request('/api/account', { method: 'DELETE', headers: { 'X-CSRF-Token': csrf } });
  } catch (error) { fail(error); return; }
  show('signed-in', false);
  show('delete-confirm', false);
  show('sign-in', true);
  $('account-status').textContent = 'Your account and your personal details have been deleted.';
});

async function start() {
  try {
    const token = location.hash.slice(1);
    if (token) await redeem(token);
    await load();
  } catch (error) { fail(error); }
}
// A link pasted into this page's own tab changes only the fragment: no new page load.
window.addEventListener('hashchange', () => { if (location.hash.length > 1) start(); });
start();
