// Bookings of burials against the real server and the demo borough: the demo funeral director
// signs in, books a new grave at a free time a week ahead and uploads the green form; the demo
// bereavement officer confirms it, picking an available grave; the booking shows confirmed to
// the funeral director and its time is no longer offered. axe-core; phone and desktop shots.
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
  assert.ok(accounts['funeral.director'] && accounts.bereavement, `demo accounts printed:\n${printed}`);
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

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

test('a funeral director books and uploads, the officer confirms, the time is taken', async () => {
  const fd = await openPage(browser, server, '/staff/bookings.html', { width: 360, height: 740 });
  await fd.waitForURL(/\/staff\/sign-in\.html/);
  await signIn(fd, accounts['funeral.director']);
  await fd.waitForURL(`${server.url}/staff/bookings.html`);
  await fd.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  // A working day: the form starts a week ahead; move on until times are offered.
  for (let i = 0; i < 7 && (await fd.locator('#slot option').count()) === 0; i += 1) {
    const next = await fd.evaluate(() => {
      const d = new Date(`${document.getElementById('date').value}T12:00:00Z`);
      d.setUTCDate(d.getUTCDate() + 1);
      return d.toISOString().slice(0, 10);
    });
    await fd.fill('#date', next);
    await fd.dispatchEvent('#date', 'change');
    await fd.waitForFunction(() => document.getElementById('slot-hint').textContent !== '');
  }
  const date = await fd.inputValue('#date');
  const time = await fd.inputValue('#slot');
  assert.match(time, /^\d\d:\d\d$/);
  await fd.check('#grave-new');
  await fd.fill('#forenames', 'Ida');
  await fd.fill('#surname', 'Browserworth');
  await fd.fill('#died-on', await fd.evaluate(() => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date())));
  await fd.fill('#age', '91');
  await fd.click('#book-save');
  await fd.waitForSelector('#book-done:not(:empty)');
  const id = (await fd.textContent('#book-done')).match(/Booking (\d+)/)[1];
  await fd.waitForSelector(`li.booking-item[data-id="${id}"][data-status="requested"]`);
  await fd.setInputFiles(`#doc-file-${id}`, { name: 'green-form.pdf', mimeType: 'application/pdf', buffer: pdf });
  await fd.click(`li.booking-item[data-id="${id}"] .booking-upload button`);
  await fd.waitForSelector(`li.booking-item[data-id="${id}"] .booking-docs a`);
  await screenshot(fd, 'bookings-director-360x740');
  assert.deepEqual(await seriousViolations(fd), []);

  // The bereavement officer confirms it, picking an available grave of that cemetery.
  const booking = await (await fd.request.get(`${server.url}/api/burials/bookings/${id}`)).json();
  const cemetery = await (await fd.request.get(`${server.url}/ogc/collections/cemeteries/items/${booking.cemetery_id}`)).json();
  const points = JSON.stringify(cemetery.geometry.coordinates).match(/-?\d+\.\d+,-?\d+\.\d+/g)
    .map((p) => p.split(',').map(Number));
  const bbox = [Math.min(...points.map((p) => p[0])), Math.min(...points.map((p) => p[1])),
    Math.max(...points.map((p) => p[0])), Math.max(...points.map((p) => p[1]))].join(',');
  // Not the first available grave: the demo's confirmed booking has taken that one.
  const graves = await (await fd.request.get(`${server.url}/ogc/collections/graves/items?status=available&limit=5&bbox=${bbox}`)).json();
  const graveId = graves.features.at(-1).id;
  const officer = await openPage(browser, server, '/staff/sign-in.html?return_to=%2Fstaff%2Fbookings.html');
  await signIn(officer, accounts.bereavement);
  await officer.waitForURL(`${server.url}/staff/bookings.html`);
  await officer.waitForSelector(`li.booking-item[data-id="${id}"]`, { timeout: 30000 });
  await officer.fill(`#grave-id-${id}`, String(graveId));
  await officer.click(`li.booking-item[data-id="${id}"] .booking-confirm`);
  await officer.waitForSelector(`li.booking-item[data-id="${id}"][data-status="confirmed"]`);
  await screenshot(officer, 'bookings-officer-1280x800');
  assert.deepEqual(await seriousViolations(officer), []);
  assert.deepEqual(officer.jsErrors, []);

  // The funeral director sees it confirmed, and the time is not offered any more.
  await fd.reload();
  await fd.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await fd.waitForSelector(`li.booking-item[data-id="${id}"][data-status="confirmed"]`);
  await fd.fill('#date', date);
  await fd.dispatchEvent('#date', 'change');
  await fd.waitForFunction(() => document.getElementById('slot-hint').textContent !== '');
  const offered = await fd.$$eval('#slot option', (os) => os.map((o) => o.value));
  assert.ok(!offered.includes(time), `${time} is still offered on ${date}: ${offered}`);
  assert.deepEqual(fd.jsErrors, []);
  await fd.context().close();
  await officer.context().close();
});
