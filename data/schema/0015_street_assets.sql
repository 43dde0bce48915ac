-- The street-asset register (issue #18): litter and dog bins, benches, street trees, grit
-- bins, nameplates, verges and amenity grass, shrub beds, play areas, street segments.
--
-- One table for every type, so a round (0016) lists assets of any type by one stable id.
-- Each asset is known to the council by the reference printed on it, unique within its type.
-- The ward is never stored: it is derived from the versioned boundaries at the date asked
-- (services::WardIndex through the SQL function ward_code_at(e, n, date) on the server's
-- connections; the litter_bins view below does the same in plain SpatiaLite SQL). anchor_e
-- and anchor_n are the point that places the asset in a ward: the point itself, a point on
-- the surface of a polygon, the middle of a line; made at load time with the geometry.
--
-- Type-specific attributes (a litter bin's type and capacity in litres, a tree's species, ...)
-- are a JSON object whose members core/street_asset_types.hpp declares per type.
--
-- Every change is kept in street_asset_history, written by the triggers below (so no writer
-- can forget it) and never updated or deleted. An asset is retired (status 'removed'), never
-- deleted.

CREATE TABLE street_asset_types (
    code      TEXT PRIMARY KEY,
    title     TEXT NOT NULL,
    geometry  TEXT NOT NULL CHECK (geometry IN ('point', 'line', 'polygon'))
);
INSERT INTO street_asset_types (code, title, geometry) VALUES
    ('litter_bin', 'Litter bin', 'point'),
    ('dog_bin', 'Dog waste bin', 'point'),
    ('bench', 'Bench', 'point'),
    ('street_tree', 'Street tree', 'point'),
    ('grit_bin', 'Grit bin', 'point'),
    ('nameplate', 'Street nameplate', 'point'),
    ('verge', 'Verge', 'polygon'),
    ('amenity_grass', 'Amenity grass', 'polygon'),
    ('shrub_bed', 'Shrub bed', 'polygon'),
    ('play_area', 'Play area', 'polygon'),
    ('street_segment', 'Street segment', 'line');

CREATE TABLE street_assets (
    id            INTEGER PRIMARY KEY,
    asset_type    TEXT NOT NULL REFERENCES street_asset_types(code),
    reference     TEXT NOT NULL CHECK (length(trim(reference)) > 0),
    uprn          INTEGER,
    usrn          INTEGER,
    installed_on  TEXT,                     -- ISO date
    condition     TEXT,                     -- as the council grades it, lower case (good, fair, poor, ...)
    owner         TEXT NOT NULL DEFAULT 'council', -- council, parish, county, private, ...
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
    removed_on    TEXT,                     -- ISO date, with status 'removed'
    attributes    TEXT NOT NULL DEFAULT '{}'
                  CHECK (json_valid(attributes) AND json_type(attributes) = 'object'),
    anchor_e      REAL NOT NULL,
    anchor_n      REAL NOT NULL,
    changed_at    TEXT NOT NULL,            -- UTC ISO 8601 of the last change
    changed_by    TEXT NOT NULL,            -- its source: an import (kind, file), demo-data, ...
    UNIQUE (asset_type, reference),
    CHECK ((status = 'removed') = (removed_on IS NOT NULL))
);
SELECT AddGeometryColumn('street_assets', 'geom', 27700, 'GEOMETRY', 'XY', 1);
SELECT AddGeometryColumn('street_assets', 'geom_wgs84', 4326, 'GEOMETRY', 'XY', 1);
SELECT CreateSpatialIndex('street_assets', 'geom');
SELECT CreateSpatialIndex('street_assets', 'geom_wgs84');
CREATE INDEX street_assets_type ON street_assets(asset_type, status);
CREATE INDEX street_assets_usrn ON street_assets(usrn) WHERE usrn IS NOT NULL;
CREATE INDEX street_assets_uprn ON street_assets(uprn) WHERE uprn IS NOT NULL;

CREATE TABLE street_asset_history (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES street_assets(id),
    change      TEXT NOT NULL CHECK (change IN ('insert', 'update', 'retire', 'reinstate')),
    changed_at  TEXT NOT NULL,
    source      TEXT NOT NULL,
    snapshot    TEXT NOT NULL               -- JSON: the asset as it was after the change
);
CREATE INDEX street_asset_history_asset ON street_asset_history(asset_id, id);

CREATE TRIGGER street_asset_inserted AFTER INSERT ON street_assets
BEGIN
    INSERT INTO street_asset_history (asset_id, change, changed_at, source, snapshot)
    VALUES (NEW.id, 'insert', NEW.changed_at, NEW.changed_by,
            json_object('asset_type', NEW.asset_type, 'reference', NEW.reference,
                        'uprn', NEW.uprn, 'usrn', NEW.usrn, 'installed_on', NEW.installed_on,
                        'condition', NEW.condition, 'owner', NEW.owner, 'status', NEW.status,
                        'removed_on', NEW.removed_on, 'attributes', json(NEW.attributes),
                        'geometry', AsText(NEW.geom)));
END;

CREATE TRIGGER street_asset_updated AFTER UPDATE ON street_assets
BEGIN
    INSERT INTO street_asset_history (asset_id, change, changed_at, source, snapshot)
    VALUES (NEW.id,
            CASE WHEN OLD.status = 'active' AND NEW.status = 'removed' THEN 'retire'
                 WHEN OLD.status = 'removed' AND NEW.status = 'active' THEN 'reinstate'
                 ELSE 'update' END,
            NEW.changed_at, NEW.changed_by,
            json_object('asset_type', NEW.asset_type, 'reference', NEW.reference,
                        'uprn', NEW.uprn, 'usrn', NEW.usrn, 'installed_on', NEW.installed_on,
                        'condition', NEW.condition, 'owner', NEW.owner, 'status', NEW.status,
                        'removed_on', NEW.removed_on, 'attributes', json(NEW.attributes),
                        'geometry', AsText(NEW.geom)));
END;

CREATE TRIGGER street_asset_not_deleted BEFORE DELETE ON street_assets
BEGIN
    SELECT RAISE(ABORT, 'street assets are retired (status removed), never deleted');
END;
CREATE TRIGGER street_asset_history_not_updated BEFORE UPDATE ON street_asset_history
BEGIN
    SELECT RAISE(ABORT, 'street_asset_history is append-only');
END;
CREATE TRIGGER street_asset_history_not_deleted BEFORE DELETE ON street_asset_history
BEGIN
    SELECT RAISE(ABORT, 'street_asset_history is append-only');
END;

-- The litter bins of 0002 move into the register under their own ids; their typed ward_code
-- is dropped (it went stale when boundaries changed).
INSERT INTO street_assets (id, asset_type, reference, usrn, installed_on, owner, status,
                           attributes, anchor_e, anchor_n, changed_at, changed_by,
                           geom, geom_wgs84)
SELECT id, 'litter_bin', asset_ref, usrn, installed_on, 'council', 'active',
       json_object('bin_type', bin_type, 'capacity_l', capacity_l,
                   'empty_per_week', empty_per_week),
       X(geom), Y(geom), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'migration 0015 (litter_bins)',
       geom, geom_wgs84
FROM litter_bins ORDER BY id;
-- SpatiaLite's DropGeoTable() does nothing inside a transaction (every migration runs in one),
-- so its steps one by one: the indexes' triggers, the geometry columns, the R*Trees, the table.
SELECT DisableSpatialIndex('litter_bins', 'geom');
SELECT DisableSpatialIndex('litter_bins', 'geom_wgs84');
SELECT DiscardGeometryColumn('litter_bins', 'geom');
SELECT DiscardGeometryColumn('litter_bins', 'geom_wgs84');
DROP TABLE idx_litter_bins_geom;
DROP TABLE idx_litter_bins_geom_wgs84;
DROP TABLE litter_bins;

-- litter_bins as before, for SQL readers: active litter bins with the ward computed (not
-- stored) from the boundary set in force today, by SpatiaLite. The server's collection reads
-- street_assets itself (server/services/streetscene/asset_layers.cpp).
CREATE VIEW litter_bins AS
SELECT a.id AS id,
       a.reference AS asset_ref,
       json_extract(a.attributes, '$.bin_type') AS bin_type,
       json_extract(a.attributes, '$.capacity_l') AS capacity_l,
       a.usrn AS usrn,
       (SELECT w.code FROM wards w JOIN boundary_sets b ON b.id = w.boundary_set_id
         WHERE b.valid_from <= date('now') AND (b.valid_to IS NULL OR b.valid_to > date('now'))
           AND w.id IN (SELECT pkid FROM idx_wards_geom
                         WHERE xmin <= a.anchor_e AND xmax >= a.anchor_e
                           AND ymin <= a.anchor_n AND ymax >= a.anchor_n)
           AND ST_Covers(w.geom, MakePoint(a.anchor_e, a.anchor_n, 27700)) = 1
         ORDER BY w.code LIMIT 1) AS ward_code,
       a.installed_on AS installed_on,
       json_extract(a.attributes, '$.empty_per_week') AS empty_per_week,
       a.condition AS condition,
       a.owner AS owner,
       a.geom AS geom,
       a.geom_wgs84 AS geom_wgs84
FROM street_assets a
WHERE a.asset_type = 'litter_bin' AND a.status = 'active';
