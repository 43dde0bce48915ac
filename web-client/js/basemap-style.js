// The style of the council's own basemap: how protomaps-leaflet draws the layers of wardmap's
// combined vector tileset (/ogc/tiles/WebMercatorQuad/{z}/{y}/{x}: wards, cemeteries,
// cemetery_sections, streets, addresses; see docs/web-client.md). The colours are the site's
// (css/base.css): the council's navy for ward boundaries and names, dark text on a white halo
// for labels (more than 7:1 against the halo, whatever lies under it).
//
// Zooms here are the map's (display) zooms. The layer asks for data one level below the display
// zoom (512-pixel data tiles over 256-pixel display tiles), so the server's layer minimum zooms
// (streets 10, cemeteries 12, sections 15, addresses 16) show from one level higher.

export const COLOURS = {
  land: '#f4f2ec',
  wardLine: '#1d3f72',
  wardName: '#1d3f72',
  cemeteryFill: '#d4e6cc',
  cemeteryLine: '#6f9a66',
  cemeteryName: '#1f4a1a',
  sectionLine: '#8fb586',
  streetCasing: '#b3ab9c',
  street: '#ffffff',
  streetFar: '#c6bfb1',
  label: '#1b1b1b',
  halo: '#ffffff',
  houseNumber: '#4a4a4a',
};

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

/** Street names show from this display zoom (the streets layer has no names drawn below it). */
export const STREET_LABELS_FROM_ZOOM = 14;
/** House numbers show from this display zoom. */
export const HOUSE_NUMBERS_FROM_ZOOM = 18;

/** A function of the zoom, linear between stops [[zoom, value], ...]. */
function byZoom(stops) {
  return (z) => {
    if (z <= stops[0][0]) return stops[0][1];
    for (let i = 1; i < stops.length; i += 1) {
      if (z <= stops[i][0]) {
        const [z0, v0] = stops[i - 1];
        const [z1, v1] = stops[i];
        return v0 + ((v1 - v0) * (z - z0)) / (z1 - z0);
      }
    }
    return stops[stops.length - 1][1];
  };
}

/** protomaps-leaflet's label index measures distances with the anchor's dist() (a Point). */
class Anchor {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }

  dist(p) {
    return Math.hypot(p.x - this.x, p.y - this.y);
  }

  clone() {
    return new Anchor(this.x, this.y);
  }
}

function ringArea(ring) {
  let area = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    area += (ring[j].x - ring[i].x) * (ring[j].y + ring[i].y);
  }
  return area / 2;
}

function ringCentroid(ring) {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const f = ring[j].x * ring[i].y - ring[i].x * ring[j].y;
    a += f;
    cx += (ring[j].x + ring[i].x) * f;
    cy += (ring[j].y + ring[i].y) * f;
  }
  if (a === 0) return null;
  return { x: cx / (3 * a), y: cy / (3 * a) };
}

function insideRing(p, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const a = ring[i];
    const b = ring[j];
    if ((a.y > p.y) !== (b.y > p.y) && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/**
 * A name inside an area (a ward, a cemetery): protomaps-leaflet's text symbolizers place a
 * label at a feature's first vertex, which for a polygon cut at the tile's edge is a corner of
 * the tile. This one puts it at the centroid of the largest ring of the polygon's piece in
 * the tile when that point is inside the ring and the piece is wide enough for the text;
 * pieces of the same area in neighbouring tiles are told apart by `deduplicationDistance`, so
 * a ward's name shows once per screenful rather than once per tile.
 */
export class AreaNameSymbolizer {
  constructor({ property = 'name', font, fill, halo = COLOURS.halo, haloWidth = 3, spacing = 500, uppercase = false }) {
    this.property = property;
    this.font = font;
    this.fill = fill;
    this.halo = halo;
    this.haloWidth = haloWidth;
    this.spacing = spacing;
    this.uppercase = uppercase;
  }

  place(layout, geom, feature) {
    let name = feature.props[this.property];
    if (typeof name !== 'string' || !name) return undefined;
    if (this.uppercase) name = name.toUpperCase();
    let best = null;
    let bestArea = 0;
    for (const ring of geom) {
      const area = Math.abs(ringArea(ring));
      if (area > bestArea) {
        bestArea = area;
        best = ring;
      }
    }
    if (!best) return undefined;
    const centre = ringCentroid(best);
    if (!centre || !insideRing(centre, best)) return undefined;
    const font = typeof this.font === 'function' ? this.font(layout.zoom) : this.font;
    layout.scratch.font = font;
    const metrics = layout.scratch.measureText(name);
    const width = metrics.width;
    const ascent = metrics.actualBoundingBoxAscent;
    const descent = metrics.actualBoundingBoxDescent;
    let minX = Infinity;
    let maxX = -Infinity;
    for (const p of best) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
    }
    if (maxX - minX < width * 0.8) return undefined;
    const pad = 2;
    const bbox = {
      minX: centre.x - width / 2 - pad, minY: centre.y - ascent - pad, maxX: centre.x + width / 2 + pad, maxY: centre.y + descent + pad,
    };
    const draw = (ctx) => {
      ctx.globalAlpha = 1;
      ctx.font = font;
      ctx.lineJoin = 'round';
      ctx.lineWidth = this.haloWidth;
      ctx.strokeStyle = this.halo;
      ctx.strokeText(name, -width / 2, 0);
      ctx.fillStyle = this.fill;
      ctx.fillText(name, -width / 2, 0);
    };
    return [{
      anchor: new Anchor(centre.x, centre.y), bboxes: [bbox], draw, deduplicationKey: `${this.property}:${name}`, deduplicationDistance: this.spacing,
    }];
  }
}

/**
 * The paint and label rules for protomaps-leaflet (`P` is its global, window.protomapsL).
 * `overlay`: an outside basemap (config.json "tiles") is drawn underneath, with its own
 * streets and names, so only the ward boundaries and their names are drawn, on no background.
 */
export function basemapStyle(P, { overlay = false } = {}) {
  const wardLines = {
    dataLayer: 'wards',
    // Solid: a boundary is drawn by both its wards, and two dash patterns would not line up.
    symbolizer: new P.LineSymbolizer({ color: COLOURS.wardLine, width: byZoom([[9, 1.2], [16, 2.5]]), opacity: 0.8 }),
  };
  const wardNames = {
    dataLayer: 'wards',
    maxzoom: 15,
    symbolizer: new AreaNameSymbolizer({
      font: (z) => `600 ${z >= 13 ? 15 : 13}px ${FONT}`, fill: COLOURS.wardName, spacing: 700,
    }),
  };
  if (overlay) {
    return { paintRules: [wardLines], labelRules: [wardNames], backgroundColor: undefined };
  }
  const casing = byZoom([[13, 3], [15, 7], [17, 15], [19, 30]]);
  const fill = byZoom([[13, 1.5], [15, 5], [17, 12], [19, 26]]);
  const paintRules = [
    {
      dataLayer: 'cemeteries',
      symbolizer: new P.PolygonSymbolizer({ fill: COLOURS.cemeteryFill, stroke: COLOURS.cemeteryLine, width: 1 }),
    },
    {
      dataLayer: 'cemetery_sections',
      symbolizer: new P.LineSymbolizer({ color: COLOURS.sectionLine, width: 1 }),
    },
    {
      dataLayer: 'streets',
      maxzoom: 12,
      symbolizer: new P.LineSymbolizer({ color: COLOURS.streetFar, width: byZoom([[10, 0.6], [12, 1.2]]) }),
    },
    {
      dataLayer: 'streets',
      minzoom: 13,
      symbolizer: new P.LineSymbolizer({ color: COLOURS.streetCasing, width: casing, lineCap: 'round', lineJoin: 'round' }),
    },
    {
      dataLayer: 'streets',
      minzoom: 13,
      symbolizer: new P.LineSymbolizer({ color: COLOURS.street, width: fill, lineCap: 'round', lineJoin: 'round' }),
    },
    wardLines,
  ];
  const labelRules = [
    {
      dataLayer: 'streets',
      minzoom: STREET_LABELS_FROM_ZOOM,
      symbolizer: new P.LineLabelSymbolizer({
        labelProps: ['descriptor'],
        fill: COLOURS.label,
        stroke: COLOURS.halo,
        width: 3,
        font: (z) => `${z >= 17 ? 14 : 12}px ${FONT}`,
        position: P.LineLabelPlacement.Center,
        repeatDistance: 400,
      }),
    },
    wardNames,
    {
      dataLayer: 'cemeteries',
      minzoom: 14,
      symbolizer: new AreaNameSymbolizer({ font: `italic 13px ${FONT}`, fill: COLOURS.cemeteryName, spacing: 600 }),
    },
    {
      dataLayer: 'cemetery_sections',
      minzoom: 17,
      symbolizer: new AreaNameSymbolizer({ font: `11px ${FONT}`, fill: COLOURS.cemeteryName, spacing: 200 }),
    },
    {
      dataLayer: 'addresses',
      minzoom: HOUSE_NUMBERS_FROM_ZOOM,
      symbolizer: new P.CenteredTextSymbolizer({
        labelProps: ['house'], fill: COLOURS.houseNumber, stroke: COLOURS.halo, width: 2, font: `11px ${FONT}`,
      }),
    },
  ];
  return { paintRules, labelRules, backgroundColor: COLOURS.land };
}
