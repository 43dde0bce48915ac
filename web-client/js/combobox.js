// An address/postcode type-ahead following the WAI-ARIA combobox pattern (an input with
// role=combobox controlling a listbox): arrows move, Enter chooses, Escape closes, and the
// active option is announced through aria-activedescendant.
import { api } from './api.js';
import { debounce } from './map.js';

export function addressCombobox({ input, listbox, status, onChoose }) {
  let options = [];
  let active = -1;
  let controller = null;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', listbox.id);
  listbox.setAttribute('role', 'listbox');

  const close = () => {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    [...listbox.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', listbox.children[index].id);
      listbox.children[index].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };
  const choose = (index) => {
    const feature = options[index];
    if (!feature) return;
    input.value = feature.properties.address;
    close();
    onChoose(feature);
  };
  const show = (features, query) => {
    options = features;
    listbox.replaceChildren(...features.map((f, i) => {
      const li = document.createElement('li');
      li.id = `${listbox.id}-option-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.textContent = f.properties.address;
      li.addEventListener('mousedown', (event) => event.preventDefault());
      li.addEventListener('click', () => choose(i));
      return li;
    }));
    listbox.hidden = features.length === 0;
    input.setAttribute('aria-expanded', String(features.length > 0));
    active = -1;
    status.textContent = features.length === 0
      ? `No address in the borough matches "${query}". Try a street name or a postcode, or click the map.`
      : `${features.length} address${features.length === 1 ? '' : 'es'} found; use the arrow keys to choose.`;
  };
  const search = debounce(async () => {
    const q = input.value.trim();
    if (q.length < 2) {
      options = [];
      listbox.replaceChildren();
      close();
      status.textContent = '';
      return;
    }
    controller?.abort();
    controller = new AbortController();
    try {
      const result = await api.searchAddresses(q, 8, controller.signal);
      if (input.value.trim() === q) show(result.features, q);
    } catch (error) {
      if (error.name === 'AbortError') return;
      close();
      status.textContent = error.network ? error.message
        : `The address search did not work: ${error.message}`;
    }
  }, 200);

  input.addEventListener('input', search);
  input.addEventListener('keydown', (event) => {
    const n = options.length;
    if (event.key === 'ArrowDown' && n) {
      event.preventDefault();
      if (listbox.hidden) { listbox.hidden = false; input.setAttribute('aria-expanded', 'true'); }
      highlight((active + 1) % n);
    } else if (event.key === 'ArrowUp' && n) {
      event.preventDefault();
      highlight(active <= 0 ? n - 1 : active - 1);
    } else if (event.key === 'Enter') {
      if (!listbox.hidden && n) {
        event.preventDefault();
        choose(active >= 0 ? active : 0);
      }
    } else if (event.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}
