// The emailed one-time sign-in link lands here as /staff/link.html#TOKEN (a fragment never
// reaches a server log or a Referer). The token leaves the address bar at once, is redeemed
// with POST /api/session/link/redeem, and a good one signs the person in and goes to /staff/.
import { StaffError, retryMessage, staffFetch } from './staff-api.js';

const token = decodeURIComponent(window.location.hash.slice(1)).trim();
// Out of the address bar and the history, whatever happens next.
window.history.replaceState(null, '', window.location.pathname);

function fail(message) {
  document.getElementById('title').textContent = 'That sign-in link did not work';
  document.getElementById('progress').textContent = '';
  const box = document.getElementById('form-error');
  box.textContent = message;
  box.hidden = false;
  document.getElementById('again').hidden = false;
  box.focus();
  document.body.dataset.ready = 'true';
}

async function redeem() {
  if (!token) {
    fail('This page needs the whole link from your email. Open the link from the email again, or copy all of it into the address bar.');
    return;
  }
  try {
    await staffFetch('/api/session/link/redeem', { method: 'POST', json: { token } });
    document.getElementById('progress').textContent = 'Signed in. Taking you to the staff pages…';
    window.location.replace('/staff/');
  } catch (error) {
    if (error instanceof StaffError && error.status === 429) {
      fail(retryMessage('Too many sign-in attempts.', error.retryAfter));
    } else if (error instanceof StaffError && error.network) {
      fail(error.message);
    } else if (error instanceof StaffError && error.status >= 500) {
      fail('The council\'s server had a problem. Please open the link again in a minute.');
    } else {
      fail('This sign-in link has expired or has been used already. Each link works once and only for a short time.');
    }
  }
}

redeem();
