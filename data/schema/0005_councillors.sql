-- Councillors per ward (`wardmap import councillors`). Keyed by boundary set and ward code, not
-- wards.id: re-importing a set's wards replaces its ward rows, and the councillors stay with
-- the codes.

CREATE TABLE councillors (
    id               INTEGER PRIMARY KEY,
    boundary_set_id  INTEGER NOT NULL REFERENCES boundary_sets(id) ON DELETE CASCADE,
    ward_code        TEXT NOT NULL,
    sort_order       INTEGER NOT NULL,    -- the order the file lists them in, from 1
    name             TEXT NOT NULL,
    party            TEXT,                -- NULL when the source does not say
    councillor_ref   TEXT,                -- the council's own id (e.g. 'jmolyneaux')
    email            TEXT,
    UNIQUE (boundary_set_id, ward_code, sort_order)
);
CREATE INDEX councillors_ward ON councillors(boundary_set_id, ward_code);
