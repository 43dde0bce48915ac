// The streetscene supervisor's page against the real server: a day with completions recorded
// through the API by the demo crew officer, then the page's table per crew and its map, each
// visit drawn in its status's colour (pixels read back from the map's canvas), the legend;
// reassigning a visit to another crew, then to one person (the officer: on their own day), and a
// round to a crew from a date, each checked through the API afterwards; the weekly plan table.
// Screenshots at 1280x800 and 390x844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startServer, launchBrowser, openPage, seriousViolations, screenshot, binary } from './support.mjs';

let server;
let browser;
let accounts;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const printed = execFileSync(binary, ['demo-data', '--print-accounts'], { encoding: 'utf8' });
  accounts = Object.fromEntries([...printed.matchAll(/^\s+(\S+@\S+)\s+password\s+(\S+)\s+\((\w+)(?:, (\w+))?/gm)]
    .map(([, email, password, role, team]) => [email.split('@')[0], { email, password, role, team }]));
  assert.ok(accounts.streetscene, `demo accounts printed:\n${printed}`);
  // A streetscene supervisor: the demo's own when it has one, else one added to this
  // server's database with the CLI, as an administrator would.
  const demoSupervisor = Object.values(accounts).find((a) => a.role === 'supervisor' && a.team === 'streetscene');
  if (demoSupervisor) {
    accounts.supervisor = demoSupervisor;
  } else {
    accounts.supervisor = { email: 'sue.supervisor@demo.wardmap.test', password: 'Supervisor-test-1' };
    execFileSync(binary, ['users', 'add', accounts.supervisor.email, '--name', 'Sue Supervisor', '--role', 'supervisor',
      '--team', 'streetscene', '--db', server.db], { env: { ...process.env, WARDMAP_PASSWORD: accounts.supervisor.password } });
  }
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A signed-in API session from node: POST /api/session, then calls with its cookie and CSRF token. */
async function session({ email, password }) {
  const response = await fetch(`${server.url}/api/session`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  assert.equal(response.status, 200, `sign-in of ${email}: ${await response.clone().text()}`);
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const me = await (await fetch(`${server.url}/api/me`, { headers: { Cookie: cookie } })).json();
  return async (path, { method = 'GET', json } = {}) => {
    const headers = { Cookie: cookie, Accept: 'application/json', 'X-CSRF-Token': me.csrf_token };
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${server.url}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const text = await r.text();
    let body = null;
    try { body = JSON.parse(text); } catch { body = text; }
    return { status: r.status, body };
  };
}

async function signIn(page, { email, password }) {
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.keyboard.press('Enter');
}

/**
 * The colour the map's canvas shows at a visit's marker, with the map centred on it at zoom 19
 * (where no two stops overlap): the pixel at the circle's centre, read back from the canvas.
 */
async function pixelAtVisit(page, visitId) {
  return page.evaluate(async (id) => {
    const { map } = document.getElementById('map').wardmap;
    let marker = null;
    map.eachLayer((layer) => { if (layer instanceof window.L.CircleMarker && layer.visitId === id) marker = layer; });
    if (!marker) return null;
    map.setView(marker.getLatLng(), 19, { animate: false });
    await new Promise((resolve) => { requestAnimationFrame(() => requestAnimationFrame(resolve)); });
    const renderer = marker._renderer;
    const ratio = window.devicePixelRatio || 1;
    const x = Math.round((marker._point.x - renderer._bounds.min.x) * ratio);
    const y = Math.round((marker._point.y - renderer._bounds.min.y) * ratio);
    const [r, g, b] = renderer._ctx.getImageData(x, y, 1, 1).data;
    return { fill: marker.options.fillColor, rgb: [r, g, b] };
  }, visitId);
}

const hex = (rgb) => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

test('supervisor: the day per crew on a map in status colours, reassigning a visit and a round, the week', async () => {
  const officer = await session(accounts.streetscene);
  // A day with work for the officer's crew; record one done and one not done there.
  let date = null;
  let day = null;
  for (let i = 0; i < 21 && !date; i += 1) {
    const d = new Date(Date.now() + i * 86400000).toISOString().slice(0, 10);
    const answer = await officer(`/api/me/day?date=${d}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    if (answer.body.features.filter((f) => f.properties.status === 'planned').length >= 4) {
      date = d;
      day = answer.body;
    }
  }
  assert.ok(date, 'a day with work for the demo officer in the next three weeks');
  const [first, second, third] = day.features.filter((f) => f.properties.status === 'planned');
  for (const [visit, body] of [[first, { outcome: 'done' }], [second, { outcome: 'not_done', reason: 'blocked_access' }]]) {
    const r = await officer(`/api/visits/${visit.id}/completions`, { method: 'POST',
      json: { client_id: randomUUID(), at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), ...body } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const supervisor = await session(accounts.supervisor);
  const progress = (await supervisor(`/api/crews/progress?date=${date}`)).body;
  const crewOf = (f) => f.properties.crew ?? f.properties.crew_code;
  const ownCrew = crewOf(progress.features.find((f) => f.id === first.id));
  assert.ok(ownCrew, `the progress answer names each visit's crew: ${JSON.stringify(progress.features[0]?.properties)}`);

  const page = await openPage(browser, server, `/staff/sign-in.html?return_to=${encodeURIComponent(`/staff/supervisor.html?date=${date}&crew=${ownCrew}`)}`,
    { width: 1280, height: 800 });
  await signIn(page, accounts.supervisor);
  await page.waitForURL(/\/staff\/supervisor\.html/);
  await page.waitForSelector('body[data-ready="true"]');

  // The table: the crew's row counts what the API counts.
  const row = page.locator(`#progress-table tr[data-crew="${ownCrew}"]`);
  const expected = progress.crews.find((c) => (c.crew?.code ?? c.code) === ownCrew).counts;
  assert.equal(await row.locator('td[data-count="done"]').textContent(), String(expected.done));
  assert.equal(await row.locator('td[data-count="not_done"]').textContent(), String(expected.not_done));
  assert.equal(await row.locator('td[data-count="planned"]').textContent(), String(expected.planned));
  assert.ok(expected.done >= 1 && expected.not_done >= 1);

  // The map: the crew's visits, each in its status's colour, read back from the canvas.
  await page.waitForSelector('#map canvas.leaflet-tile-loaded');
  const crewVisits = progress.features.filter((f) => crewOf(f) === ownCrew);
  const drawn = await page.evaluate(() => {
    let n = 0;
    document.getElementById('map').wardmap.map.eachLayer((l) => { if (l instanceof window.L.CircleMarker) n += 1; });
    return n;
  });
  assert.equal(drawn, crewVisits.length, 'one marker per visit of the chosen crew');
  assert.deepEqual(await page.$$eval('#supervisor-legend li', (els) => els.map((e) => e.textContent)),
    [`Still to do: ${expected.planned}`, `Done: ${expected.done}`, `Not done: ${expected.not_done}`]);
  await screenshot(page, 'supervisor-1280x800');
  assert.deepEqual(await seriousViolations(page), []);
  // Each status's colour on the canvas where its visit is (the chosen crew's map).
  for (const [visit, fill] of [[first, '#0b6b2f'], [second, '#d4351c'], [third, '#ffffff']]) {
    const pixel = await pixelAtVisit(page, visit.id);
    assert.ok(pixel, `visit ${visit.id} has a marker`);
    assert.equal(pixel.fill, fill, `visit ${visit.id}'s marker is filled ${fill}`);
    assert.equal(hex(pixel.rgb), fill, `the canvas shows ${fill} at visit ${visit.id}`);
  }

  // Reassign the third visit to another crew: found by its label, then the API says so.
  const otherCrew = (await page.$$eval('#visit-crew option', (os) => os.map((o) => o.value))).find((v) => v && v !== ownCrew);
  assert.ok(otherCrew, 'the demo has a second crew to hand work to');
  await page.fill('#visit-search', third.properties.label);
  await page.click(`#visit-matches button >> nth=0`);
  assert.equal(await page.getAttribute('#visit-chosen', 'data-visit-id'), String(third.id));
  await page.selectOption('#visit-crew', otherCrew);
  await page.click('#visit-submit');
  await page.waitForSelector('#visit-done:not(:empty)');
  const otherDay = (await supervisor(`/api/crews/${otherCrew}/day?date=${date}`)).body;
  assert.ok(otherDay.features.some((f) => f.id === third.id), 'the visit is on the other crew\'s day');
  const ownDay = (await supervisor(`/api/crews/${ownCrew}/day?date=${date}`)).body;
  assert.ok(!ownDay.features.some((f) => f.id === third.id), 'and no longer on its own crew\'s');

  // Then the same visit to one person: the officer, chosen among the crews' members the page
  // lists (GET /api/crews, names only). It stays the other crew's and is on the officer's day.
  const crews = (await supervisor('/api/crews')).body.crews;
  assert.ok(crews.every((c) => c.members.every((m) => Object.keys(m).sort().join() === 'id,name')),
    `members are ids and names only: ${JSON.stringify(crews).slice(0, 300)}`);
  const officerId = day.person.id;
  assert.ok(crews.find((c) => c.code === ownCrew).members.some((m) => m.id === officerId), 'the officer is a member of their crew');
  await page.fill('#visit-search', third.properties.label);
  await page.click(`#visit-matches button >> nth=0`);
  assert.equal(await page.getAttribute('#visit-chosen', 'data-visit-id'), String(third.id));
  await page.selectOption('#visit-crew', '');
  await page.selectOption('#visit-person', String(officerId));
  await page.click('#visit-submit');
  await page.waitForFunction((name) => document.getElementById('visit-done').textContent.endsWith(`given to ${name}.`),
    day.person.name);
  const theirDay = (await officer(`/api/me/day?date=${date}`)).body;
  const assigned = theirDay.features.find((f) => f.id === third.id);
  assert.ok(assigned, 'the visit is on the officer\'s own day');
  assert.equal(assigned.properties.assigned_person?.id, officerId);
  assert.equal(assigned.properties.crew, otherCrew, 'and still its new crew\'s');

  // Hand the round over to the other crew from the day after.
  const round = first.properties.round_code;
  await page.selectOption('#round', round);
  await page.selectOption('#round-crew', otherCrew);
  const from = await page.inputValue('#round-from');
  await page.click('#round-submit');
  await page.waitForSelector('#round-done:not(:empty)');
  const week = (await supervisor(`/api/crews/${otherCrew}/week?from=${from}`)).body;
  assert.ok(JSON.stringify(week).includes(round), `the round is in the other crew's week from ${from}: ${JSON.stringify(week).slice(0, 400)}`);

  // The week's plan: one row per round with visits in the week.
  await page.selectOption('#week-crew', ownCrew);
  await page.click('#week-form button[type="submit"]');
  await page.waitForSelector('#week-table tbody tr');
  assert.ok(await page.locator('#week-table thead th').count() >= 6, 'a column per day');
  await screenshot(page, 'supervisor-reassigned-1280x800');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();

  // On a phone the page is one column and still usable.
  const phone = await openPage(browser, server, `/staff/sign-in.html?return_to=${encodeURIComponent(`/staff/supervisor.html?date=${date}`)}`,
    { width: 390, height: 844 });
  await signIn(phone, accounts.supervisor);
  await phone.waitForURL(/\/staff\/supervisor\.html/);
  await phone.waitForSelector('body[data-ready="true"]');
  const { overflow, wide } = await phone.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    wide: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`),
  }));
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px: ${wide.join(', ')})`);
  await screenshot(phone, 'supervisor-390x844');
  // The staff home links a supervisor to both streetscene pages.
  await phone.goto(`${server.url}/staff/`);
  await phone.waitForSelector('body[data-ready="true"]');
  assert.deepEqual(await phone.$$eval('#tile-streetscene a', (as) => as.map((a) => a.getAttribute('href'))),
    ['/staff/crew.html', '/staff/supervisor.html']);
  assert.deepEqual(phone.jsErrors, []);
  await phone.context().close();
});

test('an officer who is not a supervisor is told so on the supervisor page', async () => {
  const page = await openPage(browser, server, '/staff/sign-in.html?return_to=%2Fstaff%2Fsupervisor.html', { width: 390, height: 844 });
  await signIn(page, accounts.streetscene);
  await page.waitForURL(/\/staff\/supervisor\.html/);
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(await page.textContent('#load-error'), /Only streetscene supervisors and administrators/);
  await page.context().close();
});
