// The soak's load: mixed requests at a steady rate against one running `wardmap serve`, the
// server's RSS sampled from /proc, an import and a backup run in the middle. bench/soak.sh
// starts the server and calls this; see bench/README.md ("Soak").
//
// Every request is sent on schedule whether or not the one before has answered (an open-loop
// load, as wrk2 does it), so a stall shows as latency and not as a lower rate. An answer that
// is not 2xx (or 304), a network error or a timeout counts as an error.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const env = (name, fallback) => process.env[name] ?? fallback;
const base = env('SOAK_URL');
const serverPid = Number(env('SOAK_PID'));
const seconds = Number(env('SOAK_SECONDS', '600'));
const warmupSeconds = Number(env('SOAK_WARMUP', String(Math.min(120, Math.round(seconds / 5)))));
const scale = Number(env('SOAK_RATE_SCALE', '1'));
const clientKey = env('SOAK_CLIENT_KEY', 'demo-client-key');
const webKey = env('SOAK_WEB_KEY', 'demo-web-key');
const fixtures = JSON.parse(readFileSync(env('SOAK_FIXTURES'), 'utf8'));
const photo = readFileSync(env('SOAK_PHOTO'));
const middle = JSON.parse(env('SOAK_MIDDLE', '[]')); // [{name, argv}] run at half time
const timeoutMs = 30_000;

const pick = (list, i) => list[i % list.length];

/// The kinds of request, each with its rate per second and how to make its n-th request.
const kinds = [
  {
    name: 'open311 create', rate: 4, make: (n) => {
      const p = pick(fixtures.points, n * 7919);
      const s = pick(fixtures.services, n);
      const body = `api_key=${clientKey}&service_code=${encodeURIComponent(s.code)}` +
        `&lat=${p.lat}&long=${p.lon}&email=soak${n}%40example.test` +
        `&description=${encodeURIComponent('Soak report ' + n)}` +
        (s.attributes ? '&' + s.attributes : '');
      return {
        method: 'POST', path: '/open311/v2/requests.json', body,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        after: async (res) => {
          const made = await res.json();
          if (made[0]?.tracking_token) created.push(made[0]);
        },
      };
    },
  },
  {
    name: 'open311 list', rate: 6, make: (n) => {
      const s = pick(fixtures.services, n);
      return { path: `/open311/v2/requests.json?service_code=${encodeURIComponent(s.code)}&status=open` };
    },
  },
  {
    name: 'open311 one', rate: 6, make: (n) => {
      if (!created.length) return null;
      return { path: `/open311/v2/requests/${pick(created, n * 31).service_request_id}.json` };
    },
  },
  {
    name: 'ogc page', rate: 6, make: (n) => {
      const c = pick(fixtures.collections, n);
      // A map's viewports repeat: 150 of them, so the page cache reaches its steady state.
      const p = pick(fixtures.points.slice(0, 150), n * 7);
      const [lon, lat] = [Number(p.lon), Number(p.lat)];
      const d = 0.01;
      return {
        path: `/ogc/collections/${c}/items?limit=50&bbox=` +
          [lon - d, lat - d, lon + d, lat + d].map((v) => v.toFixed(6)).join(','),
        headers: { Accept: 'application/geo+json' },
      };
    },
  },
  {
    name: 'address search', rate: 10, make: (n) => {
      return { path: `/api/addresses?q=${encodeURIComponent(pick(fixtures.queries, n))}&limit=10` };
    },
  },
  {
    name: 'tracking update', rate: 1.5, make: (n) => {
      if (!created.length) return null;
      const r = pick(created, n * 13);
      return {
        method: 'POST', path: `/api/track/${r.tracking_token}/updates`,
        body: JSON.stringify({ text: `Still there (soak ${n})` }),
        headers: { 'Content-Type': 'application/json' },
      };
    },
  },
  {
    name: 'photo upload', rate: 0.5, make: () => ({
      method: 'POST', path: `/api/photos?api_key=${webKey}`, body: photo,
      headers: { 'Content-Type': 'image/jpeg' },
    }),
  },
];

const created = [];
const stats = new Map(kinds.map((k) => [k.name, { sent: 0, ok: 0, errors: 0, ms: [], samples: [] }]));
const rss = []; // [seconds since start, KiB]
const events = [];
const start = performance.now();
const elapsed = () => (performance.now() - start) / 1000;

async function send(kind, n) {
  const spec = kind.make(n);
  if (!spec) return;
  const s = stats.get(kind.name);
  s.sent++;
  const t0 = performance.now();
  try {
    const res = await fetch(base + spec.path, {
      method: spec.method ?? 'GET', body: spec.body, headers: spec.headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.ok || res.status === 304) {
      if (spec.after) await spec.after(res); else await res.arrayBuffer();
      s.ok++;
    } else {
      const text = await res.text();
      s.errors++;
      if (s.samples.length < 5) s.samples.push(`${res.status} ${spec.path.slice(0, 80)}: ${text.slice(0, 160)}`);
    }
  } catch (e) {
    s.errors++;
    if (s.samples.length < 5) s.samples.push(`${e.name} ${spec.path.slice(0, 80)}: ${e.message}`);
  }
  s.ms.push(performance.now() - t0);
}

let pageCacheBytes = NaN;
async function sampleRss() {
  try {
    const status = readFileSync(`/proc/${serverPid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)[1]);
    rss.push([elapsed(), kb('VmRSS'), kb('RssAnon')]);
  } catch {
    events.push(`${elapsed().toFixed(0)} s: the server is gone`);
  }
  try {
    const metrics = await (await fetch(base + '/metrics')).text();
    pageCacheBytes = Number(/^wardmap_page_cache_bytes (\d+)/m.exec(metrics)?.[1]);
  } catch {
    // the RSS sample above says whether the server is there
  }
}

async function runMiddle() {
  for (const step of middle) {
    const t0 = elapsed();
    try {
      const { stdout } = await run(step.argv[0], step.argv.slice(1), { maxBuffer: 1 << 24 });
      events.push(`${t0.toFixed(0)} s: ${step.name} done in ${(elapsed() - t0).toFixed(1)} s: ` +
        stdout.trim().split('\n').filter((l) => /read|inserted|updated|backup|wrote/i.test(l)).slice(0, 3).join('; '));
    } catch (e) {
      events.push(`${t0.toFixed(0)} s: ${step.name} FAILED: ${(e.stderr || e.message).trim().slice(0, 300)}`);
      middleFailed = true;
    }
  }
}

let middleFailed = false;
const pending = new Set();
const timers = kinds.map((kind) => {
  const rate = kind.rate * scale;
  let n = 0;
  return setInterval(() => {
    // Catch up if the event loop was late, so the rate holds.
    const due = Math.floor(elapsed() * rate);
    while (n < due) {
      const p = send(kind, n++);
      pending.add(p);
      p.finally(() => pending.delete(p));
    }
  }, 20);
});
const rssTimer = setInterval(sampleRss, 2000);
await sampleRss();
let middleRun = null;
setTimeout(() => { middleRun = runMiddle(); }, (seconds * 1000) / 2);

await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
timers.forEach(clearInterval);
await Promise.allSettled([...pending]);
if (middleRun) await middleRun;
clearInterval(rssTimer);
await sampleRss();

// ---- the report ----
const quantile = (sorted, q) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
let totalErrors = 0;
console.log(`kind              sent      ok  errors   rate/s    p50 ms    p99 ms   max ms`);
for (const kind of kinds) {
  const s = stats.get(kind.name);
  const sorted = s.ms.slice().sort((a, b) => a - b);
  totalErrors += s.errors;
  console.log(`${kind.name.padEnd(16)}${String(s.sent).padStart(6)}${String(s.ok).padStart(8)}` +
    `${String(s.errors).padStart(8)}${(s.sent / seconds).toFixed(2).padStart(9)}` +
    `${quantile(sorted, 0.5).toFixed(1).padStart(10)}${quantile(sorted, 0.99).toFixed(1).padStart(10)}` +
    `${(sorted.at(-1) ?? NaN).toFixed(0).padStart(9)}`);
  for (const line of s.samples) console.log(`    e.g. ${line}`);
}
for (const e of events) console.log(`event: ${e}`);

// Memory: the median over the minute after warm-up against the median over the last minute,
// for the whole RSS and for its anonymous part (the heap and private maps: what a leak grows).
// The median, because a sample that lands while a photo is being decoded carries its 10-20 MB
// of buffers for that moment: a spike that says nothing about the level (the mean is printed
// too).
// The rest is the store file, mapped by every connection (PRAGMA mmap_size): clean page-cache
// pages that grow with the pages read and that the kernel takes back under pressure.
const window = (from, to, column) => {
  const xs = rss.filter(([t]) => t >= from && t < to).map((sample) => sample[column]);
  xs.sort((a, b) => a - b);
  const n = xs.length;
  return {
    median: n ? (n % 2 ? xs[(n - 1) / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2) : NaN,
    mean: n ? xs.reduce((a, b) => a + b, 0) / n : NaN,
  };
};
const span = Math.min(60, (seconds - warmupSeconds) / 2);
const growthOf = (column) => {
  const e = window(warmupSeconds, warmupSeconds + span, column);
  const l = window(seconds - span, seconds + 1, column);
  return {
    early: e.median, late: l.median, percent: (l.median - e.median) / e.median * 100,
    meanPercent: (l.mean - e.mean) / e.mean * 100,
  };
};
const total = growthOf(1);
const anon = growthOf(2);
const growth = anon.percent;
if (env('SOAK_SAMPLES')) writeFileSync(env('SOAK_SAMPLES'), JSON.stringify(rss));
console.log('rss KiB over time (anonymous part): ' + rss.filter((_, i) => i % 15 === 0)
  .map(([t, kb, anon]) => `${t.toFixed(0)}s=${kb}(${anon})`).join(' '));
console.log(`OGC page cache at the end: ${(pageCacheBytes / 1048576).toFixed(1)} MiB (its cap is --page-cache-mb)`);
const mib = (kb) => (kb / 1024).toFixed(1);
console.log(`rss after warm-up ${mib(total.early)} MiB, at the end ${mib(total.late)} MiB: ` +
  `${total.percent.toFixed(1)}% (the mapped store file included)`);
console.log(`anonymous rss after warm-up ${mib(anon.early)} MiB, at the end ${mib(anon.late)} MiB: ` +
  `growth ${growth.toFixed(1)}% (goal < 5%; of the means ${anon.meanPercent.toFixed(1)}%)`);
console.log(`errors ${totalErrors} (goal 0)`);
const pass = totalErrors === 0 && !middleFailed && growth < 5 && rss.length > 0;
console.log(pass ? 'soak: PASS' : 'soak: FAIL');
process.exit(pass ? 0 : 1);
