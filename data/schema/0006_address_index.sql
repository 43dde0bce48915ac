-- The type-ahead address search moves into the server's memory (server/services/address_index):
-- it is built from `addresses` at start and rebuilt when an import moves
-- wardmap_meta.addresses_generation on (absent: 0). A persisted FTS5 index cost a third of a gazetteer
-- load and still took milliseconds per keystroke at a million addresses.
DROP TABLE address_search_vocab;
DROP TABLE address_search;
DROP TABLE address_terms;
