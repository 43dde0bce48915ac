-- The full LLPG: BLPU state and parent, the structured SAO/PAO of each LPI (so a gazetteer can be
-- written back out as DTF 7.3 and sorted by house number), and the address search index.

ALTER TABLE properties ADD COLUMN parent_uprn INTEGER;
ALTER TABLE properties ADD COLUMN blpu_state INTEGER;

ALTER TABLE streets ADD COLUMN admin_area TEXT;

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
-- the last, half-typed word cheap. Maintained by the importers, not by triggers, so a bulk
-- load can build it in one pass.
CREATE VIRTUAL TABLE address_search USING fts5(
    words, postcode,
    detail = column,
    prefix = '1 2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);
