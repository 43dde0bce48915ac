// Reads a PMTiles archive with protomaps' own reader (the `pmtiles` npm package), as a map
// client would, for tests/integration/tiles_test.cpp.
//   node read.mjs ARCHIVE TILES
// TILES holds one "z x y" a line. Prints JSON: the header and metadata as the reader parsed
// them, and for each tile asked its decompressed bytes' SHA-256 in hex (null when the archive
// has no such tile).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PMTiles } from 'pmtiles';

const [archive, list] = process.argv.slice(2);
const bytes = readFileSync(archive);
const source = {
  getKey: () => archive,
  getBytes: async (offset, length) => {
    const part = bytes.subarray(offset, offset + length);
    return { data: part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) };
  },
};
const pmtiles = new PMTiles(source);
const header = await pmtiles.getHeader();
const metadata = await pmtiles.getMetadata();
const tiles = {};
for (const line of readFileSync(list, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [z, x, y] = line.trim().split(' ').map(Number);
  const tile = await pmtiles.getZxy(z, x, y);
  tiles[`${z}/${x}/${y}`] = tile
    ? createHash('sha256').update(Buffer.from(tile.data)).digest('hex')
    : null;
}
process.stdout.write(JSON.stringify({ header, metadata, tiles }));
