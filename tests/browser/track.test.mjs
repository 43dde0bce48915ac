// The reporter's tracking page: status, target date and history of a real report, an update
// added through the page, following by email, reopening a closed report, and a bad link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, screenshot } from './support.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function createReport(fields) {
  const form = new URLSearchParams({ api_key: 'demo-web-key', lat: '53.650829', long: '-2.6292194', ...fields });
  const response = await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', body: form });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json())[0];
}

test('tracking page: status, expected date, history; an update and a follower added', async () => {
  const created = await createReport({ service_code: 'litter', description: 'Crisp packets everywhere' });
  const page = await openPage(browser, server, `/track.html#${created.tracking_token}`, { width: 360, height: 740 });
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(await page.textContent('#title'), new RegExp(`Litter: report ${created.service_request_id}`));
  assert.equal(await page.textContent('#status'), 'Open');
  const expected = await page.textContent('#expected');
  assert.match(expected, /\d{4}/, `a target date is shown, not "${expected}"`);
  assert.equal(await page.textContent('#description'), 'Crisp packets everywhere');
  assert.match(await page.textContent('#history'), /You reported it/);

  // An empty update is refused by the page, next to the field.
  await page.click('#update-submit');
  assert.match(await page.textContent('#update-text-error'), /Write what has changed/);

  await page.fill('#update-text', 'Now blowing into the road');
  await page.click('#update-submit');
  await page.waitForSelector('#update-done:has-text("update has been added")');
  assert.match(await page.textContent('#history'), /Now blowing into the road/);

  // The server holds the note too.
  const tracked = await (await fetch(`${server.url}/api/track/${created.tracking_token}`)).json();
  assert.ok(tracked.history.some((h) => h.note === 'Now blowing into the road' && h.by === 'reporter'));

  await page.fill('#follow-email', 'not-an-email');
  await page.click('#follow-form button[type=submit]');
  await page.waitForSelector('#follow-email-error:not(:empty)');
  await page.fill('#follow-email', 'neighbour@example.org');
  await page.click('#follow-form button[type=submit]');
  await page.waitForSelector('#follow-done:has-text("neighbour@example.org")');
  assert.equal(await page.textContent('#follow-email-error'), '');
  await screenshot(page, 'track-360x740');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('tracking page: a closed report can be reopened by its reporter', async () => {
  const created = await createReport({ service_code: 'litter', description: 'Bottles' });
  const staff = new URLSearchParams({ api_key: 'demo-staff-key', service_request_id: created.service_request_id,
    update_id: `browser-${created.service_request_id}`, status: 'FIXED',
    updated_datetime: new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z'), description: 'Cleared' });
  const closed = await fetch(`${server.url}/open311/v2/servicerequestupdates.json`, { method: 'POST', body: staff });
  assert.equal(closed.status, 200, await closed.clone().text());

  const page = await openPage(browser, server, `/track.html?token=${created.tracking_token}`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#status'), 'Fixed');
  assert.match(await page.textContent('#history'), /The council changed the status from Open to Fixed/);
  await page.check('#reopen');
  await page.fill('#update-text', 'They are back');
  await page.click('#update-submit');
  await page.waitForSelector('#update-done:has-text("open again")');
  assert.equal(await page.textContent('#status'), 'Reopened');
  await page.context().close();
});

test('tracking page: an unknown link says so in plain words', async () => {
  const page = await openPage(browser, server, '/track.html#no-such-token');
  await page.waitForSelector('#load-error:not([hidden])');
  assert.match(await page.textContent('#load-error'), /could not find a report for this link/);
  await page.context().close();
});
