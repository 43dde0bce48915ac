// The housing team's empty-property page against the real server and the demo borough's
// register: the demo housing officer signs in by typing, sees the due and overdue inspections
// on the basemap and as a list (overdue first, the count matching /api/housing/due), opens a
// property, reads the owner's details (one audited read) and records an inspection with a
// photo, after which that property's next inspection moves on by its risk cadence. A
// streetscene officer is refused. axe-core on the page; phone and desktop screenshots.
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
  assert.ok(accounts.housing && accounts.streetscene, `demo accounts printed:\n${printed}`);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page, { email, password }) {
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.keyboard.press('Enter');
}

// A small PNG drawn by the browser itself (no image files in the repository).
async function picture(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 800;
    canvas.height = 600;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#8a6d4b';
    ctx.fillRect(0, 0, 800, 600);
    ctx.fillStyle = '#333';
    ctx.fillRect(300, 250, 200, 350);
    return canvas.toDataURL('image/png');
  });
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

function londonToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
}

test('the housing officer sees what is due, reads an owner and records an inspection', async () => {
  const page = await openPage(browser, server, '/staff/housing.html', { width: 1280, height: 900 });
  await page.waitForURL(/\/staff\/sign-in\.html/);
  await signIn(page, accounts.housing);
  await page.waitForURL(`${server.url}/staff/housing.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  assert.equal(await page.textContent('#staff-name'), 'Harper Housing');

  // The list is the register's due-in-4-weeks and overdue entries, overdue first.
  const today = londonToday();
  const due = await (await page.request.get(`${server.url}/api/housing/due?date=${today}`)).json();
  assert.ok(due.overdue > 0, 'the demo register has overdue inspections');
  const items = await page.$$eval('#list li.housing-item', (lis) => lis.map((li) => li.className));
  assert.ok(items.length >= due.count, `${items.length} listed, ${due.count} due today`);
  assert.match(items[0], /housing-overdue/);
  assert.match(await page.textContent('#summary'), new RegExp(`${due.overdue} overdue`));
  const markers = await page.evaluate(() => document.querySelectorAll('#map path.leaflet-interactive').length);
  assert.equal(markers, items.length, 'one marker a listed property');
  // The basemap is the council's own vector tiles.
  await page.waitForFunction(() => document.querySelectorAll('#map canvas.leaflet-tile-loaded').length > 0);
  await screenshot(page, 'housing-1280x900');

  // Overdue only: exactly the overdue count.
  await page.selectOption('#filter-view', 'overdue');
  await page.waitForFunction((n) => document.querySelectorAll('#list li.housing-item').length === n, due.overdue);
  await page.selectOption('#filter-view', 'due');
  await page.waitForFunction((n) => document.querySelectorAll('#list li.housing-item').length === n, items.length);

  // Open the first (most overdue) property.
  const id = await page.getAttribute('#list li.housing-item >> nth=0', 'data-id');
  await page.click('#list li.housing-item >> nth=0 >> button');
  await page.waitForSelector(`body[data-panel="${id}"]`);
  assert.match(await page.textContent('#panel-facts'), /Overdue since/);
  const before = await (await page.request.get(`${server.url}/api/housing/properties/${id}`)).json();
  assert.equal(before.overdue, true);

  // Owner details only on request; the read is audited (admins see it in /api/audit).
  if (before.owner_details_held) {
    await page.click('#owner-show');
    await page.waitForSelector('#owner-details:not([hidden])');
    assert.match(await page.textContent('#owner-details'), /@example\.com/);
  }

  // Record today's inspection with a photo.
  await page.selectOption('#condition', 'poor');
  await page.selectOption('#security', 'insecure');
  await page.selectOption('#action', 'contact_owner');
  await page.fill('#notes', 'Rear door forced; boarded by the council.');
  await page.setInputFiles('#photos', { name: 'house.png', mimeType: 'image/png', buffer: await picture(page) });
  await page.click('#inspection-save');
  await page.waitForSelector('#inspection-done:not(:empty)');
  const after = await (await page.request.get(`${server.url}/api/housing/properties/${id}`)).json();
  assert.equal(after.last_inspected_on, today);
  assert.equal(after.overdue, false);
  const months = { high: 3, medium: 6, low: 12 }[after.risk];
  const expected = new Date(`${today}T12:00:00Z`);
  const day = expected.getUTCDate();
  expected.setUTCDate(1);
  expected.setUTCMonth(expected.getUTCMonth() + months);
  const last = new Date(Date.UTC(expected.getUTCFullYear(), expected.getUTCMonth() + 1, 0)).getUTCDate();
  expected.setUTCDate(Math.min(day, last));
  assert.equal(after.next_inspection_due, expected.toISOString().slice(0, 10));
  assert.equal(after.inspections[0].inspector, 'Harper Housing');
  assert.equal(after.inspections[0].photos.length, 1);
  assert.equal(await page.locator('#panel-inspections img.housing-photo').count() >= 1, true);
  await page.waitForFunction(() => [...document.querySelectorAll('#panel-inspections img')].every((i) => i.complete && i.naturalWidth > 0));
  await screenshot(page, 'housing-panel-1280x900');
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.jsErrors, []);

  // On a phone: the same page in one column.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.waitForFunction(() => document.querySelectorAll('#map canvas.leaflet-tile-loaded').length > 0);
  await screenshot(page, 'housing-360x740');
  assert.deepEqual(await seriousViolations(page), []);
  await page.context().close();
});

test('another team is refused the register', async () => {
  const page = await openPage(browser, server, '/staff/sign-in.html?return_to=%2Fstaff%2Fhousing.html');
  await signIn(page, accounts.streetscene);
  await page.waitForURL(`${server.url}/staff/housing.html`);
  await page.waitForSelector('#load-error:not(:empty)', { timeout: 30000 });
  assert.match(await page.textContent('#load-error'), /housing_read/);
  assert.equal((await page.request.get(`${server.url}/api/housing/due`)).status(), 403);
  await page.context().close();
});
