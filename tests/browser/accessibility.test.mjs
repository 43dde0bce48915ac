// axe-core on every page at phone (360 x 740) and desktop (1280 x 800) sizes: no serious or
// critical violations. Screenshots of each go to the build directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, seriousViolations, screenshot } from './support.mjs';

let server;
let browser;
let token;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const form = new URLSearchParams({ api_key: 'demo-web-key', service_code: 'litter', lat: '53.650829',
    long: '-2.6292194', description: 'For the accessibility run' });
  const response = await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', body: form });
  token = (await response.json())[0].tracking_token;
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const pages = [
  ['report', '/', 'body[data-ready="true"]'],
  ['track', () => `/track.html#${token}`, 'body[data-ready="true"]'],
  ['reports', '/reports.html', 'body[data-ready="true"]'],
  ['ward', '/ward.html?code=E05013066', 'body[data-ready="true"]'],
  ['status', '/status.html', '#status dd'],
];
const sizes = [[360, 740], [1280, 800]];

for (const [name, url, readySelector] of pages) {
  for (const [width, height] of sizes) {
    test(`${name} page at ${width}x${height}: no serious or critical axe violations`, async () => {
      const page = await openPage(browser, server, typeof url === 'function' ? url() : url, { width, height });
      await page.waitForSelector(readySelector);
      await screenshot(page, `${name}-${width}x${height}`);
      const violations = await seriousViolations(page);
      assert.deepEqual(violations, [], violations.join('\n'));
      assert.deepEqual(page.jsErrors, []);
      await page.context().close();
    });
  }
}

test('report page is usable by keyboard alone: type-ahead, category, questions, submit', async () => {
  const page = await openPage(browser, server, '/', { width: 1280, height: 800 });
  await page.waitForSelector('body[data-ready="true"]');
  await page.keyboard.press('Tab'); // skip link
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  await page.focus('#address');
  await page.keyboard.type('1 market st');
  await page.waitForSelector('#address-options [role="option"]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#location-chosen:has-text("Pin placed")');
  // The focus ring is visible: the focused control has an outline.
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  await page.focus('#category');
  await page.selectOption('#category', 'litter');
  await page.focus('#description');
  await page.keyboard.type('Typed with the keyboard only');
  await page.focus('#submit');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#confirmation:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'confirmation', 'focus moves to the confirmation');
  await page.context().close();
});
