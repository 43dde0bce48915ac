// My Account on a phone and a desktop: a resident asks for a sign-in link, takes it from the
// mail the real SMTP sink received, sees their report with its expected date, saves their
// address (bin and sweeping days, a link to My area), and deletes the account with a confirm
// step; axe finds nothing serious.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, startSmtpSink, launchBrowser, openPage, screenshot, seriousViolations,
} from './support.mjs';

let sink;
let server;
let browser;
let address; // a demo address with bin days: { uprn, label }
before(async () => {
  sink = await startSmtpSink();
  if (!sink) return;
  server = await startServer({ args: sink.serveArgs() });
  browser = await launchBrowser();
  const found = await (await fetch(`${server.url}/api/addresses?q=road&limit=40`)).json();
  for (const f of found.features) {
    const area = await (await fetch(`${server.url}/api/my-area?uprn=${f.id}`)).json();
    if (area.ward && area.bin_and_sweeping_days.in_use) {
      address = { uprn: f.id, label: f.properties.address };
      break;
    }
  }
  assert.ok(address, 'no demo address on "road" has bin days');
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.stop();
});

async function mailTo(to, what) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const found = sink.messages().find((m) => m.includes(`To: <${to}>`) && what.test(m));
    if (found) return found;
    await new Promise((resolve) => { setTimeout(resolve, 250); });
  }
  assert.fail(`no message to ${to} matching ${what}`);
  return '';
}

test('a resident signs in by the mailed link, sees a report, saves an address, deletes the account', async (t) => {
  if (!sink) {
    t.skip('needs Debian\'s python3-aiosmtpd (scripts/setup installs it)');
    return;
  }
  const email = 'rowan.resident@example.org';
  const form = new URLSearchParams({ api_key: 'demo-web-key', lat: '53.650829', long: '-2.6292194',
    service_code: 'litter', description: 'Litter on the verge', email });
  const created = (await (await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', body: form })).json())[0];

  const page = await openPage(browser, server, '/account.html', { width: 390, height: 844 });
  await page.waitForSelector('#sign-in:not([hidden])');
  await page.fill('#email', email);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#check-email:not([hidden])');
  assert.match(await page.textContent('#check-email-text'), /rowan\.resident@example\.org/);

  const message = await mailTo(email, /account\.html#/);
  const link = /https?:\/\/\S+?(\/account\.html#[A-Za-z0-9_-]+)/.exec(message);
  assert.ok(link, message);
  await page.goto(`${server.url}${link[1]}`);
  await page.waitForSelector('#signed-in:not([hidden])');
  assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
  assert.equal(await page.textContent('#who'), email);
  const item = page.locator('#reports .account-item');
  assert.equal(await item.count(), 1);
  assert.match(await item.textContent(), new RegExp(`Reference ${created.service_request_id}`));
  assert.match(await item.locator('.expected').textContent(), /^Expected by \d{1,2} \w+ \d{4}$/);
  assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth), 'nothing wider than the phone');

  // The address, chosen by keyboard from the type-ahead.
  await page.fill('#address', address.label.split(',')[0]);
  await page.waitForSelector(`#address-options [role="option"]:has-text("${address.label}")`);
  const options = await page.locator('#address-options [role="option"]').allTextContents();
  const index = options.indexOf(address.label);
  assert.ok(index >= 0, `${address.label} not among ${options}`);
  await page.focus('#address');
  for (let i = 0; i <= index; i += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#bin-days li');
  assert.equal(await page.getAttribute('#area-link', 'href'), `/area.html?uprn=${address.uprn}`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'account-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, 'account-desktop');

  // Deleting asks first; "No" keeps everything.
  await page.click('#delete');
  await page.waitForSelector('#delete-confirm:not([hidden])');
  await page.click('#delete-no');
  assert.ok(await page.isHidden('#delete-confirm'));
  await page.click('#delete');
  await page.click('#delete-yes');
  await page.waitForSelector('#sign-in:not([hidden])');
  assert.match(await page.textContent('#account-status'), /have been deleted/);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
  // The report is still public, without its reporter.
  const still = await fetch(`${server.url}/open311/v2/requests/${created.service_request_id}.json`);
  assert.equal(still.status, 200);
  const me = await fetch(`${server.url}/api/account`);
  assert.equal(me.status, 401);
});
