// The staff rounds page (staff/rounds.html) against the real server and the demo borough's
// rounds, signed in as a streetscene supervisor made with `wardmap users add`: the list with
// each rule in words, a round's stops on the basemap in order, its next visits, changing its
// rule (the words follow as it is typed), the server's 400s shown next to the field, a good
// change saved (version 2, in the history), an officer told they cannot plan rounds, axe, and
// phone and desktop screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, launchBrowser, openPage, seriousViolations, screenshot, binary } from './support.mjs';

const PASSWORD = 'correct horse battery staple 18';
let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  for (const [email, name, role] of [['sue.supervisor@example.org', 'Sue Supervisor', 'supervisor'],
    ['olly.officer@example.org', 'Olly Officer', 'officer']]) {
    execFileSync(binary, ['users', 'add', email, '--db', server.db, '--name', name, '--role', role,
      '--team', 'streetscene'], { env: { ...process.env, WARDMAP_PASSWORD: PASSWORD } });
  }
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedInPage(email, urlPath, size) {
  const page = await openPage(browser, server, '/staff/sign-in.html', size);
  const r = await page.request.post(`${server.url}/api/session`, { data: { email, password: PASSWORD } });
  assert.equal(r.status(), 200, await r.text());
  await page.goto(`${server.url}${urlPath}`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function ruleText(page) {
  return (await page.textContent('#rule-words')).trim();
}

test('rules in words', async () => {
  const page = await openPage(browser, server, '/staff/sign-in.html');
  const words = await page.evaluate(async () => {
    const { ruleWords } = await import('/staff/js/rule-words.js');
    return [
      ruleWords({ kind: 'rrule', rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', season: '03-01..10-31', bank_holidays: 'next_working_day' }),
      ruleWords({ kind: 'rrule', rrule: 'FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20271231', bank_holidays: 'skip' }),
      ruleWords({ kind: 'rrule', rrule: 'FREQ=MONTHLY;BYDAY=1MO', bank_holidays: 'work' }),
      ruleWords({ kind: 'working_days', interval_working_days: 10, suspension: '10-01..01-31', bank_holidays: 'next_working_day' }),
      ruleWords({ kind: 'per_season', visits_per_season: 7, season: '03-15..10-31', bank_holidays: 'next_working_day' }),
    ];
  });
  assert.deepEqual(words, [
    'every 2nd Tuesday, March to October, bank holidays: next working day',
    'every Monday and Thursday, until 31 December 2027, bank holidays: skipped',
    'the 1st Monday of every month, bank holidays: worked as usual',
    'every 10 working days, suspended October to January, bank holidays: next working day',
    '7 visits a season, spread over its working days, 15 March to 31 October, bank holidays: next working day',
  ]);
});

test('a supervisor sees the rounds, a round on the map, and changes its rule', async () => {
  const phone = { width: 390, height: 844 };
  const list = await signedInPage('sue.supervisor@example.org', '/staff/rounds.html', phone);
  const rows = await list.$$eval('#rounds-body tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.ok(rows.length >= 8, JSON.stringify(rows));
  const sweep = rows.find((r) => r[0].includes('DEMO-SWEEP-1'));
  assert.ok(sweep, JSON.stringify(rows));
  assert.equal(sweep[2], 'every 10 working days, suspended October to January, bank holidays: next working day');
  const refuse = rows.find((r) => r[0].includes('DEMO-REFUSE-TUE'));
  assert.equal(refuse[2], 'every 2nd Tuesday, bank holidays: next working day');
  assert.deepEqual(await seriousViolations(list), []);
  await screenshot(list, 'rounds-list-390x844');
  assert.deepEqual(list.jsErrors, []);

  // The Tuesday refuse round: its stops on the map, numbered in order, over the basemap.
  const code = 'DEMO-REFUSE-TUE';
  const round = await (await list.request.get(`${server.url}/api/rounds/${code}`)).json();
  const page = await signedInPage('sue.supervisor@example.org', `/staff/rounds.html?code=${code}`, phone);
  assert.equal(await page.textContent('#page-title'), round.name);
  assert.equal(await ruleText(page), 'every 2nd Tuesday, bank holidays: next working day');
  await page.waitForFunction(() => document.querySelectorAll('#round-map .leaflet-tile-container canvas, #round-map canvas').length > 0);
  const markers = await page.$$eval('#round-map .stop-number', (els) => els.map((e) => e.textContent));
  assert.equal(markers.length, round.stop_details.length);
  assert.deepEqual(markers.slice(0, 3), ['1', '2', '3']);
  assert.equal(await page.locator('#stop-list li').count(), round.stop_details.length);
  assert.equal(await page.textContent('#stop-list li >> nth=0'), round.stop_details[0].label);
  // Every marker is inside the map's view (fitted to the stops).
  const inside = await page.evaluate(() => {
    const box = document.getElementById('round-map').getBoundingClientRect();
    return [...document.querySelectorAll('#round-map .stop-number')].every((m) => {
      const r = m.getBoundingClientRect();
      return r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    });
  });
  assert.ok(inside, 'a stop is outside the map view');
  const next = await page.$$eval('#next-visits li', (lis) => lis.map((li) => li.textContent));
  assert.ok(next.length > 0 && next.every((t) => /^(Tue|Wed|Thu|Fri|Mon) /.test(t)), JSON.stringify(next));
  await screenshot(page, 'rounds-round-390x844');

  // Typing a rule changes its words at once.
  await page.fill('#f-rrule', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU');
  await page.fill('#f-season', '03-01..10-31');
  assert.equal(await ruleText(page), 'every 2nd Tuesday, March to October, bank holidays: next working day');

  // A rule libical rejects: the server's 400 is shown at the field and in the summary.
  await page.fill('#f-season', '');
  await page.fill('#f-rrule', 'FREQ=SOMETIMES');
  await page.click('#save');
  await page.waitForSelector('#error-summary:not([hidden])');
  const rruleError = await page.textContent('.field-error[data-field="rrule"]');
  assert.match(rruleError, /not an RFC 5545 recurrence rule/);
  assert.equal(await page.getAttribute('#f-rrule', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary');
  await screenshot(page, 'rounds-error-390x844');
  // One that ended before the horizon: says so.
  await page.fill('#f-first', '2026-11-03');
  await page.fill('#f-rrule', 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20261130');
  await page.click('#save');
  await page.waitForFunction(() => /ends on/.test(document.querySelector('.field-error[data-field="rrule"]').textContent));
  // An empty season.
  await page.fill('#f-rrule', 'FREQ=WEEKLY;BYDAY=TU');
  await page.fill('#f-season', '11-01..11-30');
  await page.fill('#f-suspension', '10-01..01-31');
  await page.click('#save');
  await page.waitForFunction(() => /no day to work/.test(document.querySelector('.field-error[data-field="season"]').textContent));
  assert.equal(await page.getAttribute('#f-season', 'aria-invalid'), 'true');

  // A good change: every Thursday from 10 December; saved as version 2, in the history.
  await page.fill('#f-season', '');
  await page.fill('#f-suspension', '');
  await page.fill('#f-rrule', 'FREQ=WEEKLY;BYDAY=TH');
  await page.fill('#f-first', '2026-12-10');
  await page.click('#save');
  await page.waitForSelector('#saved:not([hidden])');
  assert.match(await page.textContent('#saved'), /^Saved: version 2, \d+ visits planned/);
  assert.equal(await page.isHidden('#error-summary'), true);
  assert.equal(await ruleText(page), 'every Thursday, bank holidays: next working day');
  assert.match(await page.textContent('#changes li >> nth=0'), /Rule or stops changed by Sue Supervisor/);
  const after = await (await page.request.get(`${server.url}/api/rounds/${code}`)).json();
  assert.equal(after.rule_version, 2);
  assert.equal(after.rrule, 'FREQ=WEEKLY;BYDAY=TH');
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.jsErrors, []);

  const desktop = await signedInPage('sue.supervisor@example.org', `/staff/rounds.html?code=${code}`, { width: 1280, height: 800 });
  await desktop.waitForFunction(() => document.querySelectorAll('#round-map canvas').length > 0);
  // The map beside the facts on a desktop.
  const [facts, map] = await desktop.evaluate(() => ['round-code', 'round-map']
    .map((id) => document.getElementById(id).getBoundingClientRect().left));
  assert.ok(map > facts + 300, `map at ${map}, facts at ${facts}`);
  await screenshot(desktop, 'rounds-round-1280x800');
  const desktopList = await signedInPage('sue.supervisor@example.org', '/staff/rounds.html', { width: 1280, height: 800 });
  await screenshot(desktopList, 'rounds-list-1280x800');
});

test('an officer is told that rounds are planned by supervisors', async () => {
  const page = await signedInPage('olly.officer@example.org', '/staff/rounds.html', { width: 390, height: 844 });
  assert.match(await page.textContent('#page-error'), /planned by streetscene supervisors/);
  assert.equal(await page.isHidden('#round-list'), true);
});
