-- Planning records (issue #16): the planning register as imported from planning.data.gov.uk's
-- planning-application dataset or a PlanIt-style file (`wardmap import planning`), its status
-- log, and the constraint layers and local land charges a search of a property answers from.
-- Background: reference/domain.md §5. Rules, formats and imports: docs/planning.md.
--
-- planning_applications (0002) keeps its name and its columns except the typed ward_code,
-- which is dropped: the ward of an application is derived by point-in-polygon against the
-- versioned boundaries at the date it was received (ward_code_at(e, n, received_date) on the
-- server's connections), never stored. reference is the business key an import matches on.
-- geom is the representative point (the file's point, else a point on the site's surface);
-- site_geom the site boundary when the file gives one (NULL otherwise).

ALTER TABLE planning_applications DROP COLUMN ward_code;
ALTER TABLE planning_applications ADD COLUMN validated_date TEXT;
ALTER TABLE planning_applications ADD COLUMN decision_type TEXT;
ALTER TABLE planning_applications ADD COLUMN documentation_url TEXT;
ALTER TABLE planning_applications ADD COLUMN postcode TEXT;
-- Where the row came from last: "demo-data", "import planning FILE" (kept for the log's sake).
ALTER TABLE planning_applications ADD COLUMN source TEXT;
ALTER TABLE planning_applications ADD COLUMN updated_at TEXT;
SELECT AddGeometryColumn('planning_applications', 'site_geom', 27700, 'MULTIPOLYGON', 'XY');
SELECT AddGeometryColumn('planning_applications', 'site_geom_wgs84', 4326, 'MULTIPOLYGON', 'XY');
CREATE INDEX planning_applications_received ON planning_applications (received_date);

-- The status log (planning.data.gov.uk's planning-application-log): one row when an
-- application is first seen and one each time an import finds its status or decision changed.
-- Append-only: never updated, never deleted. event_date is the date the change happened when
-- the file says (the decision date of a decision), else the date it was seen; seen_at is when
-- the import ran; source names the import and its file.
CREATE TABLE planning_application_log (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES planning_applications(id),
    reference       TEXT NOT NULL,
    status          TEXT NOT NULL,
    decision        TEXT,
    event_date      TEXT NOT NULL,
    seen_at         TEXT NOT NULL,
    source          TEXT NOT NULL
);
CREATE INDEX planning_application_log_application
    ON planning_application_log (application_id, id);
CREATE TRIGGER planning_application_log_no_update BEFORE UPDATE ON planning_application_log
BEGIN SELECT RAISE(ABORT, 'planning_application_log is append-only'); END;
CREATE TRIGGER planning_application_log_no_delete BEFORE DELETE ON planning_application_log
BEGIN SELECT RAISE(ABORT, 'planning_application_log is append-only'); END;

-- Constraint layers (public registers): conservation areas, tree preservation orders (their
-- areas and zones), listed building outlines and article 4 direction areas. One table; each
-- kind is its own OGC API collection. reference is unique within a kind (the import's key).
CREATE TABLE planning_constraints (
    id                INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL CHECK (kind IN ('conservation_area', 'tree_preservation_order',
                                                    'listed_building', 'article_4')),
    reference         TEXT NOT NULL,
    name              TEXT,
    designation_date  TEXT,
    grade             TEXT,             -- listed buildings: I, II*, II
    description       TEXT,
    documentation_url TEXT,
    source            TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (kind, reference)
);
SELECT AddGeometryColumn('planning_constraints', 'geom', 27700, 'MULTIPOLYGON', 'XY', 1);
SELECT AddGeometryColumn('planning_constraints', 'geom_wgs84', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('planning_constraints', 'geom');
SELECT CreateSpatialIndex('planning_constraints', 'geom_wgs84');
CREATE INDEX planning_constraints_kind ON planning_constraints (kind, id);

-- The local land charges register (LLC1, reference/domain.md §5.1): a charge's register part
-- (1-12), type, description, dates, originating authority and extent. reference is the key.
CREATE TABLE local_land_charges (
    id                    INTEGER PRIMARY KEY,
    reference             TEXT NOT NULL UNIQUE,
    register_part         INTEGER CHECK (register_part BETWEEN 1 AND 12),
    charge_type           TEXT NOT NULL,
    description           TEXT,
    registered_date       TEXT NOT NULL,
    originating_authority TEXT,
    instrument_reference  TEXT,
    status                TEXT NOT NULL DEFAULT 'registered'
                          CHECK (status IN ('registered', 'varied', 'cancelled')),
    source                TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
SELECT AddGeometryColumn('local_land_charges', 'geom', 27700, 'MULTIPOLYGON', 'XY', 1);
SELECT AddGeometryColumn('local_land_charges', 'geom_wgs84', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('local_land_charges', 'geom');
SELECT CreateSpatialIndex('local_land_charges', 'geom_wgs84');
