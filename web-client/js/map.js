// The map module every view shares (reporting, local reports, ward pages, later MyWard and
// streetscene): a Leaflet map whose background is the council's own basemap, drawn in the
// browser by protomaps-leaflet from wardmap's vector tiles (/ogc/tiles/WebMercatorQuad, the
// combined "basemap" tileset: streets with their names, ward boundaries and names, cemeteries,
// house numbers) with the style in basemap-style.js, plus the borough outline. config.json may
// add an outside raster basemap ("tiles") underneath; the vector tiles then draw the wards only.
// Leaflet and protomaps-leaflet are classic scripts loaded before the modules (window.L,
// window.protomapsL).
import { api, config } from './api.js';
import { basemapStyle } from './basemap-style.js';

const L = window.L;

export const BOROUGH_STYLE = { color: '#1d3f72', weight: 3, fill: false, interactive: false };
export const WARD_STYLE = { color: '#4a5b70', weight: 1, dashArray: '4 4', fillColor: '#ffffff', fillOpacity: 0.05, interactive: false };
const STREET_STYLE = { color: '#6b6b6b', weight: 2, opacity: 0.8, interactive: false };
const STREETS_FROM_ZOOM = 15;
/** The combined tileset of the server's OGC API - Tiles; note the OGC order {z}/{y}/{x}. */
export const BASEMAP_TILES = '/ogc/tiles/WebMercatorQuad/{z}/{y}/{x}';
/** The tileset's zoom range (TileService::min_zoom, max_zoom): data tiles are asked for in it. */
const DATA_MAX_ZOOM = 18;

/**
 * Creates the map in `element` and resolves as soon as it can be used; the borough layers
 * arrive in the background (`layers.ready` resolves when they are drawn). `canvas` draws
 * vector markers on one canvas instead of one SVG element each (thousands of pins).
 * `layers.basemap` is the vector tile layer (null when config.json turns it off).
 */
export async function createMap(element, { label = 'Map', wards = true, streets = true, canvas = false } = {}) {
  const settings = await config();
  const map = L.map(element, { zoomControl: true, keyboard: true, attributionControl: true, maxZoom: 19, minZoom: 9,
    zoomSnap: 0.5, preferCanvas: canvas });
  map.getContainer().setAttribute('aria-label', label);
  map.getContainer().setAttribute('role', 'region');
  map.setView([53.653, -2.632], 12);
  const tiles = settings.tiles ?? {};
  const outside = Boolean(tiles.url && tiles.url !== 'none');
  if (outside) {
    L.tileLayer(tiles.url, { attribution: tiles.attribution ?? '', maxZoom: tiles.max_zoom ?? 19 }).addTo(map);
  }
  const layers = { basemap: null, wards: null, outline: null, streets: null, wardFeatures: [], ready: Promise.resolve() };
  const vector = settings.vector_tiles ?? {};
  const vectorUrl = vector.url ?? BASEMAP_TILES;
  if (vectorUrl !== 'none' && window.protomapsL) {
    layers.basemap = window.protomapsL.leafletLayer({
      url: vectorUrl,
      ...basemapStyle(window.protomapsL, { overlay: outside }),
      maxDataZoom: DATA_MAX_ZOOM,
      maxZoom: 19,
      attribution: vector.attribution ?? `Map: ${settings.council ?? 'the council'}`,
    }).addTo(map);
    map.getContainer().classList.add('vector-basemap');
  } else if (!outside) {
    map.getContainer().classList.add('no-tiles');
    map.attributionControl.addAttribution('Boundaries and streets: wardmap');
  }
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  // The tiles draw the wards and streets; without them the map draws its own from the API.
  const drawWards = !layers.basemap;
  const drawStreets = streets && !(layers.basemap && !outside);
  if (wards) {
    layers.ready = api.wards().then((collection) => {
      layers.wardFeatures = collection.features;
      layers.wards = L.geoJSON(collection, { style: WARD_STYLE });
      if (drawWards) layers.wards.addTo(map);
      layers.outline = L.polyline(outerEdges(collection.features), BOROUGH_STYLE).addTo(map);
      if (!map.wardmapMoved) map.fitBounds(layers.wards.getBounds(), { padding: [8, 8], animate: false });
    }).catch(() => {
      // The map still works without the outline.
    });
    // A view chosen by the resident (a typed address) is not undone when the wards arrive.
    map.once('movestart', () => { map.wardmapMoved = true; });
  }
  if (drawStreets) {
    layers.streets = L.layerGroup().addTo(map);
    const refresh = debounce(() => loadStreets(map, layers.streets), 250);
    map.on('moveend', refresh);
    refresh();
  }
  // The browser tests and the console reach the map through its element.
  element.wardmap = { map, layers };
  return { map, layers };
}

let streetsController = null;
async function loadStreets(map, group) {
  if (map.getZoom() < STREETS_FROM_ZOOM) {
    group.clearLayers();
    return;
  }
  streetsController?.abort();
  streetsController = new AbortController();
  const b = map.getBounds();
  try {
    const data = await api.features('streets', {
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(','),
      limit: 2000,
    });
    group.clearLayers();
    group.addLayer(L.geoJSON(data, { style: STREET_STYLE }));
  } catch {
    // Streets are context only; a failed load leaves the map as it was.
  }
}

// The borough outline is the ward edges that belong to one ward only (shared edges appear twice).
export function outerEdges(features) {
  const count = new Map();
  const key = (a, b) => {
    const p = `${a[0].toFixed(6)},${a[1].toFixed(6)}`;
    const q = `${b[0].toFixed(6)},${b[1].toFixed(6)}`;
    return p < q ? `${p}|${q}` : `${q}|${p}`;
  };
  const segments = [];
  for (const f of features) {
    const g = f.geometry;
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    for (const polygon of polygons) {
      for (const ring of polygon) {
        for (let i = 1; i < ring.length; i += 1) {
          const k = key(ring[i - 1], ring[i]);
          count.set(k, (count.get(k) ?? 0) + 1);
          segments.push([k, ring[i - 1], ring[i]]);
        }
      }
    }
  }
  return segments.filter(([k]) => count.get(k) === 1)
    .map(([, a, b]) => [[a[1], a[0]], [b[1], b[0]]]);
}

/**
 * A pin for a chosen location, keyboard-draggable is not needed: it is moved by clicking.
 * `title`: its tooltip (the tracking page's pin says whose report it is).
 */
export function locationMarker(latlng, { title = 'The problem is here' } = {}) {
  return L.marker(latlng, {
    keyboard: false,
    title,
    alt: 'Chosen location',
    icon: L.divIcon({ className: 'pin', html: '<span class="pin-head"></span>', iconSize: [28, 36], iconAnchor: [14, 34] }),
  });
}

export function statusClass(status) {
  return ['fixed', 'no_further_action', 'duplicate', 'not_councils_responsibility',
    'internal_referral', 'cancelled', 'closed'].includes(status) ? 'closed' : 'open';
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
