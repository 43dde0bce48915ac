-- Burials (issue #15, the foundation): cemetery -> section -> optional row -> grave space, the
-- burial register (interments, disinterments), grants of exclusive right of burial with their
-- holders and an append-only history of events, and a manual status override kept beside the
-- facts. Background: reference/domain.md §1. Rules, routes and imports: docs/burials.md.
--
-- A grave's status is never stored: services/burials/grave_status.cpp derives it from these
-- facts (available, reserved, in_use, full, unavailable, right_expired, or the latest
-- override). 0002's burial_plots, whose status was a stored column, is replaced: its rows
-- become grave spaces below.

-- Sections gain what a bereavement service files them by.
ALTER TABLE cemetery_sections ADD COLUMN code TEXT;
ALTER TABLE cemetery_sections ADD COLUMN kind TEXT NOT NULL DEFAULT 'traditional'
    CHECK (kind IN ('traditional', 'lawn', 'baby', 'child', 'cremated_remains',
                    'garden_of_remembrance', 'family_ashes', 'muslim', 'woodland', 'common'));
ALTER TABLE cemetery_sections ADD COLUMN consecrated INTEGER NOT NULL DEFAULT 0
    CHECK (consecrated IN (0, 1));

-- An optional level between section and grave (a row of graves, "S2" in some systems).
CREATE TABLE cemetery_rows (
    id          INTEGER PRIMARY KEY,
    section_id  INTEGER NOT NULL REFERENCES cemetery_sections(id),
    code        TEXT NOT NULL,
    UNIQUE (section_id, code)
);

-- A grave space: the LACO art. 9 plan's numbered grave. grave_number is the business key,
-- unique per cemetery. Capacity is in coffins and in cremated remains (cremated remains may go
-- into a grave whose coffin spaces are used). prior_* count burials known only as a number
-- (rows migrated from 0002, whose register was never entered); they use capacity like
-- interments. unavailable_reason marks ground that cannot be dug (NULL: usable).
CREATE TABLE grave_spaces (
    id                    INTEGER PRIMARY KEY,
    cemetery_id           INTEGER NOT NULL REFERENCES cemeteries(id),
    section_id            INTEGER NOT NULL REFERENCES cemetery_sections(id),
    row_id                INTEGER REFERENCES cemetery_rows(id),
    grave_number          TEXT NOT NULL,
    grave_type            TEXT NOT NULL CHECK (grave_type IN ('private', 'public', 'vault',
                                               'cremated_remains', 'child', 'baby')),
    max_coffins           INTEGER NOT NULL CHECK (max_coffins BETWEEN 0 AND 8),
    max_cremated_remains  INTEGER NOT NULL CHECK (max_cremated_remains BETWEEN 0 AND 24),
    depth_used_m          REAL CHECK (depth_used_m IS NULL OR depth_used_m BETWEEN 0 AND 5),
    ground_notes          TEXT,
    unavailable_reason    TEXT CHECK (unavailable_reason IN ('ground', 'path', 'tree')),
    prior_coffins         INTEGER NOT NULL DEFAULT 0 CHECK (prior_coffins >= 0),
    prior_cremated_remains INTEGER NOT NULL DEFAULT 0 CHECK (prior_cremated_remains >= 0),
    UNIQUE (cemetery_id, grave_number),
    CHECK (max_coffins + max_cremated_remains > 0)
);
SELECT AddGeometryColumn('grave_spaces', 'geom', 27700, 'POLYGON', 'XY', 1);
SELECT AddGeometryColumn('grave_spaces', 'geom_wgs84', 4326, 'POLYGON', 'XY', 1);
SELECT CreateSpatialIndex('grave_spaces', 'geom');
SELECT CreateSpatialIndex('grave_spaces', 'geom_wgs84');
CREATE INDEX grave_spaces_section ON grave_spaces(section_id);

-- A grave's section must be in the grave's cemetery, and a row in the grave's section.
CREATE TRIGGER grave_spaces_section_in_cemetery BEFORE INSERT ON grave_spaces
WHEN (SELECT cemetery_id FROM cemetery_sections WHERE id = NEW.section_id) IS NOT NEW.cemetery_id
  OR (NEW.row_id IS NOT NULL AND
      (SELECT section_id FROM cemetery_rows WHERE id = NEW.row_id) IS NOT NEW.section_id)
BEGIN SELECT RAISE(ABORT, 'grave_spaces: section or row not in the grave''s cemetery'); END;
CREATE TRIGGER grave_spaces_section_in_cemetery_upd BEFORE UPDATE OF cemetery_id, section_id, row_id
ON grave_spaces
WHEN (SELECT cemetery_id FROM cemetery_sections WHERE id = NEW.section_id) IS NOT NEW.cemetery_id
  OR (NEW.row_id IS NOT NULL AND
      (SELECT section_id FROM cemetery_rows WHERE id = NEW.row_id) IS NOT NEW.section_id)
BEGIN SELECT RAISE(ABORT, 'grave_spaces: section or row not in the grave''s cemetery'); END;

-- A register of burials (LACO art. 11): one per cemetery unless a council keeps more.
CREATE TABLE burial_registers (
    id           INTEGER PRIMARY KEY,
    cemetery_id  INTEGER NOT NULL REFERENCES cemeteries(id),
    name         TEXT NOT NULL,
    UNIQUE (cemetery_id, name)
);

-- Grants of exclusive right of burial. The expiry is derived: granted_on + term_years + the
-- years of every 'extension' event. A 'surrender' event ends the grant on its date.
CREATE TABLE burial_grants (
    id           INTEGER PRIMARY KEY,
    grave_id     INTEGER NOT NULL REFERENCES grave_spaces(id),
    deed_number  TEXT NOT NULL UNIQUE,
    granted_on   TEXT NOT NULL CHECK (date(granted_on) IS granted_on),
    term_years   INTEGER NOT NULL DEFAULT 100 CHECK (term_years BETWEEN 1 AND 100),
    notes        TEXT
);
CREATE INDEX burial_grants_grave ON burial_grants(grave_id, granted_on);

-- The registered owners (living people: personal data, read only by bereavement staff and
-- audited). A holder's time ends (held_to) when an assignment, transfer on death, statutory
-- declaration or surrender passes the right on; rows are never deleted.
CREATE TABLE burial_grant_holders (
    id          INTEGER PRIMARY KEY,
    grant_id    INTEGER NOT NULL REFERENCES burial_grants(id),
    full_name   TEXT NOT NULL,
    address     TEXT,
    email       TEXT,
    phone       TEXT,
    held_from   TEXT NOT NULL CHECK (date(held_from) IS held_from),
    held_to     TEXT CHECK (held_to IS NULL OR date(held_to) IS held_to)
);
CREATE INDEX burial_grant_holders_grant ON burial_grant_holders(grant_id);
CREATE TRIGGER burial_grant_holders_no_delete BEFORE DELETE ON burial_grant_holders
BEGIN SELECT RAISE(ABORT, 'burial_grant_holders: holders are kept; end one with held_to'); END;

-- The append-only history of a grant.
CREATE TABLE burial_grant_events (
    id            INTEGER PRIMARY KEY,
    grant_id      INTEGER NOT NULL REFERENCES burial_grants(id),
    kind          TEXT NOT NULL CHECK (kind IN ('purchase', 'assignment', 'transfer_on_death',
                                                'statutory_declaration', 'extension', 'surrender')),
    effective_on  TEXT NOT NULL CHECK (date(effective_on) IS effective_on),
    extend_years  INTEGER CHECK ((kind = 'extension') = (extend_years IS NOT NULL)
                                 AND (extend_years IS NULL OR extend_years BETWEEN 1 AND 100)),
    evidence      TEXT,
    notes         TEXT,
    recorded_at   TEXT NOT NULL,
    recorded_by   TEXT NOT NULL
);
CREATE INDEX burial_grant_events_grant ON burial_grant_events(grant_id, kind);
CREATE TRIGGER burial_grant_events_no_update BEFORE UPDATE ON burial_grant_events
BEGIN SELECT RAISE(ABORT, 'burial_grant_events is append-only'); END;
CREATE TRIGGER burial_grant_events_no_delete BEFORE DELETE ON burial_grant_events
BEGIN SELECT RAISE(ABORT, 'burial_grant_events is append-only'); END;

-- The register of burials. register_number only goes up in each register: the server gives
-- the next number; an import keeps the book's numbers (a gap where --skip-bad left a row out).
-- Age is in years, months, weeks and days as the book gives it (all NULL when unknown or
-- stillborn).
CREATE TABLE interments (
    id                    INTEGER PRIMARY KEY,
    register_id           INTEGER NOT NULL REFERENCES burial_registers(id),
    register_number       INTEGER NOT NULL CHECK (register_number > 0),
    grave_id              INTEGER NOT NULL REFERENCES grave_spaces(id),
    buried_on             TEXT NOT NULL CHECK (date(buried_on) IS buried_on),
    burial_time           TEXT CHECK (burial_time IS NULL OR time(burial_time) IS burial_time || ':00'),
    forenames             TEXT,
    surname               TEXT NOT NULL,
    age_years             INTEGER CHECK (age_years BETWEEN 0 AND 130),
    age_months            INTEGER CHECK (age_months BETWEEN 0 AND 23),
    age_weeks             INTEGER CHECK (age_weeks BETWEEN 0 AND 51),
    age_days              INTEGER CHECK (age_days BETWEEN 0 AND 366),
    stillborn             INTEGER NOT NULL DEFAULT 0 CHECK (stillborn IN (0, 1)),
    parents_names         TEXT,
    died_on               TEXT CHECK (died_on IS NULL OR date(died_on) IS died_on),
    last_address          TEXT,
    last_address_uprn     INTEGER,
    kind                  TEXT NOT NULL CHECK (kind IN ('coffin', 'cremated_remains')),
    position              TEXT,
    officiating_minister  TEXT,
    funeral_director      TEXT,
    grant_id              INTEGER REFERENCES burial_grants(id),
    consent_holder_id     INTEGER REFERENCES burial_grant_holders(id),
    consent_on            TEXT CHECK (consent_on IS NULL OR date(consent_on) IS consent_on),
    entered_at            TEXT NOT NULL,
    entered_by            TEXT NOT NULL,
    UNIQUE (register_id, register_number),
    CHECK (died_on IS NULL OR died_on <= buried_on),
    CHECK (stillborn = 0 OR (age_years IS NULL AND age_months IS NULL AND age_weeks IS NULL
                             AND age_days IS NULL))
);
CREATE INDEX interments_grave ON interments(grave_id, kind);
CREATE INDEX interments_buried ON interments(buried_on);
CREATE TRIGGER interments_sequential BEFORE INSERT ON interments
WHEN NEW.register_number <= (SELECT max(register_number) FROM interments
                             WHERE register_id = NEW.register_id)
BEGIN SELECT RAISE(ABORT, 'interments: register_number must come after the register''s last entry'); END;
CREATE TRIGGER interments_no_delete BEFORE DELETE ON interments
BEGIN SELECT RAISE(ABORT, 'interments: the register is kept in perpetuity'); END;

-- Remains removed under a licence (Ministry of Justice) or faculty; the interment stays in the
-- register and no longer uses the grave's capacity. Append-only.
CREATE TABLE disinterments (
    id                   INTEGER PRIMARY KEY,
    interment_id         INTEGER NOT NULL UNIQUE REFERENCES interments(id),
    disinterred_on       TEXT NOT NULL CHECK (date(disinterred_on) IS disinterred_on),
    licence_reference    TEXT NOT NULL CHECK (length(licence_reference) > 0),
    reinterred_grave_id  INTEGER REFERENCES grave_spaces(id),
    reinterred_on        TEXT CHECK (reinterred_on IS NULL OR date(reinterred_on) IS reinterred_on),
    notes                TEXT,
    recorded_at          TEXT NOT NULL,
    recorded_by          TEXT NOT NULL
);
CREATE TRIGGER disinterments_no_update BEFORE UPDATE ON disinterments
BEGIN SELECT RAISE(ABORT, 'disinterments is append-only'); END;
CREATE TRIGGER disinterments_no_delete BEFORE DELETE ON disinterments
BEGIN SELECT RAISE(ABORT, 'disinterments is append-only'); END;

-- The manual override, kept beside the facts: the latest row per grave wins; a row whose
-- status is NULL clears it. Append-only, so every override and its reason stays on record.
CREATE TABLE grave_status_overrides (
    id        INTEGER PRIMARY KEY,
    grave_id  INTEGER NOT NULL REFERENCES grave_spaces(id),
    status    TEXT CHECK (status IN ('available', 'reserved', 'in_use', 'full', 'unavailable',
                                     'right_expired')),
    reason    TEXT NOT NULL CHECK (length(reason) > 0),
    set_at    TEXT NOT NULL,
    set_by    TEXT NOT NULL
);
CREATE INDEX grave_status_overrides_grave ON grave_status_overrides(grave_id, id);
CREATE TRIGGER grave_status_overrides_no_update BEFORE UPDATE ON grave_status_overrides
BEGIN SELECT RAISE(ABORT, 'grave_status_overrides is append-only'); END;
CREATE TRIGGER grave_status_overrides_no_delete BEFORE DELETE ON grave_status_overrides
BEGIN SELECT RAISE(ABORT, 'grave_status_overrides is append-only'); END;

-- ---- 0002's rows ----
-- Sections: their kind from their plots and name; Church of England sections consecrated.
UPDATE cemetery_sections SET
    kind = CASE
        WHEN name LIKE '%muslim%' THEN 'muslim'
        WHEN name LIKE '%garden of rem%' OR name LIKE '%garden of rest%' THEN 'garden_of_remembrance'
        WHEN name LIKE '%family ashes%' THEN 'family_ashes'
        WHEN name LIKE '%baby%' THEN 'baby'
        ELSE coalesce((SELECT CASE p.plot_type WHEN 'lawn' THEN 'lawn'
                                   WHEN 'cremated_remains' THEN 'cremated_remains'
                                   WHEN 'childrens' THEN 'child' ELSE 'traditional' END
                       FROM burial_plots p WHERE p.section_id = cemetery_sections.id
                       GROUP BY p.plot_type ORDER BY count(*) DESC, p.plot_type LIMIT 1),
                      'traditional') END,
    consecrated = (denomination IS 'Church of England');
INSERT INTO burial_registers (cemetery_id, name) SELECT id, 'Register of burials' FROM cemeteries;

-- Plots become grave spaces under their ids. The plot reference is the grave number when it
-- is unique in its cemetery, else it is prefixed with the section's name. The stored counts
-- become prior burials (no register entries existed); 'unusable' ground becomes unavailable;
-- stored states the facts cannot give ('reserved' and 'purchased_unused' without a deed, a
-- 'full' plot with spare capacity) become overrides whose reason says so.
INSERT INTO grave_spaces (id, cemetery_id, section_id, grave_number, grave_type, max_coffins,
                          max_cremated_remains, ground_notes, unavailable_reason, prior_coffins,
                          prior_cremated_remains, geom, geom_wgs84)
SELECT p.id, s.cemetery_id, p.section_id,
       CASE WHEN (SELECT count(*) FROM burial_plots q JOIN cemetery_sections qs ON qs.id = q.section_id
                  WHERE qs.cemetery_id = s.cemetery_id AND q.plot_ref = p.plot_ref) = 1
            THEN p.plot_ref ELSE s.name || ' ' || p.plot_ref END,
       CASE p.plot_type WHEN 'cremated_remains' THEN 'cremated_remains'
                        WHEN 'childrens' THEN 'child' ELSE 'private' END,
       CASE WHEN p.plot_type = 'cremated_remains' THEN 0 ELSE max(p.capacity, 1) END,
       CASE WHEN p.plot_type = 'cremated_remains' THEN max(p.capacity, 1) ELSE 0 END,
       CASE WHEN p.status = 'unusable' THEN 'migrated from 0002: stored status unusable' END,
       CASE WHEN p.status = 'unusable' THEN 'ground' END,
       CASE WHEN p.plot_type = 'cremated_remains' THEN 0 ELSE min(p.interments, max(p.capacity, 1)) END,
       CASE WHEN p.plot_type = 'cremated_remains' THEN min(p.interments, max(p.capacity, 1)) ELSE 0 END,
       p.geom, p.geom_wgs84
FROM burial_plots p JOIN cemetery_sections s ON s.id = p.section_id
ORDER BY p.id;
INSERT INTO grave_status_overrides (grave_id, status, reason, set_at, set_by)
SELECT id, CASE status WHEN 'full' THEN 'full' ELSE 'reserved' END,
       'migrated from the stored status ''' || status || ''' of 0002 (no deed or register entry on record)',
       strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'migration 0020'
FROM burial_plots
WHERE status IN ('reserved', 'purchased_unused') OR (status = 'full' AND interments < capacity)
ORDER BY id;

SELECT DisableSpatialIndex('burial_plots', 'geom');
SELECT DisableSpatialIndex('burial_plots', 'geom_wgs84');
SELECT DiscardGeometryColumn('burial_plots', 'geom');
SELECT DiscardGeometryColumn('burial_plots', 'geom_wgs84');
DROP TABLE idx_burial_plots_geom;
DROP TABLE idx_burial_plots_geom_wgs84;
DROP TABLE burial_plots;
