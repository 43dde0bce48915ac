-- 0021: the public grave search's name keys (docs/burials.md "Public grave search").
-- Derived from interments' names by geo/store/burial_name_keys (C++: the sound keys are not
-- SQL), written by every path that writes an interment (the staff route, the register
-- import, the demo) in the same transaction; `wardmap serve` indexes any interment still
-- without a row at start (an upgraded database's register is indexed then).

-- One row per interment: the spellings, for ranking exact matches first and for forenames.
CREATE TABLE interment_names (
    interment_id        INTEGER PRIMARY KEY REFERENCES interments(id),
    surname_spelling    TEXT NOT NULL,  -- letters a-z of the surname ("obrien")
    forename_spellings  TEXT NOT NULL,  -- ' mary ann ' (each word between spaces)
    forename_keys       TEXT NOT NULL   -- ' MR AN ' (their sound keys, the same way)
);

-- The surname's sound keys: a search is a lookup of this primary key.
CREATE TABLE interment_name_keys (
    key           TEXT NOT NULL,
    interment_id  INTEGER NOT NULL REFERENCES interments(id),
    PRIMARY KEY (key, interment_id)
) WITHOUT ROWID;
