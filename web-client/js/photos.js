// Photos for reports and updates: each picture is decoded and scaled down in the browser
// (longest side at most 1600 px, JPEG) before it is uploaded to POST /api/photos, so a phone's
// 8 MB picture goes up as a few hundred KB.
import { api, ApiError } from './api.js';

export const MAX_PHOTOS = 3;
const MAX_SIDE = 1600;

export async function resizeImage(file) {
  if (!file.type.startsWith('image/')) {
    throw new ApiError(`"${file.name}" is not a picture. Please choose a photo (JPEG, PNG or WebP).`);
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ApiError(`"${file.name}" could not be read as a picture. Please choose another photo.`);
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close?.();
  return new Promise((resolve, reject) => canvas.toBlob(
    (blob) => (blob ? resolve(blob) : reject(new ApiError('The photo could not be prepared.'))),
    'image/jpeg', 0.85));
}

/**
 * Wires a file input to a list of uploaded photos. `list` shows thumbnails with a remove
 * button; `error` is the field's message slot. ids() gives the uploaded ids for photo_id.
 */
export function photoPicker({ input, list, error, apiKey }) {
  const photos = []; // {id, url, thumbnail_url, name}
  let pending = 0;
  const render = () => {
    list.replaceChildren(...photos.map((photo, index) => {
      const li = document.createElement('li');
      const img = document.createElement('img');
      img.src = photo.thumbnail_url || photo.url;
      img.alt = `Photo ${index + 1}: ${photo.name}`;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'link-button';
      remove.textContent = `Remove photo ${index + 1}`;
      remove.addEventListener('click', () => { photos.splice(index, 1); render(); input.focus(); });
      li.append(img, remove);
      return li;
    }));
    input.disabled = photos.length >= MAX_PHOTOS;
  };
  input.addEventListener('change', async () => {
    const files = [...input.files];
    input.value = '';
    error.textContent = '';
    const room = MAX_PHOTOS - photos.length - pending;
    if (files.length > room) {
      error.textContent = `You can add up to ${MAX_PHOTOS} photos; the first ${Math.max(room, 0)} were kept.`;
    }
    for (const file of files.slice(0, Math.max(room, 0))) {
      pending += 1;
      list.setAttribute('aria-busy', 'true');
      try {
        const blob = await resizeImage(file);
        const uploaded = await api.uploadPhoto(apiKey, blob);
        photos.push({ ...uploaded, name: file.name });
        render();
      } catch (e) {
        error.textContent = photoMessage(e, file);
      } finally {
        pending -= 1;
        if (!pending) list.removeAttribute('aria-busy');
      }
    }
  });
  return {
    ids: () => photos.map((p) => p.id),
    busy: () => pending > 0,
    clear: () => { photos.length = 0; render(); },
  };
}

function photoMessage(error, file) {
  if (error.status === 413) return `"${file.name}" is too large to send, even after resizing. Please choose a smaller photo.`;
  if (error.status === 415) return `The server did not accept "${file.name}" as a picture. Please choose a JPEG, PNG or WebP photo.`;
  if (error.status === 404) return 'This server does not take photos yet. You can still send your report without one.';
  return error.message;
}
