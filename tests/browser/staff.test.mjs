// The staff web shell against the real server and the demo borough's accounts: signing in by
// typing into the form, the shared header (name, role and scope), a reload keeping the
// session, signing out (DELETE /api/session with the CSRF token) and /api/me answering 401
// afterwards; the generic message for a wrong password, the 429 message saying when to retry;
// return_to; the OIDC refusal codes in plain words; the emailed link's page; residents' pages
// staying account-free; axe-core and phone-sized screenshots of every staff page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, launchBrowser, openPage, seriousViolations, screenshot, binary } from './support.mjs';

let server;
let browser;
let accounts;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // The demo accounts as scripts/demo prints them: "  EMAIL  password PASSWORD  (ROLE...)".
  const printed = execFileSync(binary, ['demo-data', '--print-accounts'], { encoding: 'utf8' });
  accounts = Object.fromEntries([...printed.matchAll(/^\s+(\S+@\S+)\s+password\s+(\S+)\s+\((\w+)/gm)]
    .map(([, email, password, role]) => [email.split('@')[0], { email, password, role }]));
  assert.ok(accounts.councillor && accounts.streetscene, `demo accounts printed:\n${printed}`);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const GENERIC = 'The email address or password is not right. Check them and try again.';

async function signIn(page, { email, password }) {
  await page.waitForSelector('body[data-ready="true"]');
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

async function currentWards() {
  const wards = await (await fetch(`${server.url}/api/wards`)).json();
  return wards.features.map((f) => f.properties).sort((a, b) => a.code.localeCompare(b.code));
}

test('sign in by typing, see the header, reload keeps the session, sign out ends it', async () => {
  const page = await openPage(browser, server, '/staff/sign-in.html', { width: 360, height: 740 });
  const csrfHeaders = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/session') && r.method() === 'DELETE') csrfHeaders.push(r.headers()['x-csrf-token']);
  });
  await signIn(page, accounts.councillor);
  await page.waitForURL(`${server.url}/staff/`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#staff-name'), 'Cllr Alex Demo');
  // The demo councillor holds the first two current wards by code; the header names them.
  const [first, second] = await currentWards();
  assert.equal(await page.textContent('#staff-roles'), `Councillor for ${first.name}, ${second.name}`);
  assert.equal(await page.getAttribute(`#tile-myward a >> nth=0`, 'href'), '/staff/myward.html');
  assert.equal(await page.getAttribute(`#tile-myward a >> nth=1`, 'href'), `/ward.html?code=${first.code}`);
  assert.equal(await page.$('#tile-streetscene'), null, 'a councillor has no streetscene tile');
  // The session cookie is HttpOnly: the page's script cannot read it.
  assert.doesNotMatch(await page.evaluate(() => document.cookie), /wardmap_session/);
  await screenshot(page, 'staff-home-360x740');

  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(page.url(), `${server.url}/staff/`);
  assert.equal(await page.textContent('#staff-name'), 'Cllr Alex Demo');
  assert.equal((await page.request.get(`${server.url}/api/me`)).status(), 200);

  // Sign out by keyboard: the button is in the tab order.
  await page.focus('body');
  for (let i = 0; i < 12 && await page.evaluate(() => document.activeElement?.id) !== 'sign-out'; i++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sign-out');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server.url}/staff/sign-in.html?signed_out=1`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#notice'), 'You have signed out.');
  assert.equal(csrfHeaders.length, 1);
  assert.match(csrfHeaders[0] ?? '', /\S{16,}/, 'sign-out sent the session\'s X-CSRF-Token');
  assert.equal((await page.request.get(`${server.url}/api/me`)).status(), 401);

  // Back to the staff home without a session: straight to sign-in.
  await page.goto(`${server.url}/staff/`);
  await page.waitForURL(/\/staff\/sign-in\.html/);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('a streetscene officer sees their team, and a page asked for before sign-in is where they land', async () => {
  const page = await openPage(browser, server, '/staff/index.html?from=test', { width: 1280, height: 800 });
  await page.waitForURL(`${server.url}/staff/sign-in.html?return_to=%2Fstaff%2Findex.html%3Ffrom%3Dtest`);
  assert.equal(await page.textContent('#notice'), 'Sign in to see that page.');
  await signIn(page, accounts.streetscene);
  await page.waitForURL(`${server.url}/staff/index.html?from=test`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#staff-name'), 'Sam Streetscene');
  assert.equal(await page.textContent('#staff-roles'), 'Officer, Streetscene');
  assert.doesNotMatch(await page.textContent('#tile-streetscene'), /Coming/);
  assert.equal(await page.getAttribute('#tile-streetscene a >> nth=0', 'href'), '/staff/crew.html');
  assert.equal(await page.locator('#tile-streetscene a[href="/staff/supervisor.html"]').count(), 0, 'an officer is no supervisor');
  assert.equal(await page.$('#tile-myward'), null);
  await screenshot(page, 'staff-home-1280x800');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('return_to only leads to a path on this site', async () => {
  const page = await openPage(browser, server, `/staff/sign-in.html?return_to=${encodeURIComponent('//example.org/x')}`);
  await signIn(page, accounts.streetscene);
  await page.waitForURL(`${server.url}/staff/`);
  await page.context().close();
});

test('a wrong password and an unknown email get the same generic message; empty fields are named', async () => {
  const page = await openPage(browser, server, '/staff/sign-in.html', { width: 360, height: 740 });
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('#submit');
  assert.equal(await page.textContent('#email-error'), 'Enter your email address.');
  assert.equal(await page.textContent('#password-error'), 'Enter your password.');
  assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email');

  await signIn(page, { email: accounts.admin.email, password: 'Not-the-password-1' });
  await page.waitForSelector('#form-error:not([hidden])');
  assert.equal(await page.textContent('#form-error'), GENERIC);
  assert.equal(await page.getAttribute('#form-error', 'role'), 'alert');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'form-error');
  assert.equal(await page.inputValue('#password'), '', 'the wrong password is cleared');
  await screenshot(page, 'staff-sign-in-wrong-password-360x740');

  await page.fill('#email', '');
  await signIn(page, { email: 'nobody@demo.wardmap.test', password: 'Not-the-password-1' });
  await page.waitForFunction(() => document.activeElement.id === 'form-error');
  assert.equal(await page.textContent('#form-error'), GENERIC);
  assert.equal(page.url(), `${server.url}/staff/sign-in.html`);
  assert.equal((await page.request.get(`${server.url}/api/me`)).status(), 401);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('the OIDC button and the link form appear only when the server offers them; OIDC refusals in words', async () => {
  const methods = await (await fetch(`${server.url}/api/session/methods`)).json();
  assert.deepEqual(Object.keys(methods).sort(), ['link', 'oidc', 'password']);
  assert.equal(methods.password, true);
  const page = await openPage(browser, server, '/staff/sign-in.html?error=oidc_account');
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.isVisible('#oidc-start'), methods.oidc);
  assert.equal(await page.isVisible('#link-form'), methods.link);
  if (methods.oidc) {
    assert.equal(await page.getAttribute('#oidc-start', 'href'), '/auth/oidc/start?return_to=%2Fstaff%2F');
  }
  assert.match(await page.textContent('#form-error'), /no wardmap account\. Ask an administrator/);
  const words = {
    oidc_state: /took too long, or was started in another browser/,
    oidc_provider: /could not be reached or did not answer properly/,
    oidc_token: /could not confirm your council account's sign-in/,
    nonsense: /^Signing in did not work\. Please try again\.$/,
  };
  for (const [code, pattern] of Object.entries(words)) {
    await page.goto(`${server.url}/staff/sign-in.html?error=${code}`);
    await page.waitForSelector('#form-error:not([hidden])');
    assert.match(await page.textContent('#form-error'), pattern, code);
  }
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('the emailed link page: no token, and a token that does not work', async () => {
  let page = await openPage(browser, server, '/staff/link.html', { width: 360, height: 740 });
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(await page.textContent('#form-error'), /needs the whole link from your email/);

  // A new page: going to the same address with only a new fragment would not load it again.
  const first = page;
  page = await first.context().newPage();
  page.jsErrors = [];
  page.on('pageerror', (e) => page.jsErrors.push(e.message));
  const redeems = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/session/link/redeem')) redeems.push(r.postDataJSON()); });
  await page.goto(`${server.url}/staff/link.html#not-a-real-token`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.deepEqual(redeems, [{ token: 'not-a-real-token' }]);
  assert.match(await page.textContent('#form-error'), /expired or has been used already/);
  assert.equal(page.url(), `${server.url}/staff/link.html`, 'the token left the address bar');
  assert.equal(await page.getAttribute('#again a', 'href'), '/staff/sign-in.html');
  assert.equal((await page.request.get(`${server.url}/api/me`)).status(), 401);
  await screenshot(page, 'staff-link-360x740');
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], violations.join('\n'));
  assert.deepEqual([...first.jsErrors, ...page.jsErrors], []);
  await page.context().close();
});

for (const [width, height] of [[360, 740], [1280, 800]]) {
  test(`sign-in and staff home at ${width}x${height}: no serious or critical axe violations`, async () => {
    const page = await openPage(browser, server, '/staff/sign-in.html', { width, height });
    await page.waitForSelector('body[data-ready="true"]');
    await screenshot(page, `staff-sign-in-${width}x${height}`);
    let violations = await seriousViolations(page);
    assert.deepEqual(violations, [], violations.join('\n'));
    await signIn(page, accounts.councillor);
    await page.waitForURL(`${server.url}/staff/`);
    await page.waitForSelector('body[data-ready="true"]');
    violations = await seriousViolations(page);
    assert.deepEqual(violations, [], violations.join('\n'));
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });
}

test('residents\' pages stay account-free, even in a signed-in browser', async () => {
  const page = await openPage(browser, server, '/staff/sign-in.html');
  await signIn(page, accounts.bereavement);
  await page.waitForURL(`${server.url}/staff/`);
  // The staff home's own /api/me must be over before we start counting.
  await page.waitForLoadState('networkidle');
  const calls = [];
  page.on('request', (r) => {
    const { pathname } = new URL(r.url());
    if (pathname.startsWith('/api/me') || pathname.startsWith('/api/session') || pathname.startsWith('/staff/')) {
      calls.push(pathname);
    }
  });
  for (const path of ['/', '/reports.html', '/ward.html?code=E05013066', '/status.html']) {
    await page.goto(`${server.url}${path}`);
    await page.waitForLoadState('networkidle');
    assert.equal(await page.$('#staff-header, #sign-out'), null, `${path} has no staff header`);
    assert.doesNotMatch(await page.textContent('header'), /Bea Bereavement|Sign out/, path);
  }
  assert.deepEqual(calls, []);
  await page.context().close();
});

// Sign-in is throttled per account (5 a minute) and per client address (20), and every test
// comes from 127.0.0.1: the tests above share the accounts out and stay under both.
// Last: it uses up the sign-in allowance of one account.
test('too many attempts: the message says when to try again', async () => {
  const email = 'throttled@demo.wardmap.test';
  // The page first, then the attempts, then the typed one at once: a slow page load must not
  // give the bucket time to refill (5 a minute).
  const page = await openPage(browser, server, '/staff/sign-in.html', { width: 360, height: 740 });
  let last;
  for (let i = 0; i < 10 && last?.status !== 429; i++) {
    last = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: 'Not-the-password-1' }) });
  }
  assert.equal(last.status, 429);
  const wait = Number(last.headers.get('Retry-After'));
  assert.ok(wait > 0, `Retry-After ${last.headers.get('Retry-After')}`);
  // Typing is slow on a loaded machine and the bucket refills one attempt in 12 s: keep
  // submitting through the form, as a person would, until the server says wait.
  let text = '';
  for (let i = 0; i < 6 && !/^Too many/.test(text); i++) {
    await signIn(page, { email, password: 'Not-the-password-1' });
    await page.waitForSelector('#form-error:not([hidden])');
    text = await page.textContent('#form-error');
  }
  assert.match(text, /^Too many sign-in attempts\. Try again in \d+ (second|minute)s? \(after \d\d:\d\d\)\.$/);
  assert.doesNotMatch(text, /not right/);
  await screenshot(page, 'staff-sign-in-throttled-360x740');
  await page.context().close();
});
