// Shared by the browser tests: the real wardmap server on port 0 over a copy of the demo
// borough, Debian's chromium driven by playwright-core, axe-core, and screenshots.
import { spawn } from 'node:child_process';
import {
  copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.WARDMAP_SOURCE_DIR ?? path.resolve(here, '../..');
export const binary = process.env.WARDMAP_BINARY ?? path.join(sourceDir, 'build/server/cli/wardmap');
export const artifacts = process.env.WARDMAP_BROWSER_ARTIFACTS ?? path.join(sourceDir, 'build/browser-artifacts');
export const chromiumPath = process.env.WARDMAP_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts `wardmap serve --port 0` over a fresh copy of the demo database, serving a copy of
 * web-client/ whose config.json has the outside basemap off ("tiles": {"url": "none"}), as an
 * offline deployment sets it: the pages then make no request beyond the server (the basemap is
 * the server's own vector tiles). `config`: members to set in config.json instead, or
 * 'as-shipped' to serve the repository's config.json unchanged. `args`: more options for
 * `wardmap serve` (e.g. smtpArgs() of a startSmtpSink()).
 */
export async function startServer({ config = { tiles: { url: 'none' } }, args = [] } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wardmap-browser-'));
  const db = path.join(dir, 'demo.sqlite');
  const webRoot = path.join(dir, 'web-client');
  cpSync(path.join(sourceDir, 'web-client'), webRoot, { recursive: true, dereference: true });
  if (config !== 'as-shipped') {
    const settings = JSON.parse(readFileSync(path.join(webRoot, 'config.json'), 'utf8'));
    writeFileSync(path.join(webRoot, 'config.json'), JSON.stringify({ ...settings, ...config }));
  }
  if (process.env.WARDMAP_BROWSER_DEMO_DB) {
    copyFileSync(process.env.WARDMAP_BROWSER_DEMO_DB, db);
  } else if (process.env.WARDMAP_TEST_FIXTURES) {
    copyFileSync(await sharedDemoStore(process.env.WARDMAP_TEST_FIXTURES), db);
  } else {
    await run([binary, 'demo-data', '--db', db, '--force']);
  }
  const child = spawn(binary, ['serve', '--port', '0', '--db', db,
    '--web-root', webRoot,
    '--services', path.join(sourceDir, 'data/services/default.json'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wardmap serve did not start:\n${output}`)), 30000);
    const read = (chunk) => {
      output += chunk;
      const m = /serving http:\/\/[^:]+:(\d+)\//.exec(output);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`wardmap serve exited ${code}:\n${output}`)); });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    async stop() {
      child.removeAllListeners('exit');
      const done = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Where python3-aiosmtpd lives (Debian's python, as tests/integration/smtp_test.cpp uses). */
const debianPython = '/usr/bin/python3';

/**
 * tests/integration/smtp_sink.py, a real SMTP server on 127.0.0.1, saving every message to a
 * temporary folder; null (the caller skips) when Debian's python3-aiosmtpd is not installed.
 * `messages()` reads the messages received so far; `serveArgs()` are the `wardmap serve`
 * options that deliver to it.
 */
export async function startSmtpSink() {
  if (!existsSync(debianPython)) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'wardmap-smtp-'));
  const portFile = path.join(dir, 'port');
  const folder = path.join(dir, 'mail');
  const child = spawn(debianPython, [path.join(sourceDir, 'tests/integration/smtp_sink.py'), '--port', '0',
    '--port-file', portFile, folder], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (c) => { output += c; });
  const deadline = Date.now() + 10000;
  while (!existsSync(portFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
      if (/No module named 'aiosmtpd'/.test(output)) return null;
      throw new Error(`the SMTP sink did not start:\n${output}`);
    }
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  const port = Number(readFileSync(portFile, 'utf8').trim());
  return {
    port,
    serveArgs: () => ['--smtp-url', `smtp://127.0.0.1:${port}`, '--mail-from', 'Chorley Council <no-reply@chorley.gov.uk>',
      '--mail-interval-seconds', '1', '--mail-retry-seconds', '1'],
    messages: () => (existsSync(folder) ? readdirSync(folder) : []).filter((f) => f.endsWith('.eml')).sort()
      .map((f) => readFileSync(path.join(folder, f), 'utf8')),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const done = new Promise((resolve) => { child.on('exit', resolve); });
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** FNV-1a, 64 bits, as 16 hex digits: tests/support/shared_fixture.cpp's fnv1a_hex. */
function fnv1a(text) {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * The demo store the C++ tests share (tests/support/demo_store.cpp, shared_fixture.cpp): the
 * same folder under `root`, named from the wardmap binary's path, size and mtime, the UTC day
 * and the arguments, made by whichever test gets there first. Node takes no lock: it makes
 * its own copy and keeps the first one moved into place.
 */
async function sharedDemoStore(root) {
  const real = realpathSync(binary);
  const { size, mtimeNs } = statSync(real, { bigint: true });
  // The WARDMAP_* variables demo-data would inherit, all but the test harness's own.
  const harness = new Set(['WARDMAP_BINARY', 'WARDMAP_BROWSER_ARTIFACTS', 'WARDMAP_BROWSER_DEMO_DB',
    'WARDMAP_CHROMIUM', 'WARDMAP_SHARED_DATA', 'WARDMAP_SOURCE_DIR', 'WARDMAP_TEST_FIXTURES']);
  const environment = Object.entries(process.env)
    .filter(([name]) => name.startsWith('WARDMAP_') && !harness.has(name))
    .map(([name, value]) => ` ${name}=${value}`).sort().join('');
  const scope = `${real} ${size} ${mtimeNs} ${new Date().toISOString().slice(0, 10)}${environment}`;
  const folder = path.join(root, `demo-data-${fnv1a(scope)}-${fnv1a('demo-data')}`);
  if (!existsSync(folder)) {
    const building = `${folder}.tmp-js-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building, { recursive: true });
    try {
      const output = await run([binary, 'demo-data', '--db', path.join(building, 'demo.sqlite')]);
      writeFileSync(path.join(building, 'output.txt'), output);
      renameSync(building, folder);
    } catch (e) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(folder)) {
        throw e;
      }
    }
  }
  return path.join(folder, 'demo.sqlite');
}

function run(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${argv.join(' ')} exited ${code}:\n${output}`))));
  });
}

// The flags Debian's chromium needs on a machine with no network but loopback.
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A page on `server`. `guard` (default) refuses every request off the loopback, so a page
 * that tried to reach the internet would fail its test rather than hang; the benchmark turns
 * it off because playwright's request routing adds its own latency to every request.
 * `initScript`: a function run in the page before its own scripts (context.addInitScript).
 * `bypassCSP`: lets axe-core into a page whose Content-Security-Policy allows no script.
 */
export async function openPage(browser, server, urlPath,
  { width = 1280, height = 800, geolocation, guard = true, initScript, bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'en-GB', bypassCSP,
    timezoneId: 'Europe/London', ...(geolocation ? { geolocation, permissions: ['geolocation'] } : {}) });
  if (initScript) {
    await context.addInitScript(initScript);
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (guard) {
    await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, (route) => route.abort());
  }
  await page.goto(`${server.url}${urlPath}`);
  page.jsErrors = errors;
  return page;
}

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function seriousViolations(page) {
  await page.addScriptTag({ content: readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8') });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`);
}

export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A point of the demo borough with an address, found through the live API. */
export async function addressNear(server, query) {
  const response = await fetch(`${server.url}/api/addresses?q=${encodeURIComponent(query)}&limit=1`);
  const body = await response.json();
  return body.features[0];
}
