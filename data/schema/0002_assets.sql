-- Council assets and casework that later capabilities expose: cemeteries and plots,
-- litter bins, planning applications and service requests.

CREATE TABLE cemeteries (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    address  TEXT NOT NULL,
    opened   INTEGER
);
SELECT AddGeometryColumn('cemeteries', 'geom', 27700, 'MULTIPOLYGON', 'XY', 1);
SELECT AddGeometryColumn('cemeteries', 'geom_wgs84', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('cemeteries', 'geom');
SELECT CreateSpatialIndex('cemeteries', 'geom_wgs84');

CREATE TABLE cemetery_sections (
    id           INTEGER PRIMARY KEY,
    cemetery_id  INTEGER NOT NULL REFERENCES cemeteries(id),
    name         TEXT NOT NULL,
    denomination TEXT,
    UNIQUE (cemetery_id, name)
);
SELECT AddGeometryColumn('cemetery_sections', 'geom', 27700, 'POLYGON', 'XY', 1);
SELECT AddGeometryColumn('cemetery_sections', 'geom_wgs84', 4326, 'POLYGON', 'XY', 1);
SELECT CreateSpatialIndex('cemetery_sections', 'geom');
SELECT CreateSpatialIndex('cemetery_sections', 'geom_wgs84');

-- Plot status follows reference/domain.md §1.7.
CREATE TABLE burial_plots (
    id          INTEGER PRIMARY KEY,
    section_id  INTEGER NOT NULL REFERENCES cemetery_sections(id),
    plot_ref    TEXT NOT NULL,
    plot_type   TEXT NOT NULL CHECK (plot_type IN ('traditional', 'lawn', 'cremated_remains', 'childrens')),
    status      TEXT NOT NULL CHECK (status IN ('available', 'reserved', 'purchased_unused',
                                                'occupied', 'full', 'unusable')),
    capacity    INTEGER NOT NULL DEFAULT 2,
    interments  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (section_id, plot_ref)
);
SELECT AddGeometryColumn('burial_plots', 'geom', 27700, 'POLYGON', 'XY', 1);
SELECT AddGeometryColumn('burial_plots', 'geom_wgs84', 4326, 'POLYGON', 'XY', 1);
SELECT CreateSpatialIndex('burial_plots', 'geom');
SELECT CreateSpatialIndex('burial_plots', 'geom_wgs84');

CREATE TABLE litter_bins (
    id            INTEGER PRIMARY KEY,
    asset_ref     TEXT NOT NULL UNIQUE,
    bin_type      TEXT NOT NULL,
    capacity_l    INTEGER NOT NULL,
    usrn          INTEGER REFERENCES streets(usrn),
    ward_code     TEXT,
    installed_on  TEXT,
    empty_per_week INTEGER NOT NULL DEFAULT 1
);
SELECT AddGeometryColumn('litter_bins', 'geom', 27700, 'POINT', 'XY', 1);
SELECT AddGeometryColumn('litter_bins', 'geom_wgs84', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('litter_bins', 'geom');
SELECT CreateSpatialIndex('litter_bins', 'geom_wgs84');

CREATE TABLE planning_applications (
    id             INTEGER PRIMARY KEY,
    reference      TEXT NOT NULL UNIQUE,
    app_type       TEXT NOT NULL,
    description    TEXT NOT NULL,
    address        TEXT NOT NULL,
    uprn           INTEGER,
    ward_code      TEXT,
    status         TEXT NOT NULL,
    decision       TEXT,
    received_date  TEXT NOT NULL,
    decided_date   TEXT
);
SELECT AddGeometryColumn('planning_applications', 'geom', 27700, 'POINT', 'XY', 1);
SELECT AddGeometryColumn('planning_applications', 'geom_wgs84', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('planning_applications', 'geom');
SELECT CreateSpatialIndex('planning_applications', 'geom_wgs84');

CREATE TABLE service_categories (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    group_name  TEXT NOT NULL
);

-- Service requests; the request engine (Open311) adds its lifecycle tables on top.
CREATE TABLE service_requests (
    id             INTEGER PRIMARY KEY,
    category_code  TEXT NOT NULL REFERENCES service_categories(code),
    status         TEXT NOT NULL,
    description    TEXT NOT NULL,
    address        TEXT,
    uprn           INTEGER,
    usrn           INTEGER,
    ward_code      TEXT,
    source         TEXT NOT NULL DEFAULT 'web',
    created_at     TEXT NOT NULL,             -- ISO 8601 UTC
    updated_at     TEXT NOT NULL,
    closed_at      TEXT
);
SELECT AddGeometryColumn('service_requests', 'geom', 27700, 'POINT', 'XY', 1);
SELECT AddGeometryColumn('service_requests', 'geom_wgs84', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('service_requests', 'geom');
SELECT CreateSpatialIndex('service_requests', 'geom_wgs84');
CREATE INDEX service_requests_created ON service_requests(created_at);
CREATE INDEX service_requests_ward ON service_requests(ward_code);
