-- Streetscene crews and the day's work (issue #18, "Crews"): crews and their members, the
-- completions crews record against planned visits (append-only, with photos), supervisors'
-- assignments (a visit to another crew or to one person; a round to a crew from a date), and
-- visits rolled to the next working day when not done. A visit's status is no longer stored:
-- it follows from its completions (planned: none; else the latest completion's outcome).
-- Background: reference/domain.md §2.3-2.4. Routes and rules: docs/streetscene.md.

-- A working team inside the streetscene department. schedule_rounds.team holds a crew's code.
CREATE TABLE crews (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    depot    TEXT,
    vehicle  TEXT
);

-- Who is in a crew: streetscene officers (and supervisors who work with one).
CREATE TABLE crew_members (
    crew_code  TEXT NOT NULL REFERENCES crews(code),
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (crew_code, person_id)
);
CREATE INDEX crew_members_person ON crew_members(person_id);

-- schedule_visits rebuilt: the stored status goes (it is derived from completions), and a
-- visit may be a roll of another (`rolled_from`: the not-done visit it repeats on the next
-- working day, same stop and rule_date). One visit per stop and rule date among the rule's
-- own visits; one roll per visit. Statuses stored before this migration were only ever set by
-- hand (nothing recorded work before crews); they are not carried over.
CREATE TABLE schedule_visits_new (
    id            INTEGER PRIMARY KEY,
    round_id      INTEGER NOT NULL REFERENCES schedule_rounds(id),
    stop_id       INTEGER NOT NULL REFERENCES schedule_round_stops(id),
    rule_date     TEXT NOT NULL,
    planned_date  TEXT NOT NULL,
    moved         TEXT CHECK (moved IN ('bank_holiday')),
    generation    INTEGER NOT NULL,
    rolled_from   INTEGER REFERENCES schedule_visits(id)
);
INSERT INTO schedule_visits_new (id, round_id, stop_id, rule_date, planned_date, moved, generation)
    SELECT id, round_id, stop_id, rule_date, planned_date, moved, generation FROM schedule_visits;
DROP TABLE schedule_visits;
ALTER TABLE schedule_visits_new RENAME TO schedule_visits;
CREATE UNIQUE INDEX schedule_visits_stop_rule ON schedule_visits(stop_id, rule_date)
    WHERE rolled_from IS NULL;
CREATE UNIQUE INDEX schedule_visits_rolled ON schedule_visits(rolled_from)
    WHERE rolled_from IS NOT NULL;
CREATE INDEX schedule_visits_round_date ON schedule_visits(round_id, planned_date);
CREATE INDEX schedule_visits_date ON schedule_visits(planned_date);

-- What a crew recorded at a visit: done, or not done with a reason. Append-only: a second
-- record (a correction) is a new row and the latest by device time wins. `client_id` is the
-- device's UUID for the record, so a resent record is recognised (idempotent sync).
--   at           : the device's time of the work (RFC 3339, stored as UTC 'YYYY-MM-DDTHH:MM:SSZ')
--   recorded_at  : when the server committed it
--   person_id    : the signed-in person (NULL for a staff API key); actor: their name or the key's
--   quantities   : JSON object {bins_emptied, fill_percent, area_m2, bags}, each optional
CREATE TABLE schedule_visit_completions (
    id           INTEGER PRIMARY KEY,
    visit_id     INTEGER NOT NULL REFERENCES schedule_visits(id),
    client_id    TEXT NOT NULL UNIQUE,
    person_id    INTEGER REFERENCES people(id),
    api_key_id   INTEGER REFERENCES api_keys(id),
    actor        TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('done', 'not_done')),
    reason       TEXT CHECK (reason IN ('blocked_access', 'parked_car', 'unsafe', 'not_needed',
                                        'weather')),
    at           TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    lon          REAL,
    lat          REAL,
    accuracy_m   REAL,
    quantities   TEXT,
    notes        TEXT,
    CHECK ((outcome = 'not_done') = (reason IS NOT NULL)),
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX schedule_visit_completions_visit ON schedule_visit_completions(visit_id, at);
CREATE INDEX schedule_visit_completions_recorded ON schedule_visit_completions(recorded_at);
CREATE TRIGGER schedule_visit_completions_no_update BEFORE UPDATE ON schedule_visit_completions
BEGIN
    SELECT RAISE(ABORT, 'schedule_visit_completions is append-only');
END;
CREATE TRIGGER schedule_visit_completions_no_delete BEFORE DELETE ON schedule_visit_completions
BEGIN
    SELECT RAISE(ABORT, 'schedule_visit_completions is append-only');
END;

-- Photos of a completion (uploaded first by POST /api/photos), before or after the work.
CREATE TABLE schedule_visit_completion_photos (
    completion_id  INTEGER NOT NULL REFERENCES schedule_visit_completions(id),
    photo_id       TEXT NOT NULL UNIQUE REFERENCES photos(id),
    role           TEXT NOT NULL CHECK (role IN ('before', 'after')),
    position       INTEGER NOT NULL,
    PRIMARY KEY (completion_id, photo_id)
);
CREATE TRIGGER schedule_visit_completion_photos_no_update
    BEFORE UPDATE ON schedule_visit_completion_photos
BEGIN
    SELECT RAISE(ABORT, 'schedule_visit_completion_photos is append-only');
END;
CREATE TRIGGER schedule_visit_completion_photos_no_delete
    BEFORE DELETE ON schedule_visit_completion_photos
BEGIN
    SELECT RAISE(ABORT, 'schedule_visit_completion_photos is append-only');
END;

-- The status that follows from the completions: one row per visit.
CREATE VIEW schedule_visit_status AS
SELECT v.id AS visit_id,
       coalesce((SELECT c.outcome FROM schedule_visit_completions c WHERE c.visit_id = v.id
                 ORDER BY c.at DESC, c.id DESC LIMIT 1), 'planned') AS status
FROM schedule_visits v;

-- A supervisor's assignment of one visit: to another crew (crew_code) and/or to one person
-- (person_id; the visit stays with its crew and shows on that person's own day). The current
-- assignment only; every change is in schedule_changes ('assigned', 'reassigned').
CREATE TABLE schedule_visit_assignments (
    visit_id     INTEGER PRIMARY KEY REFERENCES schedule_visits(id) ON DELETE CASCADE,
    crew_code    TEXT REFERENCES crews(code),
    person_id    INTEGER REFERENCES people(id),
    assigned_at  TEXT NOT NULL,
    assigned_by  TEXT NOT NULL,
    CHECK (crew_code IS NOT NULL OR person_id IS NOT NULL)
);
CREATE INDEX schedule_visit_assignments_crew ON schedule_visit_assignments(crew_code)
    WHERE crew_code IS NOT NULL;
CREATE INDEX schedule_visit_assignments_person ON schedule_visit_assignments(person_id)
    WHERE person_id IS NOT NULL;

-- A round handed to a crew from a date on (until a later row). Before the first row, and for
-- a round with none, the round's crew is schedule_rounds.team. Kept whole: the history of
-- handovers is this table and schedule_changes.
CREATE TABLE schedule_round_crews (
    round_id   INTEGER NOT NULL REFERENCES schedule_rounds(id),
    from_date  TEXT NOT NULL,
    crew_code  TEXT NOT NULL REFERENCES crews(code),
    set_at     TEXT NOT NULL,
    set_by     TEXT NOT NULL,
    PRIMARY KEY (round_id, from_date)
);

-- schedule_changes rebuilt with the change kinds of this migration: 'assigned' (a visit given
-- to a crew or person), 'reassigned' (a round to a crew from a date), 'rolled' (a not-done
-- visit repeated on the next working day). Still append-only.
CREATE TABLE schedule_changes_new (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    round_id  INTEGER NOT NULL REFERENCES schedule_rounds(id),
    actor     TEXT NOT NULL,
    change    TEXT NOT NULL CHECK (change IN ('created', 'changed', 'regenerated', 'assigned',
                                              'reassigned', 'rolled')),
    detail    TEXT NOT NULL
);
INSERT INTO schedule_changes_new (id, at, round_id, actor, change, detail)
    SELECT id, at, round_id, actor, change, detail FROM schedule_changes;
DROP TABLE schedule_changes;
ALTER TABLE schedule_changes_new RENAME TO schedule_changes;
CREATE INDEX schedule_changes_round ON schedule_changes(round_id, at);
CREATE TRIGGER schedule_changes_no_update BEFORE UPDATE ON schedule_changes
BEGIN
    SELECT RAISE(ABORT, 'schedule_changes is append-only');
END;
CREATE TRIGGER schedule_changes_no_delete BEFORE DELETE ON schedule_changes
BEGIN
    SELECT RAISE(ABORT, 'schedule_changes is append-only');
END;
