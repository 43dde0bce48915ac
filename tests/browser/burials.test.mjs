// The public grave search page (burials.html) at phone (390 x 844) and desktop (1280 x 800)
// sizes: "Smyth" finds the demo's Smiths, choosing one draws its grave on the council's basemap
// where the graves collection has it (on a phone the map opens under the burial chosen), no
// grant holder's name (the demo's holders all carry a middle initial, "Joan K. Ainscough") is
// anywhere on the page, and an empty name is refused next to the field. axe-core finds nothing
// serious.
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

for (const [label, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
  test(`grave search on a ${label}: Smyth finds Smith, the grave is shown on the map`, async () => {
    const page = await openPage(browser, server, '/burials.html', viewport);
    await page.waitForSelector('body[data-ready="true"]');
    // An empty name is refused by the page, next to the field.
    await page.click('#search-button');
    assert.match(await page.textContent('#name-error'), /surname/);

    await page.fill('#name', 'Smyth');
    await page.click('#search-button');
    await page.waitForSelector('#results li');
    assert.match(await page.textContent('#summary'), /\d+ burials? found/);
    // Exact spellings come first: "Show more" until the sound-alikes (the Smiths) appear.
    const titles = () => page.$$eval('#results .report-title', (els) => els.map((e) => e.textContent.trim()));
    let names = await titles();
    assert.ok(names.every((n) => / Smyth$/.test(n)), 'the Smyths first');
    for (let i = 0; i < 10 && !names.some((n) => / Smith$/.test(n)) && await page.isVisible('#more'); i += 1) {
      const before = names.length;
      await page.click('#more');
      await page.waitForFunction((n) => document.querySelectorAll('#results li').length > n, before);
      names = await titles();
    }
    assert.ok(names.some((n) => / Smith$/.test(n)), `a Smith among ${names.length} results`);
    // Nothing on the page is a holder's name: "Forename X. Surname" never appears.
    const text = await page.textContent('body');
    assert.doesNotMatch(text, /\b[A-Z][a-z]+ [A-Z]\. [A-Z][a-z]+/);

    // Choose a Smith: the graves collection's polygon is drawn, the map centred on it.
    const smith = page.locator('#results .report-title button', { hasText: / Smith$/ }).first();
    const hitText = await smith.textContent();
    await smith.click();
    await page.waitForSelector('body[data-grave-shown="true"]');
    // On a phone the map opens under the chosen burial, in view; on a desktop it stays beside the list.
    const placement = await page.evaluate(() => {
      const panel = document.querySelector('.map-panel');
      const box = document.getElementById('map').getBoundingClientRect();
      return {
        inItem: panel.parentElement.matches('#results li'),
        inView: box.top >= 0 && box.top < window.innerHeight && box.height > 100,
      };
    });
    assert.equal(placement.inItem, label === 'phone');
    assert.ok(placement.inView, `the map is in view on a ${label}`);
    const graveId = Number(await page.getAttribute('body', 'data-grave'));
    const feature = await (await fetch(`${server.url}/ogc/collections/graves/items/${graveId}`)).json();
    assert.deepEqual(Object.keys(feature.properties).sort(), ['grave_number', 'status']);
    assert.match(await page.textContent('#grave-summary'), new RegExp(`${hitText.trim()}: .*grave ${feature.properties.grave_number}`));
    const view = await page.evaluate(() => {
      const { map } = document.getElementById('map').wardmap;
      let drawn = 0;
      map.eachLayer((l) => { if (l.feature?.properties?.grave_number) drawn += 1; });
      return { zoom: map.getZoom(), centre: map.getCenter(), drawn };
    });
    assert.equal(view.drawn, 1);
    assert.ok(view.zoom >= 17, `zoomed in to the grave (${view.zoom})`);
    const ring = feature.geometry.coordinates[0];
    const lons = ring.map((c) => c[0]);
    const lats = ring.map((c) => c[1]);
    assert.ok(view.centre.lng >= Math.min(...lons) - 1e-4 && view.centre.lng <= Math.max(...lons) + 1e-4);
    assert.ok(view.centre.lat >= Math.min(...lats) - 1e-4 && view.centre.lat <= Math.max(...lats) + 1e-4);
    await screenshot(page, `burials-${label}`);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });
}
