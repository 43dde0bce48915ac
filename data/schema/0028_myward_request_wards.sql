-- 0028: MyWard's request -> ward placement (docs/myward.md "Cache"). A derived, rebuildable
-- index, never a source: each row says which ward of one boundary set a request's stored
-- 27700 point falls in, as the in-memory ward index (point-in-polygon, WardIndex::find) placed
-- it. MyWardService fills it lazily per boundary set and reads a ward's requests of a range by
-- (ward_id, created_at) instead of placing every request of the ward's bounding box on every
-- call. The triggers below keep it true:
--   * a boundary set whose wards change (import, re-import, delete) loses its
--     myward_placed_sets row, so the next read rebuilds that set's placement from the geometry;
--   * a request created, moved (geom) or re-dated (created_at) is queued in
--     myward_unplaced_requests and placed again (in every placed set) before the next read;
--   * a deleted request loses its rows.
-- Dropping every row of these tables is always safe: they are rebuilt on the next read.

CREATE TABLE myward_request_wards (
    boundary_set_id INTEGER NOT NULL,
    request_id      INTEGER NOT NULL,
    ward_id         INTEGER,          -- wards.id; NULL when the point is in no ward of the set
    created_at      TEXT NOT NULL,    -- the request's, so a ward's range is one index range
    PRIMARY KEY (boundary_set_id, request_id)
) WITHOUT ROWID;
CREATE INDEX myward_request_wards_ward ON myward_request_wards (ward_id, created_at, request_id);

-- The boundary sets whose placement is complete (but for the queued requests).
CREATE TABLE myward_placed_sets (
    boundary_set_id INTEGER PRIMARY KEY,
    placed_at       TEXT NOT NULL
);

-- Requests to place again before the next read.
CREATE TABLE myward_unplaced_requests (request_id INTEGER PRIMARY KEY);

CREATE TRIGGER myward_wards_inserted AFTER INSERT ON wards BEGIN
    DELETE FROM myward_placed_sets WHERE boundary_set_id = NEW.boundary_set_id;
END;
CREATE TRIGGER myward_wards_deleted AFTER DELETE ON wards BEGIN
    DELETE FROM myward_placed_sets WHERE boundary_set_id = OLD.boundary_set_id;
END;
CREATE TRIGGER myward_wards_updated AFTER UPDATE OF geom, boundary_set_id ON wards BEGIN
    DELETE FROM myward_placed_sets
     WHERE boundary_set_id IN (OLD.boundary_set_id, NEW.boundary_set_id);
END;

CREATE TRIGGER myward_request_inserted AFTER INSERT ON service_requests BEGIN
    INSERT OR IGNORE INTO myward_unplaced_requests (request_id) VALUES (NEW.id);
END;
CREATE TRIGGER myward_request_moved AFTER UPDATE OF geom, created_at ON service_requests BEGIN
    INSERT OR IGNORE INTO myward_unplaced_requests (request_id) VALUES (NEW.id);
END;
CREATE TRIGGER myward_request_deleted AFTER DELETE ON service_requests BEGIN
    DELETE FROM myward_request_wards WHERE request_id = OLD.id;
    DELETE FROM myward_unplaced_requests WHERE request_id = OLD.id;
END;
