// The bereavement officer's page against the real server and the demo borough: the officer
// signs in, sees a cemetery's graves coloured by derived status and clicks one to see its
// register entries, rights of burial and memorial (the same grave the staff route gives); the
// "Memorial inspections due" tab lists the demo's overdue memorials (the count the due route
// gives, each with its last inspection) on a map; the "Capacity" tab draws burials a year as an
// SVG chart and the year each section is forecast to be full, at the current rate and at one
// the officer types. axe-core on each view; phone and desktop screenshots.
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
  assert.ok(accounts.bereavement, `demo accounts printed:\n${printed}`);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the officer opens a grave, sees the overdue memorials and the forecast years to full', async () => {
  const page = await openPage(browser, server, '/staff/sign-in.html?return_to=%2Fstaff%2Fbereavement.html',
    { width: 1280, height: 900 });
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#email', accounts.bereavement.email);
  await page.fill('#password', accounts.bereavement.password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server.url}/staff/bereavement.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });

  // The first cemetery's graves, one path each, coloured by status.
  const shown = Number(await page.getAttribute('body', 'data-graves-loaded'));
  assert.ok(shown > 1000, `${shown} graves drawn`);
  assert.equal(await page.locator('#map path.leaflet-interactive').count(), shown);
  assert.match(await page.textContent('#graves-summary'), /available/);

  // Click a grave on the map: its record as the staff route gives it.
  await page.locator('#map path.leaflet-interactive').nth(Math.floor(shown / 2)).click({ force: true });
  await page.waitForSelector('body[data-grave]');
  const id = await page.getAttribute('body', 'data-grave');
  const grave = await (await page.request.get(`${server.url}/api/burials/graves/${id}`)).json();
  assert.equal(await page.textContent('#panel-title'), `Grave ${grave.grave_number}`);
  assert.equal(await page.locator('#panel-register li').count(), Math.max(1, grave.interments.length));
  if (grave.interments.length) {
    assert.match(await page.textContent('#panel-register'), new RegExp(`No\\. ${grave.interments[0].register_number}:`));
  }
  await screenshot(page, 'bereavement-grave-1280x900');
  assert.deepEqual(await seriousViolations(page), []);

  // Memorial inspections due: the overdue list is the due route's.
  await page.click('#tab-due');
  await page.waitForSelector('body[data-due-loaded]');
  const overdue = await (await page.request.get(`${server.url}/api/burials/memorials/due?status=overdue&limit=200`)).json();
  assert.ok(overdue.numberMatched > 0, 'the demo has overdue memorials');
  assert.match(await page.textContent('#due-summary'), new RegExp(`^${overdue.numberMatched} memorials overdue`));
  const items = await page.locator('#due-list li.due-item').count();
  assert.equal(items, overdue.numberReturned);
  assert.equal(await page.locator('#map path.leaflet-interactive').count(), overdue.features.filter((f) => f.geometry).length);
  assert.match(await page.textContent('#due-list'), /last (passed|failed)|never inspected/);
  // Clicking an overdue one opens its grave, with the memorial shown overdue.
  const dueGrave = await page.getAttribute('#due-list li.due-item >> nth=0', 'data-grave');
  await page.click('#due-list li.due-item >> nth=0 >> button');
  await page.waitForSelector(`body[data-grave="${dueGrave}"]`);
  await page.waitForSelector('#panel-memorials .memorial-card.overdue');
  assert.match(await page.textContent('#panel-memorials'), /Overdue since/);
  await screenshot(page, 'bereavement-due-1280x900');
  assert.deepEqual(await seriousViolations(page), []);

  // Capacity: a chart of burials a year and the year each section is full.
  await page.click('#tab-capacity');
  await page.waitForSelector('body[data-capacity-loaded]');
  const report = await (await page.request.get(`${server.url}/api/burials/capacity`)).json();
  assert.equal(await page.locator('svg.burial-chart').count(), report.cemeteries.length);
  assert.equal(await page.locator('svg.burial-chart >> nth=0 >> rect.bar').count(), 10);
  const first = report.cemeteries[0];
  const year = first.burials_per_year[9];
  assert.equal(await page.getAttribute(`svg.burial-chart >> nth=0 >> rect[data-year="${year.year}"]`, 'data-burials'),
    String(year.burials));
  const section = first.sections.find((s) => s.at_current_rate.full_year !== null && s.available > 0);
  assert.ok(section, 'a section fills at the current rate');
  assert.equal(await page.textContent(`tr[data-section="${section.id}"] td.full-current`),
    `${section.at_current_rate.full_year} (${section.at_current_rate.years_to_full} years)`);
  // The officer's own rate: a column of its own.
  await page.fill('#rate', '25');
  await page.click('#rate-form button[type="submit"]');
  await page.waitForSelector('td.full-officer');
  assert.match(await page.textContent('.capacity-summary >> nth=0'),
    new RegExp(`at your rate`));
  const at25 = Math.floor(first.available / 25);
  assert.match(await page.textContent('.capacity-summary >> nth=0'),
    new RegExp(`in ${new Date().getUTCFullYear() + at25} \\(`));
  await screenshot(page, 'bereavement-capacity-1280x900');
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.jsErrors, []);

  // On a phone: the same views in one column.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.click('#tab-graves');
  await screenshot(page, 'bereavement-360x740');
  assert.deepEqual(await seriousViolations(page), []);
  await page.context().close();
});
