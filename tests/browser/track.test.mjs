// The reporter's tracking page: status, target date and history of a real report, its place
// on the map (the shared basemap, the pin at the point the tracking document gives, by
// keyboard too, at phone and desktop sizes), an update added through the page, following by
// email, reopening a closed report, and a bad link; then the pages of the links mailed to a
// follower (confirm, unsubscribe), opened from real messages of a real SMTP server, in the
// site's look at both sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  artifacts, startServer, startSmtpSink, launchBrowser, openPage, screenshot, seriousViolations,
} from './support.mjs';

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

async function createReport(fields) {
  const form = new URLSearchParams({ api_key: 'demo-web-key', lat: '53.650829', long: '-2.6292194', ...fields });
  const response = await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', body: form });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json())[0];
}

test('tracking page: status, expected date, history; an update and a follower added', async () => {
  const created = await createReport({ service_code: 'litter', description: 'Crisp packets everywhere' });
  const page = await openPage(browser, server, `/track.html#${created.tracking_token}`, { width: 360, height: 740 });
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(await page.textContent('#title'), new RegExp(`Litter: report ${created.service_request_id}`));
  assert.equal(await page.textContent('#status'), 'Open');
  const expected = await page.textContent('#expected');
  assert.match(expected, /\d{4}/, `a target date is shown, not "${expected}"`);
  assert.equal(await page.textContent('#description'), 'Crisp packets everywhere');
  assert.match(await page.textContent('#history'), /You reported it/);

  // An empty update is refused by the page, next to the field.
  await page.click('#update-submit');
  assert.match(await page.textContent('#update-text-error'), /Write what has changed/);

  await page.fill('#update-text', 'Now blowing into the road');
  await page.click('#update-submit');
  await page.waitForSelector('#update-done:has-text("update has been added")');
  assert.match(await page.textContent('#history'), /Now blowing into the road/);

  // The server holds the note too.
  const tracked = await (await fetch(`${server.url}/api/track/${created.tracking_token}`)).json();
  assert.ok(tracked.history.some((h) => h.note === 'Now blowing into the road' && h.by === 'reporter'));

  await page.fill('#follow-email', 'not-an-email');
  await page.click('#follow-form button[type=submit]');
  await page.waitForSelector('#follow-email-error:not(:empty)');
  await page.fill('#follow-email', 'neighbour@example.org');
  await page.click('#follow-form button[type=submit]');
  await page.waitForSelector('#follow-done:has-text("neighbour@example.org")');
  assert.equal(await page.textContent('#follow-email-error'), '');
  await screenshot(page, 'track-360x740');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

/** The map's state and the pin's place on screen against the report's point. */
function mapState(page) {
  return page.evaluate(() => {
    const { map } = document.querySelector('#map').wardmap;
    const box = document.querySelector('#map').getBoundingClientRect();
    const pins = [...document.querySelectorAll('#map .leaflet-marker-icon.pin')];
    const pin = pins[0]?.getBoundingClientRect();
    const centre = map.getCenter();
    return {
      zoom: map.getZoom(),
      centre: [centre.lat, centre.lng],
      pins: pins.length,
      title: pins[0]?.getAttribute('title'),
      // The pin's tip (iconAnchor [14, 34]) on the screen, and the map's box.
      tip: pin ? [pin.left + 14, pin.top + 34] : null,
      box: { left: box.left, top: box.top, right: box.right, bottom: box.bottom, width: box.width, height: box.height },
      label: document.querySelector('#map').getAttribute('aria-label'),
      tiles: document.querySelectorAll('#map canvas.leaflet-tile-loaded').length,
    };
  });
}

for (const [width, height] of [[390, 844], [1280, 800]]) {
  test(`tracking page at ${width}x${height}: the map shows the report's pin on the basemap, by keyboard too`, async () => {
    const created = await createReport({ service_code: 'litter', description: `Pin at ${width}` });
    const tracked = await (await fetch(`${server.url}/api/track/${created.tracking_token}`)).json();
    assert.ok(Number.isFinite(tracked.lat) && Number.isFinite(tracked.long), JSON.stringify(tracked));
    assert.ok(Math.abs(tracked.lat - 53.650829) < 1e-5 && Math.abs(tracked.long + 2.6292194) < 1e-5);

    const page = await openPage(browser, server, `/track.html#${created.tracking_token}`, { width, height });
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.isVisible('#map'), true);
    // The basemap's own vector tiles are drawn under the pin.
    await page.waitForFunction(() => document.querySelectorAll('#map canvas.leaflet-tile-loaded').length > 0);
    let state = await mapState(page);
    assert.equal(state.pins, 1);
    assert.equal(state.title, `Report ${created.service_request_id} is here`);
    assert.equal(state.label, 'Map of the place you reported');
    assert.equal(state.zoom, 17);
    assert.ok(Math.abs(state.centre[0] - tracked.lat) < 1e-6 && Math.abs(state.centre[1] - tracked.long) < 1e-6,
      `the map is centred on the report: ${state.centre}`);
    // The pin's tip is where the map puts the report's point, inside the map.
    const expected = await page.evaluate(([lat, lon]) => {
      const { map } = document.querySelector('#map').wardmap;
      const p = map.latLngToContainerPoint([lat, lon]);
      const box = document.querySelector('#map').getBoundingClientRect();
      return [box.left + p.x, box.top + p.y];
    }, [tracked.lat, tracked.long]);
    assert.ok(Math.hypot(state.tip[0] - expected[0], state.tip[1] - expected[1]) < 2, `pin ${state.tip} vs ${expected}`);
    assert.ok(state.tip[0] > state.box.left && state.tip[0] < state.box.right
      && state.tip[1] > state.box.top && state.tip[1] < state.box.bottom, 'the pin is inside the map');
    // Big enough to use: nearly the page's width on a phone, beside the report on a desktop.
    assert.ok(state.box.width >= (width < 600 ? width - 40 : 320), `map ${state.box.width} px wide`);
    assert.ok(state.box.height >= 240, `map ${state.box.height} px high`);
    if (width >= 900) {
      const summary = await page.evaluate(() => document.querySelector('.track-summary').getBoundingClientRect().right);
      assert.ok(state.box.left > summary, 'the map is beside the report on a desktop');
      assert.ok(state.box.bottom <= height, 'the whole map is in the first screen on a desktop');
    }
    await page.locator('#map').scrollIntoViewIfNeeded();
    await screenshot(page, `track-map-${width}x${height}`);
    await page.locator('.track-map-panel').screenshot({ path: path.join(artifacts, `track-map-panel-${width}x${height}.png`) });

    // By keyboard alone: Tab reaches the map, the arrows move it, - zooms out, and the button
    // after it brings the report's place back.
    // Nothing is focusable between the header's last link and the map.
    await page.focus('.site-header nav li:last-child a');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'map');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none',
      'the focused map shows a focus ring');
    // One key at a time: Leaflet ignores a pan key while the last pan still animates.
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((lon) => document.querySelector('#map').wardmap.map.getCenter().lng > lon + 1e-4,
      tracked.long, { timeout: 5000 });
    await page.waitForTimeout(400);
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((lat) => document.querySelector('#map').wardmap.map.getCenter().lat < lat - 1e-4,
      tracked.lat, { timeout: 5000 });
    await page.waitForTimeout(400);
    await page.keyboard.press('-');
    await page.waitForFunction(() => document.querySelector('#map').wardmap.map.getZoom() < 17, null, { timeout: 5000 });
    // Past the map's own zoom buttons and attribution links to the button after the map.
    for (let i = 0; i < 8 && await page.evaluate(() => document.activeElement.id) !== 'map-recentre'; i += 1) {
      await page.keyboard.press('Tab');
    }
    assert.equal(await page.evaluate(() => document.activeElement.id), 'map-recentre');
    await page.keyboard.press('Enter');
    await page.waitForFunction(([lat, lon]) => {
      // The report's point back in the middle of the map (to the pixel: an animated zoom
      // ends on whole pixels).
      const { map } = document.querySelector('#map').wardmap;
      const p = map.latLngToContainerPoint([lat, lon]);
      const size = map.getSize();
      return map.getZoom() === 17 && Math.hypot(p.x - size.x / 2, p.y - size.y / 2) < 2;
    }, [tracked.lat, tracked.long], { timeout: 5000 });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'map', 'focus goes back to the map');

    // An update re-renders the report; the one pin stays.
    await page.fill('#update-text', 'Still there');
    await page.click('#update-submit');
    await page.waitForSelector('#update-done:has-text("update has been added")');
    assert.equal((await mapState(page)).pins, 1);

    const violations = await seriousViolations(page);
    assert.deepEqual(violations, [], violations.join('\n'));
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });
}

test('tracking page: a closed report can be reopened by its reporter', async () => {
  const created = await createReport({ service_code: 'litter', description: 'Bottles' });
  const staff = new URLSearchParams({ api_key: 'demo-staff-key', service_request_id: created.service_request_id,
    update_id: `browser-${created.service_request_id}`, status: 'FIXED',
    updated_datetime: new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z'), description: 'Cleared' });
  const closed = await fetch(`${server.url}/open311/v2/servicerequestupdates.json`, { method: 'POST', body: staff });
  assert.equal(closed.status, 200, await closed.clone().text());

  const page = await openPage(browser, server, `/track.html?token=${created.tracking_token}`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#status'), 'Fixed');
  assert.match(await page.textContent('#history'), /The council changed the status from Open to Fixed/);
  await page.check('#reopen');
  await page.fill('#update-text', 'They are back');
  await page.click('#update-submit');
  await page.waitForSelector('#update-done:has-text("open again")');
  assert.equal(await page.textContent('#status'), 'Reopened');
  await page.context().close();
});

test('tracking page: an unknown link says so in plain words', async () => {
  const page = await openPage(browser, server, '/track.html#no-such-token');
  await page.waitForSelector('#load-error:not([hidden])');
  assert.match(await page.textContent('#load-error'), /could not find a report for this link/);
  await page.context().close();
});

/** Waits (20 s at most) for a message to `to` whose text matches `what`; returns it. */
async function mailTo(sink, to, what) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const found = sink.messages().find((m) => m.includes(`To: <${to}>`) && what.test(m));
    if (found) return found;
    await new Promise((resolve) => { setTimeout(resolve, 250); });
  }
  assert.fail(`no message to ${to} matching ${what}`);
  return '';
}

/** The path of the first link to `route` in a message. */
function linkPath(message, route) {
  const m = new RegExp(`https?://\\S+?(${route}[A-Za-z0-9_-]+)`).exec(message);
  assert.ok(m, `no ${route} link in:\n${message}`);
  return m[1];
}

/**
 * A mail link's page at `width` x `height`: the residents' header and stylesheet (the brand
 * colour of css/base.css applied), `title`, the button, links on to the report's ward page
 * (unless `ward` is false) and the local reports, nothing wider than the screen, nothing refused by its CSP, axe, a screenshot.
 */
async function checkMailPage(on, urlPath, { width, height, title, button, shot, ward = true }) {
  const page = await openPage(browser, on, urlPath, { width, height });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const failed = [];
  page.on('response', (r) => { if (r.request().resourceType() !== 'document' && r.status() >= 400) failed.push(r.url()); });
  const response = await page.reload();
  // An unknown or used link is a 404 page, which chromium also logs as an error.
  if (response.status() === 404) {
    const i = consoleErrors.findIndex((e) => /status of 404/.test(e));
    if (i >= 0) consoleErrors.splice(i, 1);
  }
  assert.equal(await page.textContent('h1'), title);
  assert.equal(await page.title(), `${title} – Chorley Council`);
  assert.equal(await page.textContent('.site-header .brand'), 'Chorley Council wardmap');
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.site-header')).backgroundColor),
    'rgb(29, 63, 114)', 'css/base.css is applied');
  if (button) {
    assert.equal(await page.textContent('form[method="post"] button.primary'), button);
    assert.ok(await page.isVisible('form[method="post"] button'));
  } else {
    assert.equal(await page.locator('form').count(), 0);
  }
  if (ward) {
    assert.match(await page.getAttribute('.mail-link-next a[href^="/ward.html"]', 'href'), /^\/ward\.html\?code=E05\d{6}$/);
  } else {
    assert.equal(await page.locator('a[href^="/ward.html"]').count(), 0);
  }
  assert.equal(await page.getAttribute('.mail-link-next a[href="/reports.html"]', 'href'), '/reports.html');
  assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth), 'nothing wider than the screen');
  await screenshot(page, shot);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  assert.deepEqual(consoleErrors, [], 'nothing refused by the CSP');
  assert.deepEqual(failed, [], 'every resource loaded');
  // axe is a script, which the page's CSP refuses: it runs in a copy opened past the CSP.
  const checked = await openPage(browser, on, urlPath, { width, height, bypassCSP: true });
  const violations = await seriousViolations(checked);
  assert.deepEqual(violations, [], violations.join('\n'));
  await checked.context().close();
  return page;
}

test('a follower\'s mailed links: the confirm and unsubscribe pages in the site\'s look, by keyboard', async (t) => {
  const sink = await startSmtpSink();
  if (!sink) {
    t.skip('needs Debian\'s python3-aiosmtpd (scripts/setup installs it)');
    return;
  }
  const mailing = await startServer({ args: sink.serveArgs() });
  try {
    const form = new URLSearchParams({ api_key: 'demo-web-key', lat: '53.650829', long: '-2.6292194',
      service_code: 'litter', description: 'Followed by a neighbour', email: 'reporter@example.org' });
    const created = (await (await fetch(`${mailing.url}/open311/v2/requests.json`, { method: 'POST', body: form })).json())[0];
    const tracking = await openPage(browser, mailing, `/track.html#${created.tracking_token}`, { width: 390, height: 844 });
    await tracking.waitForSelector('body[data-ready="true"]');
    await tracking.fill('#follow-email', 'neighbour@example.org');
    await tracking.click('#follow-form button[type=submit]');
    await tracking.waitForSelector('#follow-done:has-text("neighbour@example.org")');
    await tracking.context().close();

    const confirmPath = linkPath(await mailTo(sink, 'neighbour@example.org', /Subject: Confirm/), '/api/follow/confirm/');
    for (const [width, height] of [[1280, 800], [390, 844]]) {
      const page = await checkMailPage(mailing, confirmPath, { width, height, title: 'Confirm following this report',
        button: 'Confirm', shot: `mail-confirm-${width}x${height}` });
      if (width < 600) {
        // Confirmed by keyboard: the button takes the focus and Enter posts the form.
        await page.focus('form[method="post"] button');
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
        assert.equal(await page.textContent('h1'), 'You are following this report');
        await screenshot(page, `mail-confirmed-${width}x${height}`);
      }
      await page.context().close();
    }
    // The used link: the same look, and no report to link to.
    const used = await checkMailPage(mailing, confirmPath, { width: 390, height: 844, title: 'Link not valid',
      shot: 'mail-link-not-valid-390x844', ward: false });
    assert.match(await used.textContent('main p'), /^This confirmation link is unknown, has expired or has been used; .*\.$/);
    await used.context().close();

    // A change to the report reaches the follower with a link to stop the messages.
    const update = new URLSearchParams({ api_key: 'demo-staff-key', service_request_id: created.service_request_id,
      update_id: `mail-${created.service_request_id}`, status: 'INVESTIGATING',
      updated_datetime: new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z'), description: 'Having a look' });
    const posted = await fetch(`${mailing.url}/open311/v2/servicerequestupdates.json`, { method: 'POST', body: update });
    assert.equal(posted.status, 200, await posted.clone().text());
    const stopPath = linkPath(await mailTo(sink, 'neighbour@example.org', /Having a look/), '/api/unsubscribe/');
    for (const [width, height] of [[1280, 800], [390, 844]]) {
      const page = await checkMailPage(mailing, stopPath, { width, height, title: 'Stop messages about this report',
        button: 'Stop messages', shot: `mail-unsubscribe-${width}x${height}` });
      if (width < 600) {
        await Promise.all([page.waitForNavigation(), page.click('form[method="post"] button')]);
        assert.equal(await page.textContent('h1'), 'Messages stopped');
        await screenshot(page, `mail-unsubscribed-${width}x${height}`);
      }
      await page.context().close();
    }
  } finally {
    await mailing.stop();
    await sink.stop();
  }
});
