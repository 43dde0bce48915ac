// Sends the crew page's outbox (crew-store.js) to the server, oldest first: each entry's photos
// (POST /api/photos, the JPEG as the body; each id is written back to the entry as soon as it
// is known, so a retry never uploads a photo twice), then its completion
// (POST /api/visits/{id}/completions with its client_id). The server is idempotent on client_id:
// 201 stored, 200 with duplicate:true already stored (an earlier try whose answer was lost);
// both are success. What happens on failure:
//   network failure, 5xx, 429   the entry stays queued and the round stops (tried again later)
//   401                          stays queued; the person must sign in again (onSignedOut)
//   any other 4xx                the entry is "refused", with the server's message; the rest go on
// One round at a time per page (and per browser, with the Web Locks API where there is one).
import { StaffError, staffFetch } from './staff-api.js';
import { getEntry, outboxOf, putEntry } from './crew-store.js';

export const MAX_PHOTOS = 6;

const csrfRefused = (error) => error instanceof StaffError && error.status === 403 && 'X-CSRF-Token' in (error.fields ?? {});

function permanent(error) {
  return error instanceof StaffError && !error.network && error.status >= 400 && error.status < 500 &&
    error.status !== 401 && error.status !== 408 && error.status !== 429 && !csrfRefused(error);
}

let renewSession = async () => null;

/**
 * A state-changing call; when the server refuses the CSRF token (a new session signed in from
 * another tab since this page started), the token is asked for again once and the call retried.
 */
async function send(path, options) {
  try {
    return await staffFetch(path, options);
  } catch (error) {
    if (!csrfRefused(error)) throw error;
    if (!(await renewSession())) throw new StaffError('Your sign-in has ended.', { status: 401 });
    return staffFetch(path, options);
  }
}

async function uploadPhotos(entry) {
  for (const photo of entry.photos) {
    if (photo.uploaded_id || photo.refused || !photo.blob) continue;
    try {
      const blob = photo.blob.type ? photo.blob : new Blob([photo.blob], { type: 'image/jpeg' });
      const stored = await send('/api/photos', { method: 'POST', body: blob });
      photo.uploaded_id = String(stored.id);
      photo.thumbnail_url = stored.thumbnail_url ?? null;
    } catch (error) {
      if (!permanent(error)) throw error;
      // A photo the server will never take (too large, not a picture): the completion goes
      // without it and the entry says so.
      photo.refused = error.message;
    }
    await putEntry(entry);
  }
}

function completionBody(entry) {
  const body = { ...entry.body };
  const sent = entry.photos.filter((p) => p.uploaded_id);
  if (sent.length) {
    body.photo_ids = sent.map((p) => p.uploaded_id);
    body.photo_roles = Object.fromEntries(sent.map((p) => [p.uploaded_id, p.role]));
  }
  return body;
}

async function sendOne(entry) {
  entry.state = 'sending';
  entry.attempts = (entry.attempts ?? 0) + 1;
  entry.last_try_at = new Date().toISOString();
  await putEntry(entry);
  await uploadPhotos(entry);
  const answer = await send(`/api/visits/${encodeURIComponent(entry.visit_id)}/completions`,
    { method: 'POST', json: completionBody(entry) });
  entry.state = 'synced';
  entry.synced_at = new Date().toISOString();
  entry.completion = answer?.completion ?? null;
  entry.duplicate = Boolean(answer?.duplicate);
  entry.error = null;
  // The photos are on the server now; the device keeps no copy.
  entry.photos = entry.photos.map(({ blob, ...rest }) => rest);
  await putEntry(entry);
}

let running = null;

/**
 * One round of sending for `personId`. Resolves with {sent, refused, left, stopped} where
 * `stopped` is null, 'offline', 'signed_out' or 'server'. `onChange` is called after each entry
 * changes state (the page redraws). `refresh`: asks GET /api/me again (sets the CSRF token;
 * resolves with the person, or null when the session has ended).
 */
export function syncOutbox(personId, { onChange = () => {}, refresh = async () => null } = {}) {
  if (running) return running;
  renewSession = refresh;
  const work = async () => {
    const result = { sent: 0, refused: 0, left: 0, stopped: null };
    const entries = (await outboxOf(personId)).filter((e) => e.state === 'queued' || e.state === 'sending');
    for (let i = 0; i < entries.length; i += 1) {
      // Read again: another tab may have sent it meanwhile.
      const entry = await getEntry(entries[i].client_id);
      if (!entry || (entry.state !== 'queued' && entry.state !== 'sending')) continue;
      try {
        await sendOne(entry);
        result.sent += 1;
      } catch (error) {
        if (permanent(error)) {
          entry.state = 'refused';
          entry.error = error.message;
          entry.error_fields = error.fields ?? {};
          await putEntry(entry);
          result.refused += 1;
        } else {
          entry.state = 'queued';
          entry.error = error.message;
          await putEntry(entry);
          result.stopped = error instanceof StaffError && error.status === 401 ? 'signed_out'
            : error instanceof StaffError && error.network ? 'offline' : 'server';
          result.left = entries.length - i;
          onChange();
          break;
        }
      }
      onChange();
    }
    return result;
  };
  const locked = navigator.locks?.request ? () => navigator.locks.request('wardmap-crew-sync', work) : work;
  running = locked().finally(() => { running = null; });
  return running;
}

export function syncing() {
  return running !== null;
}
