// ctest's entry for one browser test file: checks what the browser tests need and skips
// (exit 77, with the reason printed) when chromium, the npm packages or the server binary are
// missing, then runs the file with node's test runner. A file whose every test skipped
// (the photo test before POST /api/photos exists) is reported to ctest as skipped too.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2];
const SKIP = 77;
const chromium = process.env.WARDMAP_CHROMIUM ?? '/usr/bin/chromium';
const missing = [
  [existsSync(chromium), `${chromium} (Debian's chromium package; scripts/setup installs it)`],
  [existsSync(path.join(here, 'node_modules/playwright-core')) && existsSync(path.join(here, 'node_modules/axe-core')),
    'tests/browser/node_modules (scripts/setup runs npm ci there)'],
  [existsSync(path.join(here, '../../web-client/node_modules/leaflet/dist/leaflet.js'))
    && existsSync(path.join(here, '../../web-client/node_modules/protomaps-leaflet/dist/protomaps-leaflet.js')),
    'web-client/node_modules (scripts/setup runs npm ci there)'],
  [!process.env.WARDMAP_BINARY || existsSync(process.env.WARDMAP_BINARY), `the wardmap binary ${process.env.WARDMAP_BINARY}`],
].filter(([ok]) => !ok).map(([, what]) => what);
if (missing.length) {
  console.log(`SKIPPED: browser test ${file} needs ${missing.join(' and ')}`);
  process.exit(SKIP);
}

const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=tap', path.join(here, file)],
  { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
let output = '';
child.stdout.on('data', (chunk) => {
  output += chunk;
  process.stdout.write(chunk);
});
child.on('exit', (code) => {
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)`, 'm').exec(output)?.[1] ?? 0);
  if (code === 0 && count('pass') === 0 && count('fail') === 0 && count('skipped') > 0) {
    const reasons = [...new Set([...output.matchAll(/# SKIP (.*)$/gm)].map((m) => m[1]))];
    console.log(`SKIPPED: ${reasons.join('; ')}`);
    process.exit(SKIP);
  }
  process.exit(code ?? 1);
});
