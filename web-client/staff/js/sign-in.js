// The staff sign-in page: email and password (POST /api/session), the council account (OIDC,
// a link to /auth/oidc/start) and an emailed one-time link (POST /api/session/link), the last
// two shown only when GET /api/session/methods says the server offers them. The OIDC
// callback's refusals arrive as ?error=oidc_* and are said in plain words. Afterwards the
// browser goes to ?return_to= (a path on this site) or /staff/.
import { StaffError, retryMessage, safeReturnTo, staffFetch } from './staff-api.js';

const params = new URLSearchParams(window.location.search);
const returnTo = safeReturnTo(params.get('return_to'));
const formError = document.getElementById('form-error');
const notice = document.getElementById('notice');
const form = document.getElementById('sign-in');
const email = document.getElementById('email');
const password = document.getElementById('password');
const submit = document.getElementById('submit');

// docs/sign-in.md, "Refusals": what each code means for the person in front of the screen.
const OIDC_ERRORS = {
  oidc_state: 'Signing in with your council account took too long, or was started in another browser or tab. Please start again.',
  oidc_provider: 'The council\'s sign-in service could not be reached or did not answer properly. Please try again; if it keeps happening, tell IT.',
  oidc_token: 'We could not confirm your council account\'s sign-in, so you are not signed in. Please tell IT.',
  oidc_account: 'Your council account worked, but it has no wardmap account. Ask an administrator to add you.',
};
const GENERIC_FAILURE = 'The email address or password is not right. Check them and try again.';

function showError(message) {
  formError.textContent = message;
  formError.hidden = false;
  formError.focus();
}

function clearErrors() {
  formError.hidden = true;
  formError.textContent = '';
  for (const input of [email, password]) {
    input.removeAttribute('aria-invalid');
    document.getElementById(`${input.id}-error`).textContent = '';
  }
}

function fieldError(input, message) {
  input.setAttribute('aria-invalid', 'true');
  document.getElementById(`${input.id}-error`).textContent = message;
}

function explain(error, what) {
  if (error instanceof StaffError && error.status === 429) {
    return retryMessage(`Too many ${what} attempts.`, error.retryAfter);
  }
  if (error instanceof StaffError && (error.network || error.status >= 500)) {
    return error.network ? error.message : 'The council\'s server had a problem. Please try again in a minute.';
  }
  return null;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors();
  notice.textContent = '';
  const address = email.value.trim();
  if (!address) fieldError(email, 'Enter your email address.');
  else if (!/^[^\s@]+@[^\s@]+$/.test(address)) fieldError(email, 'Enter an email address like name@chorley.gov.uk.');
  if (!password.value) fieldError(password, 'Enter your password.');
  const invalid = form.querySelector('[aria-invalid="true"]');
  if (invalid) {
    invalid.focus();
    return;
  }
  submit.disabled = true;
  submit.textContent = 'Signing in…';
  try {
    await staffFetch('/api/session', { method: 'POST', json: { email: address, password: password.value } });
    window.location.assign(returnTo);
    return;
  } catch (error) {
    password.value = '';
    showError(explain(error, 'sign-in') ?? GENERIC_FAILURE);
  } finally {
    submit.disabled = false;
    submit.textContent = 'Sign in';
  }
});

document.getElementById('show-password').addEventListener('change', (event) => {
  password.type = event.target.checked ? 'text' : 'password';
});

const linkForm = document.getElementById('link-form');
const linkEmail = document.getElementById('link-email');
const linkDone = document.getElementById('link-done');
linkForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const errorSlot = document.getElementById('link-email-error');
  errorSlot.textContent = '';
  linkEmail.removeAttribute('aria-invalid');
  linkDone.textContent = '';
  const address = linkEmail.value.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) {
    linkEmail.setAttribute('aria-invalid', 'true');
    errorSlot.textContent = address ? 'Enter an email address like name@chorley.gov.uk.' : 'Enter your email address.';
    linkEmail.focus();
    return;
  }
  const button = document.getElementById('link-submit');
  button.disabled = true;
  try {
    await staffFetch('/api/session/link', { method: 'POST', json: { email: address } });
    // The server answers the same whether or not the address has an account.
    linkDone.textContent = `If ${address} has a wardmap account, a sign-in link is on its way to it. ` +
      'The link works once and only for a short time.';
  } catch (error) {
    linkEmail.setAttribute('aria-invalid', 'true');
    errorSlot.textContent = explain(error, 'link') ?? `We could not send a link: ${error.message}`;
  } finally {
    button.disabled = false;
  }
});

async function showMethods() {
  try {
    const methods = await staffFetch('/api/session/methods');
    if (methods.oidc) {
      document.getElementById('oidc-start').href =
        `/auth/oidc/start?${new URLSearchParams({ return_to: returnTo })}`;
      document.getElementById('oidc').hidden = false;
    }
    document.getElementById('link').hidden = !methods.link;
  } catch {
    // Without the answer the password form still works.
  }
}

const oidcError = params.get('error');
if (oidcError) {
  showError(OIDC_ERRORS[oidcError] ?? 'Signing in did not work. Please try again.');
} else if (params.get('signed_out') === '1') {
  notice.textContent = 'You have signed out.';
} else if (params.has('return_to')) {
  notice.textContent = 'Sign in to see that page.';
}

showMethods().finally(() => {
  document.body.dataset.ready = 'true';
});
