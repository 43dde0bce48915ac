// The reporting page end to end in chromium against the real server: by typed address (with
// server errors shown by the field and nothing typed lost), by map click, outside the
// borough, and the duplicate suggestion followed instead of reporting again.
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

async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]');
}

async function chooseAddress(page, typed, expected) {
  await page.fill('#address', typed);
  await page.waitForSelector(`#address-options [role="option"]:has-text("${expected}")`);
  await page.focus('#address');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.getAttribute('#address', 'aria-expanded'), 'true');
  assert.match(await page.getAttribute('#address', 'aria-activedescendant'), /address-options-option-0/);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`#location-chosen:has-text("${expected}")`);
}

async function requestById(id) {
  const response = await fetch(`${server.url}/open311/v2/requests/${id}.json?extensions=true`);
  assert.equal(response.status, 200);
  return (await response.json())[0];
}

test('report by typed address: server errors by their fields, then sent with a tracking link', async () => {
  const page = await openPage(browser, server, '/', { width: 360, height: 740 });
  await ready(page);
  await chooseAddress(page, '1 market st', '1 Market Street, Chorley, PR7 2SG');
  assert.match(await page.textContent('#location-chosen'), /ward/);

  // The category search narrows the grouped list to fly-tipping.
  await page.fill('#category-search', 'dumped rubbish');
  await page.waitForFunction(() => document.querySelectorAll('#category option[value]:not([value=""])').length >= 1);
  await page.selectOption('#category', 'fly_tipping');
  await page.waitForSelector('[name="attribute[amount]"]');
  assert.ok(await page.$('fieldset.choices input[name="attribute[waste_type][]"]'), 'multivaluelist as checkboxes');
  await page.fill('#description', 'Six black bags behind the bus shelter');
  await page.fill('#email', 'resident@example.org');

  // Sent without the required answers: the server's Open311 errors appear next to those fields.
  await page.click('#submit');
  await page.waitForSelector('#form-error:not([hidden])');
  assert.match(await page.textContent('#attribute-amount-error'), /required/);
  assert.match(await page.textContent('#attribute-waste_type-error'), /required/);
  assert.equal(await page.getAttribute('#attribute-amount', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#description'), 'Six black bags behind the bus shelter', 'what was typed is kept');
  assert.equal(await page.inputValue('#email'), 'resident@example.org');

  await page.check('input[name="attribute[waste_type][]"][value="household"]');
  await page.selectOption('#attribute-amount', { index: 1 });
  await page.click('#submit');
  await page.waitForSelector('#confirmation:not([hidden])');
  const id = await page.textContent('#confirmation-id');
  const link = await page.getAttribute('#tracking-link', 'href');
  assert.match(link, /\/track\.html#.+/);
  await screenshot(page, 'report-confirmation-360x740');

  const stored = await requestById(id);
  assert.equal(stored.service_code, 'fly_tipping');
  assert.equal(stored.address_id, '100010350001');
  assert.equal(stored.description, 'Six black bags behind the bus shelter');
  assert.equal(stored.extended_attributes.channel, 'web');

  // The tracking link opens the reporter's view of the same report.
  await page.goto(link);
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(await page.textContent('#title'), new RegExp(`Fly-tipping: report ${id}`));
  assert.match(await page.textContent('#history'), /You reported it/);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('report by clicking the map, and a click outside the borough explained', async () => {
  const page = await openPage(browser, server, '/');
  await ready(page);
  await page.waitForSelector('body[data-map-ready="true"]');
  const box = await page.locator('#map').boundingBox();

  // The bottom-left corner of the fitted map is outside the borough outline.
  await page.mouse.click(box.x + 40, box.y + box.height - 40);
  await page.waitForSelector('#location-error:has-text("outside Chorley Council")');
  assert.equal(await page.textContent('#location-chosen'), '');

  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('#location-chosen:has-text("Pin placed")');
  assert.equal(await page.textContent('#location-error'), '', 'the earlier message is cleared');
  assert.ok(await page.$('.leaflet-marker-pane .pin'), 'a pin is on the map');
  await page.selectOption('#category', 'street_cleansing');
  await page.fill('#description', 'Mud all over the pavement');
  await page.click('#submit');
  await page.waitForSelector('#confirmation:not([hidden])');
  const stored = await requestById(await page.textContent('#confirmation-id'));
  assert.equal(stored.service_code, 'street_cleansing');
  assert.match(stored.extended_attributes.ward, /^E05/);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('nothing chosen: the page says what is missing next to the fields', async () => {
  const page = await openPage(browser, server, '/');
  await ready(page);
  await page.fill('#description', 'kept');
  await page.click('#submit');
  await page.waitForSelector('#form-error:not([hidden])');
  assert.match(await page.textContent('#location-error'), /Tell us where/);
  assert.match(await page.textContent('#category-error'), /Choose a category/);
  assert.equal(await page.inputValue('#description'), 'kept');
  await page.context().close();
});

test('a failed network call is explained and the form keeps its answers', async () => {
  const page = await openPage(browser, server, '/');
  await ready(page);
  await chooseAddress(page, '2 market st', '2 Market Street');
  await page.selectOption('#category', 'street_cleansing');
  await page.fill('#description', 'Leaves blocking the drain');
  await page.route('**/open311/v2/requests.json', (route) => route.abort('connectionrefused'));
  await page.click('#submit');
  await page.waitForSelector('#form-error:has-text("could not reach")');
  assert.equal(await page.inputValue('#description'), 'Leaves blocking the drain');
  await page.context().close();
});

test('duplicate suggestion: an open report of the same category nearby is followed instead', async () => {
  // A real open report at 5 Market Street, made through the Open311 API.
  const found = await (await fetch(`${server.url}/api/addresses?q=5%20market%20st&limit=1`)).json();
  const address = found.features[0];
  const form = new URLSearchParams({ api_key: 'demo-client-key', service_code: 'graffiti',
    address_id: String(address.id), 'attribute[offensive]': 'no', description: 'Tags on the wall' });
  const created = await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', body: form });
  assert.equal(created.status, 200);
  const [{ service_request_id: existing }] = await created.json();

  const page = await openPage(browser, server, '/');
  await ready(page);
  await chooseAddress(page, '5 market st', address.properties.address);
  await page.selectOption('#category', 'graffiti');
  await page.waitForSelector('#duplicates:not([hidden])');
  const item = page.locator('#duplicate-list li', { hasText: `reference ${existing}` });
  await item.getByRole('button', { name: `Follow report ${existing} instead` }).click();
  await item.getByLabel('Your email').fill('neighbour@example.org');
  await item.getByRole('button', { name: `Follow report ${existing}`, exact: true }).click();
  await item.locator('.success').waitFor();
  assert.match(await item.textContent(), /open the link we have emailed to .* to follow report/);
  await screenshot(page, 'report-duplicate-1280x800');
  await page.context().close();
});

test('a category that takes no anonymous reports: the server asks for an email next to the email field', async () => {
  const page = await openPage(browser, server, '/');
  await ready(page);
  await chooseAddress(page, '4 market st', '4 Market Street');
  await page.selectOption('#category', 'missed_bin');
  await page.check('input[name="attribute[container][]"][value="grey"]');
  await page.fill('#description', 'Grey bin missed on Tuesday');
  await page.click('#submit');
  await page.waitForSelector('#email-error:not(:empty)');
  assert.match(await page.textContent('#email-error'), /required.*anonymous/);
  assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
  assert.ok(await page.isChecked('input[name="attribute[container][]"][value="grey"]'), 'answers kept');
  await page.fill('#email', 'resident@example.org');
  await page.click('#submit');
  await page.waitForSelector('#confirmation:not([hidden])');
  await page.context().close();
});

test('"use my location" places the pin where the device is; a postcode lists its addresses', async () => {
  const home = await (await fetch(`${server.url}/api/addresses?q=${encodeURIComponent('PR7 2SG')}&limit=1`)).json();
  const [lon, lat] = home.features[0].geometry.coordinates;
  const page = await openPage(browser, server, '/', { geolocation: { latitude: lat, longitude: lon } });
  await ready(page);
  await page.click('#locate');
  await page.waitForSelector('#location-chosen:has-text("Pin placed near")');
  assert.match(await page.textContent('#location-chosen'), /PR7 2SG/);

  await page.fill('#address', 'pr72sg');
  await page.waitForSelector('#address-options [role="option"]');
  const options = await page.locator('#address-options [role="option"]').allTextContents();
  assert.ok(options.length > 1 && options.every((o) => o.endsWith('PR7 2SG')), options.join(' | '));
  await page.context().close();
});

test('an address search with no match says so, and the resident can still click the map', async () => {
  const page = await openPage(browser, server, '/');
  await ready(page);
  await page.fill('#address', 'zzzz nowhere lane');
  await page.waitForFunction(() => document.getElementById('address-status').textContent.includes('No address'));
  assert.equal(await page.getAttribute('#address', 'aria-expanded'), 'false');
  await page.context().close();
});
