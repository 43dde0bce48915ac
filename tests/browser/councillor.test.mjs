// A councillor's actions on the MyWard page against the real server and the demo borough: the
// demo councillor follows one of their ward's latest requests (it appears under "Requests you
// follow"), adds a note for staff (read back as staff would, through the notes route), and
// raises a request for a resident at a point picked on the map (Open311 shows it on the
// `councillor` channel). axe-core on the page with the new panels shown.
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
  const printed = execFileSync(binary, ['demo-data', '--print-accounts'], { encoding: 'utf8' });
  accounts = Object.fromEntries([...printed.matchAll(/^\s+(\S+@\S+)\s+password\s+(\S+)\s+\((\w+)/gm)]
    .map(([, email, password, role]) => [email.split('@')[0], { email, password, role }]));
  assert.ok(accounts.councillor, `demo accounts printed:\n${printed}`);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the councillor follows a request, notes it for staff and raises one for a resident', async () => {
  const page = await openPage(browser, server, '/staff/myward.html', { width: 1280, height: 900 });
  await page.waitForURL(/\/staff\/sign-in\.html/);
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#email', accounts.councillor.email);
  await page.fill('#password', accounts.councillor.password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server.url}/staff/myward.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });

  // Follow the newest request of the ward.
  const first = page.locator('#list li[data-id]').first();
  const id = await first.getAttribute('data-id');
  await first.getByRole('button', { name: `Follow #${id}` }).click();
  await first.getByText('Following: you will be emailed').waitFor();
  assert.match(await page.textContent('#following-list'), new RegExp(`#${id} `));
  assert.equal(await first.getByRole('button').first().textContent(), `Unfollow #${id}`);

  // A note for staff.
  const note = `Spoke to the resident on ${Date.now()}`;
  await first.getByText('Note for staff', { exact: true }).click();
  await first.getByLabel(`Note for staff on request #${id}`).fill(note);
  await first.getByRole('button', { name: 'Add note for staff' }).click();
  await first.getByText('Note added').waitFor();
  const notes = await (await page.request.get(`${server.url}/api/requests/${id}/councillor-notes`)).json();
  assert.equal(notes.notes.at(-1).text, note);
  const open311 = await (await page.request.get(`${server.url}/open311/v2/requests/${id}.json`)).text();
  assert.ok(!open311.includes(note), 'the note is never in Open311');

  // Raise a request: the map click fills the place; then a point of the ward's own requests.
  const ward = await page.inputValue('#ward');
  const doc = await (await page.request.get(`${server.url}/api/myward/${ward}`)).json();
  await page.click('#map', { position: { x: 200, y: 200 } });
  assert.notEqual(await page.inputValue('#raise-lat'), '', 'a map click fills the latitude');
  const [lon, lat] = doc.requests.points[0];
  await page.fill('#raise-lat', String(lat));
  await page.fill('#raise-long', String(lon));
  await page.selectOption('#raise-service', 'pothole');
  await page.fill('#raise-description', 'Pothole by the bus stop, reported at surgery');
  await page.fill('#raise-first_name', 'Robin');
  await page.click('#raise-form button[type="submit"]');
  await page.getByText(/Request #\d+ raised/).waitFor();
  const raised = (await page.textContent('#raise-result')).match(/Request #(\d+) raised/)[1];
  const shown = await (await page.request.get(`${server.url}/open311/v2/requests/${raised}.json?extensions=true`)).json();
  assert.equal(shown[0].service_code, 'pothole');
  assert.equal(shown[0].extended_attributes.channel, 'councillor');
  assert.ok(!JSON.stringify(shown).includes('Robin'), 'no resident in Open311');

  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'myward-councillor-1280x900');
  await page.close();
});
