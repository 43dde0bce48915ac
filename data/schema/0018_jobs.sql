-- Streetscene jobs from service requests, and reports linked to the bins they are about
-- (issue #18, "Requests become jobs"; docs/streetscene.md, "Jobs").

-- A crew's one-off work: one round per crew and activity (code 'JOB-<crew>-<activity>'),
-- whose stops are jobs and whose visits are put on a day by hand, never by a rule. The rule
-- columns only satisfy 0016's checks: ScheduleService never expands a one-off round's rule
-- (materialise_all skips it; save_round refuses to save over it).
ALTER TABLE schedule_rounds ADD COLUMN one_off INTEGER NOT NULL DEFAULT 0 CHECK (one_off IN (0, 1));

-- A service request turned into one-off work on a crew's day. The job owns one stop of its
-- crew's one-off round: every visit of that stop (the first, and any a not_done completion
-- rolls to the next working day) is the job's. Its state is derived, never stored: done when
-- a visit of its stop has a 'done' completion, closed when its request is closed, else open.
-- Rows are never changed or deleted.
CREATE TABLE streetscene_jobs (
    id            INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL UNIQUE REFERENCES service_requests(id),
    stop_id       INTEGER NOT NULL UNIQUE REFERENCES schedule_round_stops(id),
    visit_id      INTEGER NOT NULL REFERENCES schedule_visits(id), -- the first visit
    crew_code     TEXT NOT NULL,
    category      TEXT NOT NULL,                                   -- the request's service code
    activity      TEXT NOT NULL REFERENCES schedule_activities(code),
    due_date      TEXT NOT NULL,          -- ISO date: the request's target (its SLA), UK time
    planned_date  TEXT NOT NULL,          -- the day it was put on
    chosen        TEXT NOT NULL CHECK (chosen IN ('supervisor', 'nearest')),
    distance_m    REAL,                   -- 'nearest': how far the crew's nearest stop was
    easting       REAL NOT NULL,          -- where the work is (the request's point)
    northing      REAL NOT NULL,
    lon           REAL NOT NULL,
    lat           REAL NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL           -- 'person:<name>' or 'staff:<key name>'
);
CREATE INDEX streetscene_jobs_crew ON streetscene_jobs(crew_code, planned_date);
CREATE TRIGGER streetscene_jobs_no_update BEFORE UPDATE ON streetscene_jobs
BEGIN
    SELECT RAISE(ABORT, 'streetscene_jobs rows are never changed');
END;
CREATE TRIGGER streetscene_jobs_no_delete BEFORE DELETE ON streetscene_jobs
BEGIN
    SELECT RAISE(ABORT, 'streetscene_jobs rows are never deleted');
END;

-- A report about a bin (overflowing_bin) linked to the bin in the asset register when it is
-- stored: by the reference typed on the form (attribute asset_ref), else the nearest active
-- litter or dog bin within 10 m. Never changed or deleted.
CREATE TABLE request_asset_links (
    request_id  INTEGER PRIMARY KEY REFERENCES service_requests(id),
    asset_id    INTEGER NOT NULL REFERENCES street_assets(id),
    matched_by  TEXT NOT NULL CHECK (matched_by IN ('reference', 'nearest')),
    distance_m  REAL NOT NULL,            -- from the report's point to the bin
    linked_at   TEXT NOT NULL
);
CREATE INDEX request_asset_links_asset ON request_asset_links(asset_id);
CREATE TRIGGER request_asset_links_no_update BEFORE UPDATE ON request_asset_links
BEGIN
    SELECT RAISE(ABORT, 'request_asset_links rows are never changed');
END;
CREATE TRIGGER request_asset_links_no_delete BEFORE DELETE ON request_asset_links
BEGIN
    SELECT RAISE(ABORT, 'request_asset_links rows are never deleted');
END;
