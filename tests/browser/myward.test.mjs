// The councillor's ward page against the real server and the demo borough: the demo councillor
// signs in by typing, sees their first ward's panels (the request count matching
// /api/myward/{ward}), narrows them to open requests, downloads the requests CSV (its rows
// matching the panel's count), and is refused another ward (403). axe-core on the page; phone
// and desktop screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

test('the councillor sees their ward, filters it, downloads a CSV and is refused another ward', async () => {
  const page = await openPage(browser, server, '/staff/myward.html', { width: 1280, height: 900 });
  await page.waitForURL(/\/staff\/sign-in\.html/);
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#email', accounts.councillor.email);
  await page.fill('#password', accounts.councillor.password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server.url}/staff/myward.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });

  const ward = await page.inputValue('#ward');
  const wards = await page.$$eval('#ward option', (os) => os.map((o) => o.value));
  assert.equal(wards.length, 2, 'the demo councillor has two wards');
  const doc = await (await page.request.get(`${server.url}/api/myward/${ward}`)).json();
  assert.ok(doc.requests.received > 0, 'the demo ward has requests');
  assert.match(await page.textContent('#summary'), new RegExp(`${doc.requests.received} requests`));
  assert.match(await page.textContent('#requests-facts'), new RegExp(`Open${doc.requests.open}`));
  assert.ok(await page.locator('#chart-months svg rect').count() > 0, 'a chart of months');
  assert.ok(await page.locator('#list li a').count() > 0, 'the newest requests, linked');
  await page.waitForFunction(() => document.querySelectorAll('#map path').length > 1);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'myward-1280x900');

  // Open requests only.
  const loaded = await page.getAttribute('body', 'data-loaded');
  await page.selectOption('#status', 'open');
  await page.waitForFunction((t) => document.body.dataset.loaded !== t, loaded);
  assert.match(await page.textContent('#summary'), new RegExp(`${doc.requests.open} requests`));

  // The requests CSV of the filtered view.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#exports a[href*="requests.csv"]'),
  ]);
  const lines = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  assert.equal(lines[0], 'id,category,status,created_at,closed_at,expected_at,open,overdue,lon,lat');
  assert.equal(lines.length - 1, doc.requests.open);
  assert.ok(lines.slice(1).every((l) => l.split(',')[6] === 'true'));

  // The month's printable report, linked beside the downloads.
  const reportHref = await page.getAttribute('#exports a[href*="/report?month="]', 'href');
  const report = await page.request.get(`${server.url}${reportHref}`);
  assert.equal(report.status(), 200);
  assert.match(await report.text(), /@page \{ size: A4;/);
  assert.ok(await page.locator('#exports a[href*="/report.pdf?month="]').count() === 1);

  // Another ward of the borough: 403.
  const all = await (await page.request.get(`${server.url}/api/wards`)).json();
  const other = all.features.map((f) => f.properties.code).find((c) => !wards.includes(c));
  assert.ok(other);
  assert.equal((await page.request.get(`${server.url}/api/myward/${other}`)).status(), 403);

  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'myward-390x844');
  await page.close();
});
