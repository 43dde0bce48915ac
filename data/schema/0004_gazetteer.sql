-- The full LLPG: BLPU state and parent, the structured SAO/PAO of each LPI (so a gazetteer can be
-- written back out as DTF 7.3 and sorted by house number), and the address search index.

ALTER TABLE properties ADD COLUMN parent_uprn INTEGER;
ALTER TABLE properties ADD COLUMN blpu_state INTEGER;

ALTER TABLE streets ADD COLUMN admin_area TEXT;

-- Properties are the one table with a million rows. Each R*Tree entry costs ~15 us to insert,
-- so they keep a single spatial index, in EPSG:27700; a WGS84 query is converted to a grid
-- box first (geom_wgs84 stays, for output without reprojection).
SELECT DisableSpatialIndex('properties', 'geom_wgs84');
DROP TABLE idx_properties_geom_wgs84;

ALTER TABLE addresses ADD COLUMN sao_start_number INTEGER;
ALTER TABLE addresses ADD COLUMN sao_start_suffix TEXT;
ALTER TABLE addresses ADD COLUMN sao_end_number INTEGER;
ALTER TABLE addresses ADD COLUMN sao_end_suffix TEXT;
ALTER TABLE addresses ADD COLUMN sao_text TEXT;
ALTER TABLE addresses ADD COLUMN pao_start_number INTEGER;
ALTER TABLE addresses ADD COLUMN pao_start_suffix TEXT;
ALTER TABLE addresses ADD COLUMN pao_end_number INTEGER;
ALTER TABLE addresses ADD COLUMN pao_end_suffix TEXT;
ALTER TABLE addresses ADD COLUMN pao_text TEXT;

-- Type-ahead search: one row per searchable address (rowid = addresses.id). `words` holds the
-- normalised address (lower case, apostrophes dropped, punctuation as spaces), `postcode` the
-- postcode as "pr7 1ab pr71ab" so it matches with or without the space. Prefix indexes make
-- the last, half-typed word cheap; detail=none (no positions: type-ahead needs none) halves the
-- cost of building it. Maintained by the importers, not by triggers, so a bulk
-- load can build it in one pass.
CREATE VIRTUAL TABLE address_search USING fts5(
    words, postcode,
    detail = none,
    prefix = '1 2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Every word of the index longer than the longest prefix index (3), for completing the word
-- being typed: FTS5 answers "avenue"* by merging every matching term's whole doclist, tens of
-- milliseconds at a million addresses, while the exact terms this table lists are microseconds.
CREATE TABLE address_terms (
    term TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE VIRTUAL TABLE address_search_vocab USING fts5vocab('address_search', 'row');
