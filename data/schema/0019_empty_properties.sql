-- Empty-property inspections (issue #18, "Empty-property inspections (staff only)"): the
-- council's register of empty homes by UPRN, their append-only status log, inspections with
-- their photos, and the owners' contact details kept apart as personal data.
-- Background: reference/domain.md §2.7. Rules and routes: docs/housing.md.
--
-- Nothing derived is stored: the current status is the newest row of the status log, the
-- next inspection due follows from the last inspection (or the registration) and the risk
-- cadence (high 3, medium 6, low 12 months), and the ward comes from ward_code_at() at the
-- date asked. The position is the gazetteer property's (EPSG:27700 with its WGS84 copy).

CREATE TABLE empty_properties (
    id              INTEGER PRIMARY KEY,
    uprn            INTEGER NOT NULL UNIQUE REFERENCES properties(uprn),
    source          TEXT NOT NULL CHECK (source IN ('council_tax', 'complaint', 'survey')),
    empty_since     TEXT NOT NULL CHECK (date(empty_since) IS empty_since),
    -- The day the council put it on the register: the first inspection is due one cadence
    -- after the later of this and empty_since.
    registered_on   TEXT NOT NULL CHECK (date(registered_on) IS registered_on),
    furnished       INTEGER NOT NULL CHECK (furnished IN (0, 1)),
    risk            TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
    notes           TEXT,
    created_at      TEXT NOT NULL, -- UTC
    updated_at      TEXT NOT NULL  -- UTC
);

-- Every change of status, oldest first; the newest row is the status. Append-only.
CREATE TABLE empty_property_status_log (
    id              INTEGER PRIMARY KEY,
    property_id     INTEGER NOT NULL REFERENCES empty_properties(id),
    status          TEXT NOT NULL
                    CHECK (status IN ('monitoring', 'engaged', 'enforcement', 'back_in_use')),
    effective_on    TEXT NOT NULL CHECK (date(effective_on) IS effective_on),
    recorded_at     TEXT NOT NULL, -- UTC
    person_id       INTEGER REFERENCES people(id),
    person_name     TEXT NOT NULL,
    note            TEXT
);
CREATE INDEX empty_property_status_log_property ON empty_property_status_log(property_id, id);
CREATE TRIGGER empty_property_status_log_no_update BEFORE UPDATE ON empty_property_status_log
BEGIN
    SELECT RAISE(ABORT, 'empty_property_status_log is append-only');
END;
CREATE TRIGGER empty_property_status_log_no_delete BEFORE DELETE ON empty_property_status_log
BEGIN
    SELECT RAISE(ABORT, 'empty_property_status_log is append-only');
END;

-- Inspections as made: a record of a visit is not edited afterwards. Append-only.
CREATE TABLE empty_property_inspections (
    id                  INTEGER PRIMARY KEY,
    property_id         INTEGER NOT NULL REFERENCES empty_properties(id),
    inspected_on        TEXT NOT NULL CHECK (date(inspected_on) IS inspected_on),
    inspector_id        INTEGER REFERENCES people(id),
    inspector_name      TEXT NOT NULL,
    condition           TEXT NOT NULL CHECK (condition IN ('good', 'fair', 'poor', 'derelict')),
    security            TEXT NOT NULL CHECK (security IN ('secure', 'insecure', 'open')),
    recommended_action  TEXT NOT NULL CHECK (recommended_action IN
                        ('none', 'monitor', 'contact_owner', 'advice', 'enforcement',
                         'emergency_works')),
    notes               TEXT,
    recorded_at         TEXT NOT NULL -- UTC
);
CREATE INDEX empty_property_inspections_property
    ON empty_property_inspections(property_id, inspected_on);
CREATE TRIGGER empty_property_inspections_no_update BEFORE UPDATE ON empty_property_inspections
BEGIN
    SELECT RAISE(ABORT, 'empty_property_inspections is append-only');
END;
CREATE TRIGGER empty_property_inspections_no_delete BEFORE DELETE ON empty_property_inspections
BEGIN
    SELECT RAISE(ABORT, 'empty_property_inspections is append-only');
END;

-- An inspection's photos, re-encoded by the image pipeline (upright JPEG, no EXIF/GPS) with a
-- thumbnail, as residents' photos are; served only to the housing team.
CREATE TABLE empty_property_photos (
    id                TEXT PRIMARY KEY, -- 32 random hex digits
    inspection_id     INTEGER NOT NULL REFERENCES empty_property_inspections(id),
    position          INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    width             INTEGER NOT NULL,
    height            INTEGER NOT NULL,
    jpeg              BLOB NOT NULL,
    thumbnail_width   INTEGER NOT NULL,
    thumbnail_height  INTEGER NOT NULL,
    thumbnail         BLOB NOT NULL
);
CREATE INDEX empty_property_photos_inspection ON empty_property_photos(inspection_id, position);

-- The owner's contact details: personal data of a living person. Read only through
-- GET /api/housing/properties/{id}/owner by the housing team, every read and change written
-- to audit_log in the same transaction.
CREATE TABLE empty_property_owners (
    property_id   INTEGER PRIMARY KEY REFERENCES empty_properties(id),
    name          TEXT,
    address       TEXT,
    phone         TEXT,
    email         TEXT,
    updated_at    TEXT NOT NULL
);
