#!/usr/bin/env node
// Web client figures, measured in Debian's chromium against the real server on loopback:
//  1. first load of the reporting page: the JS and CSS it fetches, in gzip bytes as the
//     server sends them (budget 300 KB), and the time from navigation to usable (the
//     'wardmap-ready' mark: map, wards and categories in place; budget 1 s), over N cold loads;
//  2. the local reports map with 5,000+ real reports (made through the Open311 API on a
//     copy of the demo borough): time to draw them clustered, and frame times while it
//     zooms and pans;
//  3. (printed before 2) the basemap: the vector tiles a desktop view of the town centre
//     needs at zooms 13, 16 and 18, their gzip bytes, and the time to draw them.
// Usage: node bench/web_client.mjs   (after scripts/setup and a build; BENCH_RUNS=10)
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, openPage } from '../tests/browser/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.WARDMAP_BINARY ??= path.join(here, '../build/server/cli/wardmap');
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const PINS = Number(process.env.BENCH_PINS ?? 5000);

function gzipBytes(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'Accept-Encoding': 'gzip' } }, (response) => {
      let bytes = 0;
      response.on('data', (c) => { bytes += c.length; });
      response.on('end', () => resolve({ bytes, encoding: response.headers['content-encoding'] ?? 'identity' }));
    }).on('error', reject);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const server = await startServer();
const browser = await launchBrowser();
try {
  // 1. First load of the reporting page.
  const assets = new Set();
  const readyTimes = [];
  for (let i = 0; i < RUNS; i += 1) {
    const page = await openPage(browser, server, '/', { width: 360, height: 740, guard: false });
    page.on('request', (r) => {
      if (['script', 'stylesheet'].includes(r.resourceType())) assets.add(r.url());
    });
    await page.waitForSelector('body[data-ready="true"]');
    readyTimes.push(await page.evaluate(() => performance.getEntriesByName('wardmap-ready')[0].startTime));
    await page.context().close();
  }
  // Requests seen from the first page.on may miss those fired before the listener: list them again.
  const probe = await openPage(browser, server, '/', { guard: false });
  await probe.waitForSelector('body[data-ready="true"]');
  for (const e of await probe.evaluate(() => performance.getEntriesByType('resource')
    .filter((r) => ['script', 'link', 'css'].includes(r.initiatorType) || /\.(m?js|css)$/.test(new URL(r.name).pathname))
    .map((r) => r.name))) {
    assets.add(e);
  }
  await probe.context().close();
  let total = 0;
  const rows = [];
  for (const url of [...assets].filter((u) => /\.(m?js|css)$/.test(new URL(u).pathname)).sort()) {
    const { bytes, encoding } = await gzipBytes(url);
    total += bytes;
    rows.push(`  ${String(bytes).padStart(7)}  ${encoding.padEnd(8)} ${new URL(url).pathname}`);
  }
  console.log(`reporting page first load: JS+CSS ${rows.length} files, ${total} bytes as sent (${(total / 1024).toFixed(1)} KiB; budget 300 KB)`);
  console.log(rows.join('\n'));
  console.log(`time to usable (navigation -> map, address search and categories ready), ${RUNS} cold loads at 360x740: ` +
    `median ${median(readyTimes).toFixed(0)} ms, max ${Math.max(...readyTimes).toFixed(0)} ms (budget 1000 ms)`);

  // 3. The basemap: the vector tiles a view needs and the time to draw them (the layer's
  // 'load': every visible tile fetched, decoded and painted), in the town centre at three zooms.
  {
    const page = await openPage(browser, server, '/', { width: 1280, height: 800, guard: false });
    await page.waitForSelector('body[data-map-ready="true"]');
    const tiles = [];
    page.on('request', (r) => { if (r.url().includes('/ogc/tiles/')) tiles.push(r.url()); });
    for (const zoom of [13, 16, 18]) {
      tiles.length = 0;
      const ms = await page.evaluate((z) => new Promise((resolve) => {
        const { map, layers } = document.querySelector('#map').wardmap;
        const started = performance.now();
        layers.basemap.once('load', () => resolve(performance.now() - started));
        map.setView([53.6535, -2.63], z, { animate: false });
      }), zoom);
      let bytes = 0;
      for (const url of tiles) bytes += (await gzipBytes(url)).bytes;
      console.log(`basemap at zoom ${zoom}, 1280x800, Chorley town centre: ${tiles.length} vector tiles, ` +
        `${(bytes / 1024).toFixed(1)} KiB as sent (gzip), drawn in ${ms.toFixed(0)} ms`);
    }
    await page.context().close();
  }

  // 2. The local reports map with PINS reports.
  const count = async () => (await (await fetch(`${server.url}/ogc/collections/service_requests/items?limit=1`)).json()).numberMatched;
  const codes = ['litter', 'graffiti', 'dog_fouling', 'street_cleansing', 'overgrown_vegetation'];
  const attributes = { graffiti: { 'attribute[offensive]': 'no' } };
  const wanted = PINS - await count();
  const started = Date.now();
  let made = 0;
  let next = 0;
  const worker = async () => {
    // Candidates until enough land inside the borough (bounded: at most 4 per report wanted).
    while (made < wanted && next < wanted * 4) {
      const i = next;
      next += 1;
      // Points spread over the built-up middle of the demo borough.
      const lat = 53.62 + ((i * 7919) % 1000) / 1000 * 0.1;
      const lon = -2.75 + ((i * 104729) % 1000) / 1000 * 0.17;
      const code = codes[i % codes.length];
      const body = new URLSearchParams({ api_key: 'demo-client-key', service_code: code, lat: lat.toFixed(6),
        long: lon.toFixed(6), description: `bench ${i}`, ...(attributes[code] ?? {}) });
      const response = await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', body });
      if (response.status === 200) made += 1;
      else await response.text();
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const pins = await count();
  console.log(`made ${made} reports through POST /open311/v2/requests in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `(points outside the borough are refused); ${pins} public reports in all`);

  // The same zooms with no pins (a date filter that matches nothing) as the baseline of
  // this machine at this moment: the difference is what the pins cost.
  for (const [label, url] of [['5,000 pins', '/reports.html?status='], ['no pins (baseline)', '/reports.html?status=&from=2099-01-01']]) {
    const page = await openPage(browser, server, url, { width: 1280, height: 800, guard: false });
    await page.waitForSelector('body[data-ready="true"]');
    const drawn = Number(await page.evaluate(() => document.body.dataset.loaded ?? 0));
    const readyAt = await page.evaluate(() => performance.getEntriesByName('wardmap-ready')[0].startTime);
    const frames = await page.evaluate(async () => {
      const times = [];
      let last = performance.now();
      let running = true;
      const tick = (now) => { times.push(now - last); last = now; if (running) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      const zoomIn = document.querySelector('.leaflet-control-zoom-in');
      const zoomOut = document.querySelector('.leaflet-control-zoom-out');
      const wait = (ms) => new Promise((r) => setTimeout(r, ms));
      for (let i = 0; i < 3; i += 1) { zoomIn.click(); await wait(400); }
      for (let i = 0; i < 3; i += 1) { zoomOut.click(); await wait(400); }
      running = false;
      await wait(50);
      return times.slice(1);
    });
    console.log(`local reports map, ${label}: ${drawn} pins clustered, usable ${readyAt.toFixed(0)} ms after navigation; ` +
      `zooming in and out 3 levels: ${frames.length} frames, median ${median(frames).toFixed(1)} ms, ` +
      `p95 ${percentile(frames, 0.95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms, ` +
      `${frames.filter((f) => f > 50).length} over 50 ms`);
    await page.context().close();
  }
  console.log(`(headless chromium with software rendering; load average ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`);
} finally {
  await browser.close();
  await server.stop();
}
