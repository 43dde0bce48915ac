// The public performance page in chromium against the real server and the demo borough
// (docs/http-api.md `/api/performance`): on a phone the page loads the twelve months to this
// one for the borough and draws them as SVG charts and a table that say what the API says; on
// a desktop choosing a ward changes the figures to that ward's, and the CSV link downloads the
// same question. axe-core on the page; phone and desktop screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launchBrowser, openPage, seriousViolations, screenshot } from './support.mjs';

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

const api = async (query) => (await fetch(`${server.url}/api/performance?${query}`)).json();

/** The table's "received" column as the API would show it ("*" when suppressed). */
async function receivedColumn(page) {
  return page.locator('#perf-table td[data-key="received"]').allTextContents();
}
const expectedColumn = (doc) => doc.rows.map((r) => (r.received.suppressed ? '*'
  : r.received.value.toLocaleString('en-GB')));

test('the borough\'s figures load as charts and a table on a phone', async () => {
  const page = await openPage(browser, server, '/performance.html', { width: 390, height: 844 });
  await page.waitForSelector('body[data-figures]');
  const q = new URLSearchParams(await page.getAttribute('body', 'data-figures'));
  const doc = await api(q);
  assert.equal(doc.rows.length, 12);
  assert.deepEqual(await receivedColumn(page), expectedColumn(doc));
  // Received and closed, the two shares, days to close, overdue, My Account accounts used.
  assert.equal(await page.locator('#charts figure svg').count(), 5);
  // The demo's year of casework: bars for received and closed, lines for the shares.
  assert.ok(await page.locator('#charts rect[data-key="received"]').count() >= 6);
  assert.ok(await page.locator('#charts circle[data-key="online_share"]').count() >= 6);
  assert.match(await page.textContent('#footnote'), /Fewer than 5/);
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.jsErrors, []);
  await screenshot(page, 'performance-phone');
  await page.context().close();
});

test('choosing a ward shows its figures and the CSV link downloads them', async () => {
  const page = await openPage(browser, server, '/performance.html', { width: 1280, height: 900 });
  await page.waitForSelector('body[data-figures]');
  const borough = await receivedColumn(page);
  const wards = await page.locator('#perf-ward option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(wards.length > 5, 'the ward picker lists the wards');
  const ward = wards[0];
  await page.selectOption('#perf-ward', ward);
  await page.waitForSelector(`body[data-figures*="ward=${ward}"]`);
  const q = new URLSearchParams(await page.getAttribute('body', 'data-figures'));
  const doc = await api(q);
  assert.equal(doc.ward.code, ward);
  const shown = await receivedColumn(page);
  assert.deepEqual(shown, expectedColumn(doc));
  assert.notDeepEqual(shown, borough, 'the ward\'s figures are not the borough\'s');
  assert.match(await page.textContent('#summary'), new RegExp(`${doc.ward.name} ward`));
  assert.equal(new URL(page.url()).searchParams.get('ward'), ward);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-link')]);
  const csv = readFileSync(await download.path(), 'utf8').split('\r\n');
  assert.match(csv[0], /^month,ward,received,online_share,/);
  assert.equal(csv.filter((l) => l.startsWith('20')).length, 12);
  assert.ok(csv[1].includes(`,${ward},`), csv[1]);
  assert.deepEqual(page.jsErrors, []);
  await screenshot(page, 'performance-desktop');
  await page.context().close();
});
