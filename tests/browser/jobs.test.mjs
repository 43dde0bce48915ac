// A report that became a streetscene job, as its reporter sees it: a fly-tipping report is made
// into a job on the cleansing crew's day by the demo supervisor, the crew's officer records it
// done with an "after" photo, and the tracking page shows the council closing it, its note,
// and the photo (loaded, linked to the full size), at phone and desktop sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, screenshot, seriousViolations } from './support.mjs';

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

async function signIn(email, password) {
  const r = await fetch(`${server.url}/api/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  assert.equal(r.status, 200, await r.clone().text());
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf_token };
}

function call(who, method, target, body, type = 'application/json') {
  return fetch(`${server.url}${target}`, {
    method, body, headers: { Cookie: who.cookie, 'X-CSRF-Token': who.csrf, 'Content-Type': type } });
}

// A small JPEG drawn by the browser (no image files in the repository).
async function picture(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 400;
    canvas.height = 300;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#2d6a4f';
    ctx.fillRect(0, 0, 400, 300);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(100, 80, 200, 140);
    return canvas.toDataURL('image/jpeg', 0.9);
  });
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

test('tracking page: a job cleared by the crew shows the closure and the after photo', async () => {
  const form = new URLSearchParams({
    api_key: 'demo-web-key', lat: '53.650829', long: '-2.6292194', service_code: 'fly_tipping',
    description: 'Sofa and bags behind the shops', 'attribute[waste_type][]': 'furniture',
    'attribute[amount]': 'car_boot' });
  const created = (await (await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', body: form })).json())[0];

  const supervisor = await signIn('supervisor@demo.wardmap.test', 'Demo-supervisor-1');
  const officer = await signIn('streetscene@demo.wardmap.test', 'Demo-streetscene-1');
  const made = await call(supervisor, 'POST', `/api/requests/${created.service_request_id}/job`, JSON.stringify({ crew: 'cleansing' }));
  assert.equal(made.status, 201, await made.clone().text());
  const job = await made.json();

  const page = await openPage(browser, server, `/track.html#${created.tracking_token}`, { width: 360, height: 740 });
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#status'), 'Action scheduled');
  assert.match(await page.textContent('#history'), /streetscene crew is booked/);

  const uploaded = await call(officer, 'POST', '/api/photos', await picture(page), 'image/jpeg');
  assert.equal(uploaded.status, 201, await uploaded.clone().text());
  const photo = await uploaded.json();
  const done = await call(officer, 'POST', `/api/visits/${job.visit_id}/completions`, JSON.stringify({
    client_id: `browser-job-${job.id}`, outcome: 'done', at: new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z'),
    photo_ids: [photo.id], photo_roles: { [photo.id]: 'after' } }));
  assert.equal(done.status, 201, await done.clone().text());

  for (const size of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
    await page.setViewportSize(size);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#status'), 'Fixed');
    assert.equal(await page.textContent('#expected'), 'Closed');
    const history = await page.textContent('#history');
    assert.match(history, /The council changed the status from Action scheduled to Fixed/);
    assert.match(history, /Cleared by the streetscene crew/);
    const img = page.locator('#history li:last-child .history-photos img');
    assert.equal(await img.count(), 1);
    assert.match(await img.getAttribute('alt'), /Photo 1 from the council/);
    // The thumbnail really loaded, and links to the full photo.
    await page.waitForFunction(() => {
      const i = document.querySelector('#history li:last-child .history-photos img');
      return i && i.complete && i.naturalWidth > 0;
    });
    const href = await page.locator('#history li:last-child .history-photos a').getAttribute('href');
    assert.ok(href.endsWith(`/media/photos/${photo.id}.jpg`), href);
    assert.equal((await fetch(href)).status, 200);
    await screenshot(page, `track-job-closed-${size.width}x${size.height}`);
  }
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});
