// Visits on a map, shared by the crew and supervisor pages: one circle per visit on a canvas
// (a refuse round is a thousand stops), its status told by fill as well as colour so that it
// reads without colour vision too: still to do is a white disc in a navy ring, done a solid
// green disc, not done a solid red disc in a thick dark ring. The legend says the same.
const L = window.L;

export const STATUS = {
  planned: { label: 'Still to do', stroke: '#1d3f72', fill: '#ffffff', weight: 3, radius: 7 },
  done: { label: 'Done', stroke: '#ffffff', fill: '#0b6b2f', weight: 2, radius: 7 },
  not_done: { label: 'Not done', stroke: '#1b1b1b', fill: '#d4351c', weight: 3, radius: 8 },
};

export const REASONS = {
  blocked_access: 'Blocked access',
  parked_car: 'Parked car',
  unsafe: 'Unsafe',
  not_needed: 'Not needed',
  weather: 'Weather',
};

export function statusOf(status) {
  return STATUS[status] ? status : 'planned';
}

export function circleFor(feature, status, { selected = false } = {}) {
  const [lon, lat] = feature.geometry.coordinates;
  const s = STATUS[statusOf(status)];
  return L.circleMarker([lat, lon], {
    radius: selected ? s.radius + 4 : s.radius,
    color: selected ? '#ffbf47' : s.stroke,
    weight: selected ? 5 : s.weight,
    fillColor: s.fill,
    fillOpacity: 1,
    opacity: 1,
    bubblingMouseEvents: false,
  });
}

/** A legend control: the three statuses with a swatch drawn as the map draws them, and counts. */
export function legendControl(id) {
  const control = L.control({ position: 'topright' });
  control.onAdd = () => {
    const box = L.DomUtil.create('div', 'visit-legend');
    box.id = id;
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  control.update = (counts = {}) => {
    const box = document.getElementById(id);
    if (!box) return;
    const list = document.createElement('ul');
    for (const [status, s] of Object.entries(STATUS)) {
      const li = document.createElement('li');
      li.dataset.status = status;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.setAttribute('aria-hidden', 'true');
      swatch.style.background = s.fill;
      swatch.style.borderColor = s.stroke;
      swatch.style.borderWidth = `${s.weight}px`;
      li.append(swatch, `${s.label}${counts[status] === undefined ? '' : `: ${counts[status]}`}`);
      list.append(li);
    }
    box.replaceChildren(list);
  };
  return control;
}

export function boundsOf(features) {
  const points = features.filter((f) => f.geometry?.type === 'Point').map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
  return points.length ? L.latLngBounds(points) : null;
}

/** "10:42" in UK time from an RFC 3339 time. */
export function clock(at) {
  if (!at) return '';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
}

/** Today as YYYY-MM-DD in Europe/London. */
export function londonToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date());
}

export function addDays(date, n) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** "Tuesday 8 December" */
export function longDate(date) {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
}

export function validDate(text) {
  return typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(new Date(`${text}T12:00:00Z`).getTime());
}
