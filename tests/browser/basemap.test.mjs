// The council's own basemap, drawn by protomaps-leaflet from the server's vector tiles, on
// every map page (report, local reports, ward, tracking) at phone (390 x 844) and desktop
// (1280 x 800) sizes: the street names drawn on the map are the names of the streets the
// server holds there (read from the text the tiles' canvases paint, and from the ink at each
// label's place), ward names and house numbers are drawn, the shipped config.json makes no request outside the server, an outside
// raster basemap set in config.json is drawn under the ward boundaries, and with the vector
// tiles turned off the map falls back to the wards and streets of the JSON API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, startServer, launchBrowser, openPage, screenshot } from './support.mjs';

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

// Chorley town centre (Market Street, Union Street, Bolton Road...).
const CENTRE = [53.6535, -2.63];

/**
 * Runs before the page's scripts: records every text painted on a canvas, with where its
 * first glyph starts in the canvas's pixels, forgetting a canvas's texts when it is cleared by
 * resizing (protomaps-leaflet sets the size before it paints a tile again). The painting itself
 * is left alone.
 */
function recordCanvasText() {
  const texts = new WeakMap();
  window.wardmapCanvasTexts = texts;
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function record(text, x, y, ...rest) {
    const m = this.getTransform();
    const list = texts.get(this.canvas) ?? [];
    list.push({ text: String(text), x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f, font: this.font, fill: this.fillStyle });
    texts.set(this.canvas, list);
    return fillText.call(this, text, x, y, ...rest);
  };
  for (const dimension of ['width', 'height']) {
    const property = Object.getOwnPropertyDescriptor(HTMLCanvasElement.prototype, dimension);
    Object.defineProperty(HTMLCanvasElement.prototype, dimension, {
      ...property,
      set(value) {
        texts.delete(this);
        property.set.call(this, value);
      },
    });
  }
}

/**
 * The texts painted on the map's tiles whose first glyph lies inside the map's box on the
 * screen, each with `ink`: whether the canvas holds opaque pixels of the text's colour (within
 * a small distance, for antialiasing) within 12 pixels of that point, that is whether the text
 * is still to be seen there rather than painted over.
 */
async function drawnTexts(page) {
  return page.evaluate(() => {
    const box = document.querySelector('#map').getBoundingClientRect();
    const out = [];
    for (const canvas of document.querySelectorAll('#map canvas.leaflet-tile')) {
      const list = window.wardmapCanvasTexts.get(canvas);
      if (!list || !canvas.isConnected) continue;
      const r = canvas.getBoundingClientRect();
      const scale = r.width / canvas.width;
      const ctx = canvas.getContext('2d');
      for (const t of list) {
        const sx = r.left + t.x * scale;
        const sy = r.top + t.y * scale;
        if (sx < box.left || sx > box.right || sy < box.top || sy > box.bottom) continue;
        const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(t.fill);
        const colour = m ? [1, 2, 3].map((i) => parseInt(m[i], 16)) : null;
        const x0 = Math.max(0, Math.round(t.x) - 12);
        const y0 = Math.max(0, Math.round(t.y) - 12);
        const w = Math.min(canvas.width, Math.round(t.x) + 12) - x0;
        const h = Math.min(canvas.height, Math.round(t.y) + 12) - y0;
        let ink = false;
        if (colour && w > 0 && h > 0) {
          const data = ctx.getImageData(x0, y0, w, h).data;
          for (let i = 0; i < data.length && !ink; i += 4) {
            ink = data[i + 3] > 200 && Math.abs(data[i] - colour[0]) + Math.abs(data[i + 1] - colour[1])
              + Math.abs(data[i + 2] - colour[2]) < 30;
          }
        }
        out.push({ text: t.text, font: t.font, fill: t.fill, ink });
      }
    }
    return out;
  });
}

async function setView(page, [lat, lon], zoom) {
  await page.evaluate(([la, lo, z]) => document.querySelector('#map').wardmap.map.setView([la, lo], z, { animate: false }),
    [lat, lon, zoom]);
}

/**
 * The names of the streets the server holds in the map's view and a margin of a tenth of it
 * round it (its own API, not the tiles).
 */
async function streetNamesInView(page) {
  const bbox = await page.evaluate(() => document.querySelector('#map').wardmap.map.getBounds().pad(0.1).toBBoxString());
  const body = await (await fetch(`${server.url}/ogc/collections/streets/items?bbox=${bbox}&limit=2000`)).json();
  assert.ok(body.features.length < 2000, 'the view holds fewer streets than one page');
  return new Set(body.features.map((f) => f.properties.descriptor).filter(Boolean));
}

/** The cemeteries' and their sections' names. */
async function areaNames() {
  const names = new Set();
  for (const id of ['cemeteries', 'cemetery_sections']) {
    const body = await (await fetch(`${server.url}/ogc/collections/${id}/items?limit=1000`)).json();
    for (const f of body.features ?? []) names.add(f.properties.name);
  }
  return names;
}

/** Waits until at least `count` texts with ink and matching `accept` are drawn; returns them. */
async function waitForLabels(page, accept, count, what) {
  const deadline = Date.now() + 20000;
  let drawn = [];
  while (Date.now() < deadline) {
    drawn = (await drawnTexts(page)).filter((t) => t.ink && accept(t.text));
    if (new Set(drawn.map((t) => t.text)).size >= count) return drawn;
    await page.waitForTimeout(250);
  }
  assert.fail(`fewer than ${count} ${what} drawn: ${JSON.stringify(drawn.map((t) => t.text))}`);
  return drawn;
}

/** A new report's tracking page on `on` (a server): its private link. */
async function trackingPath(on) {
  const form = new URLSearchParams({ api_key: 'demo-web-key', service_code: 'litter', lat: '53.650829',
    long: '-2.6292194', description: 'For the basemap run' });
  const response = await fetch(`${on.url}/open311/v2/requests.json`, { method: 'POST', body: form });
  assert.equal(response.status, 200, await response.clone().text());
  return `/track.html#${(await response.json())[0].tracking_token}`;
}

// [name, path (or a function of the server giving one), selector once the map is made]
const pages = [
  ['report', '/', 'body[data-map-ready="true"]'],
  ['reports', '/reports.html', 'body[data-ready="true"]'],
  ['ward', '/ward.html?code=E05013066', 'body[data-ready="true"]'],
  ['track', trackingPath, 'body[data-ready="true"]'],
];
const pathOn = async (url, on) => (typeof url === 'function' ? url(on) : url);
const sizes = [[390, 844], [1280, 800]];

for (const [name, url, ready] of pages) {
  for (const [width, height] of sizes) {
    test(`${name} page at ${width}x${height}: the basemap draws the streets' names and the wards' names`, async () => {
      const page = await openPage(browser, server, await pathOn(url, server), { width, height, initScript: recordCanvasText });
      await page.waitForSelector(ready);
      await page.locator('#map').scrollIntoViewIfNeeded();

      // The whole borough: ward names from the tiles' ward layer.
      await setView(page, [53.64, -2.64], 11);
      const wardNames = new Set((await (await fetch(`${server.url}/api/wards`)).json()).features.map((f) => f.properties.name));
      const wards = await waitForLabels(page, (t) => wardNames.has(t), width < 600 ? 2 : 4, 'ward names');
      assert.ok(wards.every((t) => /^600 /.test(t.font)), 'ward names are drawn bold');
      await page.locator('#map').screenshot({ path: path.join(artifacts, `basemap-${name}-wards-${width}x${height}.png`) });

      // The town centre: street names, each one a street the server holds in the view.
      await setView(page, CENTRE, 16);
      const streets = await streetNamesInView(page);
      assert.ok(streets.size >= 10, `the view holds ${streets.size} named streets`);
      // A phone's map is a third of a desktop's, and the tracking page's is the shortest: three
      // names there (seen: exactly three on a fresh clone), eight on a desktop.
      const drawn = await waitForLabels(page, (t) => streets.has(t), width < 600 ? 3 : 8, 'street names');
      const painted = (await drawnTexts(page)).filter((t) => t.ink).map((t) => t.text);
      const areas = await areaNames();
      const strays = painted.filter((t) => !streets.has(t) && !wardNames.has(t) && !areas.has(t));
      assert.deepEqual(strays, [], 'every name drawn at zoom 16 is a street, ward or cemetery of the view');
      assert.ok(drawn.length > 0);
      await screenshot(page, `basemap-${name}-${width}x${height}`);
      await page.locator('#map').screenshot({ path: path.join(artifacts, `basemap-${name}-map-${width}x${height}.png`) });
      assert.deepEqual(page.jsErrors, []);
      await page.context().close();
    });
  }
}

test('house numbers are drawn when zoomed in close', async () => {
  const page = await openPage(browser, server, '/', { width: 1280, height: 800, initScript: recordCanvasText });
  await page.waitForSelector('body[data-map-ready="true"]');
  await setView(page, CENTRE, 18.5);
  const bbox = await page.evaluate(() => document.querySelector('#map').wardmap.map.getBounds().toBBoxString());
  const body = await (await fetch(`${server.url}/ogc/collections/addresses/items?bbox=${bbox}&limit=5000`)).json();
  const houses = new Set(body.features.map((f) => f.properties.house).filter(Boolean));
  assert.ok(houses.size > 10, `the view holds ${houses.size} house numbers or names`);
  const numbers = await waitForLabels(page, (t) => houses.has(t), 10, 'house numbers');
  assert.ok(numbers.some((t) => /^\d+$/.test(t.text)));
  await screenshot(page, 'basemap-house-numbers-1280x800');
  await page.context().close();
});

test('the map is keyboard-operable: focused, + zooms in and the basemap follows', async () => {
  const page = await openPage(browser, server, '/', { width: 390, height: 844, initScript: recordCanvasText });
  await page.waitForSelector('body[data-map-ready="true"]');
  await setView(page, CENTRE, 15);
  await page.focus('#map');
  const zoom = () => page.evaluate(() => document.querySelector('#map').wardmap.map.getZoom());
  const before = await zoom();
  await page.keyboard.press('+');
  await page.waitForFunction((z) => document.querySelector('#map').wardmap.map.getZoom() > z, before);
  assert.ok(await zoom() > before);
  await page.keyboard.press('ArrowRight');
  const streets = await streetNamesInView(page);
  await waitForLabels(page, (t) => streets.has(t), 2, 'street names after zooming by keyboard');
  await page.context().close();
});

test('the shipped config.json: every request of every map page goes to the server itself', async () => {
  const shipped = await startServer({ config: 'as-shipped' });
  try {
    for (const [name, url, ready] of pages) {
      const page = await openPage(browser, shipped, await pathOn(url, shipped), { width: 390, height: 844 });
      const requests = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.reload();
      await page.waitForSelector(ready);
      await setView(page, CENTRE, 17);
      await page.waitForFunction(() => document.querySelectorAll('#map canvas.leaflet-tile-loaded').length > 0);
      await page.waitForTimeout(500);
      const tiles = requests.filter((u) => u.startsWith(`${shipped.url}/ogc/tiles/WebMercatorQuad/`));
      assert.ok(tiles.length > 0, `${name}: the basemap's tiles come from the server`);
      const outside = requests.filter((u) => !u.startsWith(`${shipped.url}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
      assert.deepEqual(outside, [], `${name}: requests outside the server`);
      await page.context().close();
    }
  } finally {
    await shipped.stop();
  }
});

test('an outside raster basemap in config.json is drawn, with the wards over it and no street names of ours', async () => {
  const outsideUrl = 'https://tiles.example.org/{z}/{x}/{y}.png';
  const withRaster = await startServer({ config: { tiles: { url: outsideUrl, attribution: 'Example tiles', max_zoom: 19 } } });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    await context.addInitScript(recordCanvasText);
    // The outside provider, played here by a 1-pixel PNG: the machine has no network.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8v5ahHgAGgwJ/lK3Q6wAAAABJRU5ErkJggg==', 'base64');
    const asked = [];
    await context.route(/^https:\/\/tiles\.example\.org\//, (route) => {
      asked.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'image/png', body: png });
    });
    const page = await context.newPage();
    await page.goto(`${withRaster.url}/`);
    await page.waitForSelector('body[data-map-ready="true"]');
    await setView(page, CENTRE, 16);
    await page.waitForFunction(() => document.querySelectorAll('#map img.leaflet-tile-loaded').length > 0);
    await page.waitForFunction(() => document.querySelector('#map').wardmap.map.getZoom() === 16);
    assert.ok(asked.some((u) => /^https:\/\/tiles\.example\.org\/16\/\d+\/\d+\.png$/.test(u)), asked.join(' '));
    assert.match(await page.textContent('.leaflet-control-attribution'), /Example tiles/);
    // Our tiles still draw the ward boundaries; the outside map has its own streets and names.
    await page.waitForFunction(() => document.querySelectorAll('#map canvas.leaflet-tile-loaded').length > 0);
    await page.waitForTimeout(500);
    const streets = await streetNamesInView(page);
    const drawn = (await drawnTexts(page)).map((t) => t.text);
    assert.deepEqual(drawn.filter((t) => streets.has(t)), []);
    await context.close();
  } finally {
    await withRaster.stop();
  }
});

test('vector_tiles "none" in config.json: the map draws the wards and streets from the JSON API instead', async () => {
  const plain = await startServer({ config: { tiles: { url: 'none' }, vector_tiles: { url: 'none' } } });
  try {
    const page = await openPage(browser, plain, '/', { width: 1280, height: 800 });
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.reload();
    await page.waitForSelector('body[data-map-ready="true"]');
    const wards = (await (await fetch(`${plain.url}/api/wards`)).json()).features.length;
    // One SVG path per ward, and the borough outline.
    assert.equal(await page.locator('#map .leaflet-overlay-pane path').count(), wards + 1);
    await setView(page, CENTRE, 16);
    await page.waitForFunction(() => document.querySelectorAll('#map .leaflet-overlay-pane path').length > 20);
    assert.ok(requests.some((p) => p === '/ogc/collections/streets/items'), 'streets come from the features API');
    assert.deepEqual(requests.filter((p) => p.startsWith('/ogc/tiles/')), []);
    assert.equal(await page.locator('#map canvas.leaflet-tile').count(), 0);
    await page.context().close();
  } finally {
    await plain.stop();
  }
});
