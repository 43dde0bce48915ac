// The crew page's service worker (registered by staff/js/crew.js with scope /staff/crew, so it
// controls that page only). It keeps what the page needs to open with no signal:
//   the shell   crew.html, its scripts, styles, the map libraries and config.json: cached at
//               install, then network first (4 s) with the cache as the fallback, so a deploy
//               is picked up on the next load with a signal
//   map data    the basemap's vector tiles and /api/wards as the page fetches them, network
//               first, at most MAX_TILES kept (oldest dropped first)
// The day itself and the completions waiting to be sent are the page's business, in IndexedDB
// (crew-store.js): API answers are never cached here, and nothing is ever sent from here.
// Change VERSION when SHELL changes: a new worker then installs and the old shell cache goes.
// (Changed files need no new version: the shell is fetched network first.)
const VERSION = 'crew-1';
const SHELL_CACHE = `wardmap-crew-shell-${VERSION}`;
const DATA_CACHE = 'wardmap-crew-map';
const MAX_TILES = 1500;
const NETWORK_TIMEOUT_MS = 4000;

const SHELL = [
  '/staff/crew.html',
  '/css/base.css',
  '/staff/css/staff.css',
  '/staff/css/crew.css',
  '/staff/js/crew.js',
  '/staff/js/crew-store.js',
  '/staff/js/crew-sync.js',
  '/staff/js/visit-map.js',
  '/staff/js/staff-shell.js',
  '/staff/js/staff-api.js',
  '/js/api.js',
  '/js/map.js',
  '/js/basemap-style.js',
  '/js/photos.js',
  '/config.json',
  '/node_modules/leaflet/dist/leaflet.css',
  '/node_modules/leaflet/dist/leaflet.js',
  '/node_modules/protomaps-leaflet/dist/protomaps-leaflet.js',
];
const SHELL_PATHS = new Set(SHELL);

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // cache: 'reload' skips the HTTP cache, so the shell is the server's current files.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('wardmap-crew-shell-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function timeout(ms) {
  return new Promise((resolve) => { setTimeout(() => resolve(null), ms); });
}

/**
 * The network's answer (stored in `cacheName` under `key` when it is a 200), or the stored one
 * when the network fails or is slower than NETWORK_TIMEOUT_MS (the network's answer still
 * refreshes the cache when it comes).
 */
async function networkFirst(event, request, cacheName, key, { trim = false } = {}) {
  const cache = await caches.open(cacheName);
  const network = fetch(request).then(async (response) => {
    if (response.ok && response.status === 200) {
      await cache.put(key, response.clone());
      if (trim) await trimCache(cache);
    }
    return response;
  });
  event.waitUntil(network.catch(() => null));
  const first = await Promise.race([network.catch(() => null), timeout(NETWORK_TIMEOUT_MS)]);
  if (first) return first;
  const stored = await cache.match(key);
  if (stored) return stored;
  return network; // nothing stored: the network's answer or its failure, whenever it comes
}

let trimming = false;
async function trimCache(cache) {
  if (trimming) return;
  trimming = true;
  try {
    const keys = await cache.keys();
    for (let i = 0; i < keys.length - MAX_TILES; i += 1) await cache.delete(keys[i]);
  } finally {
    trimming = false;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname === '/staff/crew.html') {
    // Any ?date= opens the same cached page.
    event.respondWith(networkFirst(event, request, SHELL_CACHE, '/staff/crew.html'));
  } else if (SHELL_PATHS.has(url.pathname) && !url.search) {
    event.respondWith(networkFirst(event, request, SHELL_CACHE, url.pathname));
  } else if (url.pathname.startsWith('/ogc/tiles/') || url.pathname === '/api/wards') {
    event.respondWith(networkFirst(event, request, DATA_CACHE, url.pathname + url.search, { trim: true }));
  }
});
