// The crew page on a phone against the real server and the demo borough's streetscene officer:
// signing in by typing, the day on the map and as a list with the next stop first, recording a
// stop as done (quantities, notes, GPS) and seeing it sent; then with the browser context
// offline (context.setOffline) recording two more (one with an after photo, one not done for a
// parked car), the server seeing neither, reloading the page offline and still having the day
// (service worker + IndexedDB), going back online and the queue being sent by itself; finally
// the server holding each completion exactly once (the same client_id sent again answers 200
// duplicate:true with the first completion). Screenshots at 390x844 and 1280x800.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, openPage, seriousViolations, screenshot, binary, artifacts } from './support.mjs';

let server;
let browser;
let accounts;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const printed = execFileSync(binary, ['demo-data', '--print-accounts'], { encoding: 'utf8' });
  accounts = Object.fromEntries([...printed.matchAll(/^\s+(\S+@\S+)\s+password\s+(\S+)\s+\((\w+)/gm)]
    .map(([, email, password, role]) => [email.split('@')[0], { email, password, role }]));
  assert.ok(accounts.streetscene, `demo accounts printed:\n${printed}`);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page, { email, password }) {
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#email', email);
  await page.focus('#password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

/**
 * The server's API from node (not the browser, so it works while the browser is offline),
 * with the browser context's session cookie and its CSRF token.
 */
async function serverApi(context, path, { method = 'GET', json } = {}) {
  const cookie = (await context.cookies(server.url)).map((c) => `${c.name}=${c.value}`).join('; ');
  const headers = { Cookie: cookie, Accept: 'application/json' };
  if (method !== 'GET') {
    const me = await (await fetch(`${server.url}/api/me`, { headers })).json();
    headers['X-CSRF-Token'] = me.csrf_token;
  }
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: response.status, body };
}

/** The first day from today with at least `least` stops still planned for the signed-in person. */
async function dayWithWork(context, least = 5) {
  const tried = [];
  for (let i = 0; i < 21; i += 1) {
    const d = new Date(Date.now() + i * 86400000).toISOString().slice(0, 10);
    const { status, body } = await serverApi(context, `/api/me/day?date=${d}`);
    assert.equal(status, 200, `GET /api/me/day?date=${d}: ${JSON.stringify(body)}`);
    const planned = body.features.filter((f) => f.properties.status === 'planned').length;
    tried.push(`${d}: ${body.features.length} stops, ${planned} planned`);
    if (planned >= least) return { date: d, day: body };
  }
  assert.fail(`no day with ${least} planned stops for the demo streetscene officer in three weeks:\n${tried.join('\n')}`);
  return null;
}

// A 2400 x 1800 PNG drawn by the browser (no image files in the repository).
async function picture(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 2400;
    canvas.height = 1800;
    const ctx = canvas.getContext('2d');
    for (let i = 0; i < 40; i += 1) {
      ctx.fillStyle = `hsl(${i * 9}, 60%, 45%)`;
      ctx.fillRect((i * 57) % 2400, (i * 43) % 1800, 500, 350);
    }
    return canvas.toDataURL('image/png');
  });
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

/** What the phone's screen shows (the whole page is in the full-page screenshot beside it). */
async function screen(page, name) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}-screen.png`) });
}

async function markersOnMap(page) {
  return page.evaluate(() => {
    const { map } = document.getElementById('map').wardmap;
    const found = [];
    map.eachLayer((layer) => {
      if (layer instanceof window.L.CircleMarker) found.push({ fill: layer.options.fillColor, ...layer.getLatLng() });
    });
    return found;
  });
}

async function recordNext(page, { outcome, reason, quantities = {}, notes, photo }) {
  const nextId = await page.getAttribute('#next .visit', 'data-visit-id');
  await page.click('#next button.record');
  await page.waitForSelector('#complete-panel:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'complete-title', 'the form\'s heading takes the focus');
  await page.check(outcome === 'done' ? '#outcome-done' : '#outcome-not-done');
  if (reason) await page.selectOption('#reason', reason);
  if (Object.keys(quantities).length) {
    await page.click('#quantities summary');
    for (const [name, value] of Object.entries(quantities)) await page.fill(`#${name}`, String(value));
  }
  if (notes) await page.fill('#notes', notes);
  if (photo) {
    await page.setInputFiles('#photo-after', { name: 'after.png', mimeType: 'image/png', buffer: photo });
    await page.waitForSelector('#photo-list li img');
  }
  await page.click('#save');
  await page.waitForSelector('#complete-panel', { state: 'hidden' });
  return Number(nextId);
}

test('a crew officer\'s day on a phone: online, offline, reload offline, back online, each completion stored once', async () => {
  const page = await openPage(browser, server, '/staff/sign-in.html?return_to=%2Fstaff%2Fcrew.html',
    { width: 390, height: 844, geolocation: { latitude: 53.6530, longitude: -2.6320, accuracy: 12 } });
  const context = page.context();
  await signIn(page, accounts.streetscene);
  await page.waitForURL(`${server.url}/staff/crew.html`);
  const { date, day } = await dayWithWork(context);
  const posted = []; // every completion the page sent: {clientId, body, status, answer}
  const reading = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.method() === 'POST' && /\/api\/visits\/\d+\/completions$/.test(response.url())) {
      const body = JSON.parse(request.postData());
      const entry = { clientId: body.client_id, body, status: response.status(), answer: null };
      posted.push(entry);
      reading.push(response.json().then((answer) => { entry.answer = answer; }, () => {}));
    }
  });
  const photos = []; // every photo upload: {status, answer}
  page.on('response', (response) => {
    if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/photos') {
      const entry = { status: response.status(), answer: null };
      photos.push(entry);
      reading.push(response.json().then((answer) => { entry.answer = answer; }, () => {}));
    }
  });
  const settled = () => Promise.all(reading);
  await page.goto(`${server.url}/staff/crew.html?date=${date}`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#staff-name'), 'Sam Streetscene');

  // The list: the next stop first (the first still planned in work order), every stop once.
  const planned = day.features.filter((f) => f.properties.status === 'planned');
  assert.equal(Number(await page.getAttribute('#next .visit', 'data-visit-id')), planned[0].id);
  const listed = await page.$$eval('.visit[data-visit-id]', (els) => els.map((e) => Number(e.dataset.visitId)));
  assert.deepEqual([...listed].sort((a, b) => a - b), day.features.map((f) => f.id).sort((a, b) => a - b));
  assert.match(await page.textContent('#next .visit-label'), new RegExp(planned[0].properties.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  // The map: one circle per stop with a point, coloured by status; the legend names the three.
  const markers = await markersOnMap(page);
  assert.equal(markers.length, day.features.filter((f) => f.geometry?.type === 'Point').length);
  assert.equal(markers.filter((m) => m.fill === '#ffffff').length, planned.length);
  assert.deepEqual(await page.$$eval('#map-legend li', (els) => els.map((e) => e.dataset.status)), ['planned', 'done', 'not_done']);
  await page.waitForSelector('#map canvas.leaflet-tile-loaded');
  // The page and the day are kept on the phone (the service worker controls the page).
  await page.waitForSelector('body[data-offline-ready="true"]', { timeout: 20000 });
  assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)));
  // And the map of the day's area: the tiles around every stop went through the worker.
  await page.waitForSelector('body[data-map-saved="true"]', { timeout: 60000 });
  assert.match(await page.textContent('#day-source'), /your day and its map work without a signal/);
  await screenshot(page, 'crew-day-390x844');
  await screen(page, 'crew-day-390x844');
  assert.deepEqual(await seriousViolations(page), []);

  // 1. Online: done, with quantities, notes and the position; sent at once.
  const a = await recordNext(page, { outcome: 'done', quantities: { bins_emptied: 2, fill_percent: 80 }, notes: 'Both bins emptied' });
  await page.waitForSelector(`.visit[data-visit-id="${a}"] .sync-badge[data-sync="synced"]`);
  await page.waitForSelector('#sync-bar[data-state="synced"]');
  await settled();
  assert.equal(posted.length, 1);
  assert.equal(posted[0].status, 201);
  assert.equal(posted[0].answer.duplicate, false);
  assert.match(posted[0].clientId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(posted[0].body.quantities, { bins_emptied: 2, fill_percent: 80 });
  assert.equal(posted[0].body.notes, 'Both bins emptied');
  assert.equal(posted[0].body.position.lat, 53.653);
  assert.equal(posted[0].body.position.lon, -2.632);
  assert.ok(posted[0].body.position.accuracy_m > 0);
  assert.ok(Math.abs(Date.parse(posted[0].body.at) - Date.now()) < 120000, `the device's time: ${posted[0].body.at}`);
  assert.equal(Number(await page.getAttribute('#next .visit', 'data-visit-id')), planned[1].id, 'the next stop moves on');
  let served = (await serverApi(context, `/api/me/day?date=${date}`)).body;
  assert.equal(served.features.find((f) => f.id === a).properties.status, 'done');

  // 2. Offline: two more, one with an after photo, one not done; nothing reaches the server.
  const photo = await picture(page);
  await context.setOffline(true);
  const b = await recordNext(page, { outcome: 'done', photo, notes: 'Cleared, photo after' });
  await page.waitForSelector(`.visit[data-visit-id="${b}"] .sync-badge[data-sync="queued"]`);
  const c = await recordNext(page, { outcome: 'not_done', reason: 'parked_car' });
  await page.waitForSelector(`.visit[data-visit-id="${c}"] .sync-badge[data-sync="queued"]`);
  await page.waitForSelector('#sync-bar[data-state="offline"][data-waiting="2"]');
  assert.match(await page.textContent('#sync-status'), /No signal: 2 completions saved on this phone/);
  assert.match(await page.textContent(`.visit[data-visit-id="${c}"] .status-badge`), /^Not done: Parked car/);
  assert.equal(Number(await page.getAttribute('#next .visit', 'data-visit-id')), planned[3].id);
  served = (await serverApi(context, `/api/me/day?date=${date}`)).body;
  assert.equal(served.features.find((f) => f.id === b).properties.status, 'planned', 'nothing was sent while offline');
  assert.equal(served.features.find((f) => f.id === c).properties.status, 'planned');
  assert.equal(posted.filter((p) => p.status === 201 || p.status === 200).length, 1);
  await screenshot(page, 'crew-offline-queued-390x844');
  await screen(page, 'crew-offline-queued-390x844');

  // 3. Reload while offline: the shell from the service worker, the day and the queue from IndexedDB.
  const tiles = [];
  // (A tile the map stops wanting when it moves to the next stop is aborted: not a failure.)
  page.on('requestfailed', (r) => {
    if (r.url().includes('/ogc/tiles/') && r.failure()?.errorText !== 'net::ERR_ABORTED') tiles.push({ failed: r.url(), why: r.failure()?.errorText });
  });
  page.on('response', (r) => { if (r.url().includes('/ogc/tiles/')) tiles.push({ status: r.status(), worker: r.fromServiceWorker() }); });
  const reloaded = await page.reload();
  assert.equal(reloaded.fromServiceWorker(), true, 'the page came from the service worker');
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.getAttribute('#day-source', 'data-source'), 'device');
  assert.match(await page.textContent('#day-source'), /saved on this phone/);
  assert.equal(await page.textContent('#staff-name'), 'Sam Streetscene');
  const offlineListed = await page.$$eval('.visit[data-visit-id]', (els) => els.map((e) => Number(e.dataset.visitId)));
  assert.equal(offlineListed.length, day.features.length);
  assert.equal(await page.getAttribute(`.visit[data-visit-id="${a}"]`, 'data-status'), 'done');
  assert.equal(await page.getAttribute(`.visit[data-visit-id="${b}"] .sync-badge`, 'data-sync'), 'queued');
  assert.equal(await page.getAttribute(`.visit[data-visit-id="${c}"]`, 'data-status'), 'not_done');
  assert.equal(Number(await page.getAttribute('#next .visit', 'data-visit-id')), planned[3].id);
  await page.waitForSelector('#sync-bar[data-state="offline"][data-waiting="2"]');
  assert.equal((await markersOnMap(page)).length, markers.length, 'the map draws the day offline');
  await page.waitForSelector('#map canvas.leaflet-tile-loaded');
  assert.ok(tiles.length > 0 && tiles.every((t) => t.status === 200 && t.worker),
    `every basemap tile came from the phone's cache: ${JSON.stringify(tiles.slice(0, 5))}`);
  await screenshot(page, 'crew-offline-reloaded-390x844');
  await screen(page, 'crew-offline-reloaded-390x844');
  await page.locator('#map').screenshot({ path: path.join(artifacts, 'crew-offline-map-390x844.png') });

  // 4. Back online: the queue goes by itself (the browser's "online" event), photo first.
  await context.setOffline(false);
  await page.waitForSelector('#sync-bar[data-state="synced"]', { timeout: 30000 });
  await page.waitForSelector(`.visit[data-visit-id="${b}"] .sync-badge[data-sync="synced"]`);
  await page.waitForSelector(`.visit[data-visit-id="${c}"] .sync-badge[data-sync="synced"]`);
  await screenshot(page, 'crew-synced-390x844');
  await screen(page, 'crew-synced-390x844');
  await page.locator('#finished').screenshot({ path: path.join(artifacts, 'crew-synced-finished-390x844.png') });
  await settled();
  const sentB = posted.find((p) => p.body.client_id !== posted[0].clientId && Number(p.body.photo_ids?.length) === 1);
  assert.ok(sentB, `the completion with the photo was sent: ${JSON.stringify(posted.map((p) => p.body))}`);
  assert.equal(sentB.body.photo_roles[sentB.body.photo_ids[0]], 'after');
  const sentC = posted.find((p) => p.body.outcome === 'not_done');
  assert.equal(sentC.body.reason, 'parked_car');

  // 5. The server has each completion once: the day shows them, and each client_id sent again
  // (whatever the body says) answers 200 duplicate:true with the completion first stored.
  served = (await serverApi(context, `/api/me/day?date=${date}`)).body;
  const byId = new Map(served.features.map((f) => [f.id, f.properties]));
  assert.equal(byId.get(a).status, 'done');
  assert.equal(byId.get(b).status, 'done');
  assert.equal(byId.get(c).status, 'not_done');
  assert.equal(byId.get(c).completion.reason, 'parked_car');
  const clientIds = [...new Set(posted.map((p) => p.clientId))];
  assert.equal(clientIds.length, 3, 'three completions recorded, three client ids');
  for (const clientId of clientIds) {
    const first = posted.find((p) => p.clientId === clientId && (p.status === 201 || p.status === 200));
    const visitId = [a, b, c].find((v) => byId.get(v).completion?.id === first.answer.completion.id);
    assert.ok(visitId, `the day shows the completion ${first.answer.completion.id} stored for ${clientId}`);
    const again = await serverApi(context, `/api/visits/${visitId}/completions`, { method: 'POST',
      json: { client_id: clientId, outcome: 'not_done', reason: 'weather', at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.duplicate, true);
    assert.equal(again.body.completion.id, first.answer.completion.id);
    assert.equal(again.body.completion.outcome, first.body.outcome);
    // The photo taken offline is attached to its completion, as an after photo.
    assert.deepEqual(again.body.completion.photos.map((p) => [p.id, p.role]),
      (first.body.photo_ids ?? []).map((id) => [id, first.body.photo_roles[id]]));
  }
  // The photo went up once, resized on the phone (2400 x 1800 drawn, 1600 px at most sent).
  assert.equal(photos.length, 1, JSON.stringify(photos));
  assert.equal(photos[0].status, 201);
  assert.equal(String(photos[0].answer.id), sentB.body.photo_ids[0]);
  assert.ok(photos[0].answer.width <= 1600 && photos[0].answer.height <= 1600, JSON.stringify(photos[0].answer));
  served = (await serverApi(context, `/api/me/day?date=${date}`)).body;
  assert.equal(served.features.find((f) => f.id === a).properties.status, 'done', 'a resent client_id changed nothing');
  assert.deepEqual(page.jsErrors, []);
  await context.close();
});

test('the crew page on a desktop: the map beside the list, and keyboard use of the form', async () => {
  const page = await openPage(browser, server, '/staff/sign-in.html?return_to=%2Fstaff%2Fcrew.html', { width: 1280, height: 800 });
  await signIn(page, accounts.streetscene);
  await page.waitForURL(`${server.url}/staff/crew.html`);
  const { date } = await dayWithWork(page.context(), 1);
  await page.goto(`${server.url}/staff/crew.html?date=${date}`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#map canvas.leaflet-tile-loaded');
  const mapBox = await page.locator('#map').boundingBox();
  const listBox = await page.locator('#list-panel').boundingBox();
  assert.ok(mapBox.x > listBox.x + listBox.width - 1, `the map is beside the list: map ${JSON.stringify(mapBox)}, list ${JSON.stringify(listBox)}`);
  assert.ok(mapBox.height >= 420);
  await screenshot(page, 'crew-day-1280x800');

  // The form by keyboard: a refusal names the missing choice, Escape closes it.
  await page.focus('#next button.record');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#complete-panel:not([hidden])');
  await page.click('#save');
  assert.equal(await page.textContent('#outcome-error'), 'Choose Done or Not done.');
  await page.check('#outcome-not-done');
  await page.click('#save');
  assert.equal(await page.textContent('#reason-error'), 'Choose why it was not done.');
  await page.click('#quantities summary');
  await page.fill('#fill_percent', '140');
  await page.selectOption('#reason', 'weather');
  await page.click('#save');
  assert.equal(await page.textContent('#fill_percent-error'), 'How full must be a whole number from 0 to 100.');
  await screenshot(page, 'crew-form-errors-1280x800');
  assert.deepEqual(await seriousViolations(page), []);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#complete-panel', { state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('record')), true, 'focus back on the stop');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});
