// My area in chromium against the real server and the demo borough (docs/my-area.md): a
// resident on a phone types a demo address, chooses it with the keyboard and sees their ward
// and its councillors (imported by `wardmap import councillors` into the served store), bin
// day, and the open reports nearby, each as GET /api/my-area says; the page's URL is then
// area.html?uprn=..., and loading that link directly on a desktop shows the same place with
// its markers on the basemap. axe-core on the page; phone and desktop screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, openPage, seriousViolations, screenshot, binary } from './support.mjs';

let server;
let browser;
let address; // a demo address with bin days: { uprn, label, area }
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // A demo address on a collection round: the first of a street search that has bin days.
  const found = await (await fetch(`${server.url}/api/addresses?q=road&limit=40`)).json();
  for (const f of found.features) {
    const area = await (await fetch(`${server.url}/api/my-area?uprn=${f.id}`)).json();
    if (area.ward && area.bin_and_sweeping_days.in_use && area.reports_nearby.open_count > 0) {
      address = { uprn: f.id, label: f.properties.address, area };
      break;
    }
  }
  assert.ok(address, 'no demo address on "road" has a ward, bin days and reports nearby');
  const csv = path.join(path.dirname(server.db), 'councillors.csv');
  writeFileSync(csv, `ward,councillor,party,email\n${address.area.ward.code},Cora Browsertest,Green,cora@council.example\n`);
  execFileSync(binary, ['import', 'councillors', csv, '--db', server.db], { encoding: 'utf8' });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const dayLabel = (iso) => new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' })
  .format(new Date(`${iso}T00:00:00Z`));

async function checkPanels(page) {
  const a = address.area;
  await page.waitForSelector(`#ward:has-text("${a.ward.name} ward")`);
  await page.waitForSelector('#ward:has-text("Cora Browsertest")');
  const refuse = a.bin_and_sweeping_days.activities[0];
  await page.waitForSelector(`#days:has-text("next ${dayLabel(refuse.next)}")`);
  const count = (await page.textContent('#reports-count')).trim();
  assert.match(count, new RegExp(`^${a.reports_nearby.open_count} open reports? within 500 m`));
  assert.equal(await page.locator('#bins li').count(), a.litter_bins.length);
  assert.deepEqual(page.jsErrors, []);
}

test('a resident types their address on a phone and sees their area', async () => {
  const page = await openPage(browser, server, '/area.html', { width: 390, height: 844 });
  await page.waitForSelector('body[data-ready="true"]');
  const typed = address.label.split(',')[0];
  await page.fill('#address', typed);
  await page.waitForSelector(`#address-options [role="option"]:has-text("${address.label}")`);
  const options = await page.locator('#address-options [role="option"]').allTextContents();
  const index = options.indexOf(address.label);
  assert.ok(index >= 0, `${address.label} not among ${options}`);
  await page.focus('#address');
  for (let i = 0; i <= index; i += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('body[data-area-loaded="true"]');
  assert.equal(new URL(page.url()).searchParams.get('uprn'), String(address.uprn));
  await checkPanels(page);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'area-phone');
  await page.context().close();
});

test('the shared link area.html?uprn= opens the same place with its map', async () => {
  const page = await openPage(browser, server, `/area.html?uprn=${address.uprn}`, { width: 1280, height: 900 });
  await page.waitForSelector('body[data-area-loaded="true"]');
  await checkPanels(page);
  assert.equal(await page.inputValue('#address'), address.label);
  // The place, the reports, the planning applications and the bins are drawn on the map.
  const a = address.area;
  const markers = a.litter_bins.length + a.reports_nearby.reports.length
    + a.planning.on_property.length + a.planning.nearby.applications.length + 1;
  assert.equal(await page.locator('#map path.leaflet-interactive').count(), markers);
  await screenshot(page, 'area-desktop');
  await page.context().close();
});
