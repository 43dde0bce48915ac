// What the crew page keeps on the device, in IndexedDB (database "wardmap-crew"), so that a van
// with no signal still has the day and nothing recorded is lost:
//   days    the last answer of GET /api/me/day for each (person, date), with its ETag
//   outbox  each completion recorded on the device, keyed by its client_id (a UUID made here),
//           with its photos as JPEG blobs until they are uploaded, and its state:
//           queued -> sending -> synced (the server's completion kept), or refused (a 4xx other
//           than 401, with the server's message); sync.js moves them along
//   meta    the signed-in person (id, name, roles: never the CSRF token), to draw the header
//           when the page is opened offline
// Nothing here is sent anywhere by itself; crew-sync.js does the sending.

const NAME = 'wardmap-crew';
const VERSION = 1;
let opening = null;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function openStore() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains('days')) db.createObjectStore('days', { keyPath: 'key' });
        if (!db.objectStoreNames.contains('outbox')) {
          const outbox = db.createObjectStore('outbox', { keyPath: 'client_id' });
          outbox.createIndex('person', 'person_id');
        }
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta', { keyPath: 'key' });
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading the database: let it, this page reopens on next use.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
      request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this page'));
    });
  }
  return opening;
}

async function run(storeName, mode, body) {
  const db = await openStore();
  const tx = db.transaction(storeName, mode);
  const result = body(tx.objectStore(storeName));
  await done(tx);
  return result instanceof IDBRequest ? result.result : result;
}

const dayKey = (personId, date) => `${personId}|${date}`;

/** The stored day {key, person_id, date, etag, fetched_at, collection} or undefined. */
export async function loadDay(personId, date) {
  const db = await openStore();
  return promised(db.transaction('days').objectStore('days').get(dayKey(personId, date)));
}

export function saveDay(personId, date, collection, etag) {
  return run('days', 'readwrite', (store) => store.put({ key: dayKey(personId, date), person_id: personId, date,
    etag: etag ?? null, fetched_at: new Date().toISOString(), collection }));
}

/** Drops stored days more than `keepDays` before `today` (YYYY-MM-DD), of everyone. */
export async function pruneDays(today, keepDays = 7) {
  const cutoff = new Date(`${today}T12:00:00Z`);
  cutoff.setUTCDate(cutoff.getUTCDate() - keepDays);
  const limit = cutoff.toISOString().slice(0, 10);
  const db = await openStore();
  const tx = db.transaction('days', 'readwrite');
  const store = tx.objectStore('days');
  const all = await promised(store.getAll());
  for (const day of all) {
    if (day.date < limit) store.delete(day.key);
  }
  await done(tx);
}

/** Every outbox entry of `personId`, oldest first. */
export async function outboxOf(personId) {
  const db = await openStore();
  const entries = await promised(db.transaction('outbox').objectStore('outbox').index('person').getAll(personId));
  return entries.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.client_id.localeCompare(b.client_id));
}

/** Every outbox entry of other people (recorded here before a different person signed in). */
export async function outboxOfOthers(personId) {
  const db = await openStore();
  const entries = await promised(db.transaction('outbox').objectStore('outbox').getAll());
  return entries.filter((e) => e.person_id !== personId);
}

export function putEntry(entry) {
  return run('outbox', 'readwrite', (store) => store.put(entry));
}

export function getEntry(clientId) {
  return run('outbox', 'readonly', (store) => store.get(clientId));
}

export function deleteEntry(clientId) {
  return run('outbox', 'readwrite', (store) => store.delete(clientId));
}

/** Forgets synced entries older than `hours` (they are on the server; the day shows them). */
export async function pruneSynced(hours = 48) {
  const limit = new Date(Date.now() - hours * 3600 * 1000).toISOString();
  const db = await openStore();
  const tx = db.transaction('outbox', 'readwrite');
  const store = tx.objectStore('outbox');
  const all = await promised(store.getAll());
  for (const entry of all) {
    if (entry.state === 'synced' && (entry.synced_at ?? '') < limit) store.delete(entry.client_id);
  }
  await done(tx);
}

export function saveMeta(key, value) {
  return run('meta', 'readwrite', (store) => store.put({ key, value }));
}

export async function loadMeta(key) {
  const db = await openStore();
  const row = await promised(db.transaction('meta').objectStore('meta').get(key));
  return row?.value;
}

/** A version 4 UUID: crypto.randomUUID where the browser has it, else from getRandomValues. */
export function newClientId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
