// The local reports map: each filter's count matches the OGC API's count for the same
// question, clusters are drawn, the list matches the map view, and the ward page opens.
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

const OPEN = "status IN ('open','investigating','in_progress','action_scheduled','reopened')";
const CLOSED = "status IN ('fixed','no_further_action','duplicate','not_councils_responsibility','internal_referral','cancelled','closed')";

async function apiCount(params) {
  const query = new URLSearchParams({ limit: '1', ...params });
  const body = await (await fetch(`${server.url}/ogc/collections/service_requests/items?${query}`)).json();
  return body.numberMatched;
}

async function shownCount(page, expected) {
  // data-loaded keeps the last load's count while the next one runs ("Loading the reports…"):
  // a filter whose count equals the previous one's must wait for its own summary too.
  await page.waitForFunction((n) => document.body.dataset.loaded === String(n)
    && /^\d+ reports? match/.test(document.querySelector('#summary').textContent), expected, { timeout: 15000 });
  const summary = await page.textContent('#summary');
  return Number(/^(\d+) reports? match/.exec(summary)[1]);
}

test('filters by status, category and dates agree with the API; clusters and list follow', async () => {
  const page = await openPage(browser, server, '/reports.html');
  await page.waitForSelector('body[data-ready="true"]');

  const open = await apiCount({ filter: OPEN });
  assert.ok(open > 0);
  assert.equal(await shownCount(page, open), open);
  // markercluster adds its layers in chunks after the count is shown: wait for them.
  await page.waitForSelector('.marker-cluster', { timeout: 15000 });

  const closed = await apiCount({ filter: CLOSED });
  await page.selectOption('#filter-status', 'closed');
  assert.equal(await shownCount(page, closed), closed);
  assert.notEqual(open, closed);

  const closedLitter = await apiCount({ filter: CLOSED, category_code: 'litter' });
  await page.selectOption('#filter-category', 'litter');
  assert.equal(await shownCount(page, closedLitter), closedLitter);
  const names = await page.locator('#list .report-title').allTextContents();
  assert.ok(names.length > 0);
  assert.ok(names.every((n) => n.startsWith('Litter')), 'the list shows only the chosen category');

  await page.selectOption('#filter-status', '');
  await page.fill('#filter-from', '2026-01-01');
  await page.fill('#filter-to', '2026-06-30');
  await page.dispatchEvent('#filter-to', 'change');
  const dated = await apiCount({ category_code: 'litter', datetime: '2026-01-01T00:00:00Z/2026-06-30T23:59:59Z' });
  assert.equal(await shownCount(page, dated), dated);
  assert.match(page.url(), /category=litter/);
  assert.match(page.url(), /from=2026-01-01/);
  await screenshot(page, 'reports-filtered-1280x800');

  // The list holds what the map shows: zooming in shortens it.
  const before = await page.locator('#list li').count();
  await page.click('.leaflet-control-zoom-in');
  await page.click('.leaflet-control-zoom-in');
  await page.waitForTimeout(700);
  const after = await page.locator('#list li').count();
  assert.ok(after <= before, `zoomed in, the list has ${after} reports, was ${before}`);

  // A report's ward link leads to the ward page with that ward's reports.
  const wardLink = page.locator('#list a[href^="/ward.html?code="]').first();
  const href = await wardLink.getAttribute('href');
  const code = new URL(href, server.url).searchParams.get('code');
  await wardLink.click();
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(await page.textContent('#title'), / ward$/);
  const wardCount = await apiCount({ filter: OPEN, ward_code: code });
  assert.equal(await shownCount(page, wardCount), wardCount);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('a from date after the to date is explained', async () => {
  const page = await openPage(browser, server, '/reports.html?status=open');
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#filter-from', '2026-06-01');
  await page.fill('#filter-to', '2026-01-01');
  await page.dispatchEvent('#filter-to', 'change');
  await page.waitForSelector('#load-error:has-text("after")');
  await page.context().close();
});
