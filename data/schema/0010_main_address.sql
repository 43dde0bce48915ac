-- The OGC API addresses layer shows each property's main address: approved before others,
-- English before Welsh, then the first loaded. Indexed in that order, finding it is one index
-- seek per feature instead of a seek plus a sort. The index starts with uprn, so it also
-- serves every lookup addresses_uprn did, and replaces it (one index to build per import).
DROP INDEX addresses_uprn;
CREATE INDEX addresses_main ON addresses(uprn, logical_status <> 1, language <> 'ENG', id);
