-- Import history: one row per committed import (`wardmap import`), shown at GET /api/imports.
-- A failed import leaves the database exactly as it was, so it is reported but not recorded.

CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,            -- wards, postcodes, ...
    source       TEXT NOT NULL,            -- the file's path as given
    sha256       TEXT NOT NULL,            -- of the file's bytes, lower-case hex
    started_at   TEXT NOT NULL,            -- UTC, ISO 8601
    finished_at  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('ok', 'partial')), -- partial: --skip-bad dropped rows
    read_count   INTEGER NOT NULL DEFAULT 0,
    inserted     INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    repaired     INTEGER NOT NULL DEFAULT 0,
    detail       TEXT NOT NULL DEFAULT ''  -- e.g. the boundary set label
);
CREATE INDEX imports_finished ON imports(finished_at);
