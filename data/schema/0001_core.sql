-- wardmap core schema. Geometry is stored in EPSG:27700 (authoritative) with a WGS84 copy
-- (geom_wgs84) computed once at load time with OSTN15, so no request pays for reprojection.
-- Each migration runs in one transaction with its PRAGMA user_version bump.

PRAGMA application_id = 1464009805; -- 'WARM' (0x5741524D): marks a wardmap database

CREATE TABLE wardmap_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The council itself: its outline decides what is "in the borough".
CREATE TABLE council_area (
    id        INTEGER PRIMARY KEY,
    ons_code  TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL
);
SELECT AddGeometryColumn('council_area', 'geom', 27700, 'MULTIPOLYGON', 'XY', 1);
SELECT AddGeometryColumn('council_area', 'geom_wgs84', 4326, 'MULTIPOLYGON', 'XY', 1);

-- Ward boundaries are versioned: a boundary set is valid over a date range, and a request
-- belongs to the ward that existed on its date.
CREATE TABLE boundary_sets (
    id          INTEGER PRIMARY KEY,
    label       TEXT NOT NULL UNIQUE,
    valid_from  TEXT NOT NULL,            -- ISO date, inclusive
    valid_to    TEXT,                     -- ISO date, exclusive; NULL while current
    source      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE wards (
    id               INTEGER PRIMARY KEY,
    boundary_set_id  INTEGER NOT NULL REFERENCES boundary_sets(id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    UNIQUE (boundary_set_id, code)
);
SELECT AddGeometryColumn('wards', 'geom', 27700, 'MULTIPOLYGON', 'XY', 1);
SELECT AddGeometryColumn('wards', 'geom_wgs84', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('wards', 'geom');
SELECT CreateSpatialIndex('wards', 'geom_wgs84');
CREATE INDEX wards_code ON wards(code);

-- LLPG streets (BS 7666 type 11/15 records): one row per USRN.
CREATE TABLE streets (
    usrn         INTEGER PRIMARY KEY,
    descriptor   TEXT NOT NULL,
    locality     TEXT,
    town         TEXT NOT NULL,
    street_type  INTEGER NOT NULL DEFAULT 1 CHECK (street_type IN (1, 2, 3, 4, 9)),
    state        INTEGER NOT NULL DEFAULT 2
);
SELECT AddGeometryColumn('streets', 'geom', 27700, 'LINESTRING', 'XY', 1);
SELECT AddGeometryColumn('streets', 'geom_wgs84', 4326, 'LINESTRING', 'XY', 1);
SELECT CreateSpatialIndex('streets', 'geom');
SELECT CreateSpatialIndex('streets', 'geom_wgs84');

-- LLPG properties (BLPU, type 21) and their addresses (LPI, type 24).
CREATE TABLE properties (
    uprn            INTEGER PRIMARY KEY CHECK (uprn BETWEEN 1 AND 999999999999),
    logical_status  INTEGER NOT NULL DEFAULT 1 CHECK (logical_status IN (1, 3, 6, 8)),
    classification  TEXT NOT NULL,
    easting         REAL NOT NULL,
    northing        REAL NOT NULL,
    lon             REAL NOT NULL,
    lat             REAL NOT NULL
);
SELECT AddGeometryColumn('properties', 'geom', 27700, 'POINT', 'XY', 1);
SELECT AddGeometryColumn('properties', 'geom_wgs84', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('properties', 'geom');
SELECT CreateSpatialIndex('properties', 'geom_wgs84');

CREATE TABLE addresses (
    id              INTEGER PRIMARY KEY,
    uprn            INTEGER NOT NULL REFERENCES properties(uprn) ON DELETE CASCADE,
    lpi_key         TEXT UNIQUE,
    language        TEXT NOT NULL DEFAULT 'ENG',
    logical_status  INTEGER NOT NULL DEFAULT 1,
    saon            TEXT,
    paon            TEXT,
    usrn            INTEGER REFERENCES streets(usrn),
    street          TEXT,
    locality        TEXT,
    town            TEXT,
    postcode        TEXT,
    single_line     TEXT NOT NULL
);
CREATE INDEX addresses_uprn ON addresses(uprn);
CREATE INDEX addresses_postcode ON addresses(postcode);
CREATE INDEX addresses_usrn ON addresses(usrn);

CREATE TABLE postcodes (
    postcode  TEXT PRIMARY KEY,           -- normalised: outward code, one space, inward code
    easting   REAL NOT NULL,
    northing  REAL NOT NULL,
    lon       REAL NOT NULL,
    lat       REAL NOT NULL
);
SELECT AddGeometryColumn('postcodes', 'geom', 27700, 'POINT', 'XY', 1);
SELECT AddGeometryColumn('postcodes', 'geom_wgs84', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('postcodes', 'geom');
SELECT CreateSpatialIndex('postcodes', 'geom_wgs84');
