-- Streetscene work schedules (issue #18, "Schedules"): activities, seasonal round sets,
-- rounds with their recurrence rule and ordered stops, the planned visits materialised from
-- the rules for a horizon, and the append-only history of schedule changes.
-- Background: reference/domain.md §2.2. Rules, routes and the feed: docs/streetscene.md.

-- What a visit does. `kind` groups them for the residents' pages.
CREATE TABLE schedule_activities (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    kind  TEXT NOT NULL CHECK (kind IN ('waste', 'cleansing', 'grounds', 'inspection'))
);
INSERT INTO schedule_activities (code, name, kind) VALUES
    ('household_waste', 'Household waste collection', 'waste'),
    ('recycling', 'Recycling collection', 'waste'),
    ('garden_waste', 'Garden waste collection', 'waste'),
    ('empty_litter_bins', 'Empty litter bins', 'cleansing'),
    ('empty_dog_bins', 'Empty dog bins', 'cleansing'),
    ('sweep', 'Street sweeping', 'cleansing'),
    ('clear_fly_tip', 'Clear fly-tipping', 'cleansing'),
    ('cut_grass', 'Grass cutting', 'grounds'),
    ('flail_verges', 'Verge flailing', 'grounds'),
    ('weed_spray', 'Weed spraying', 'grounds'),
    ('shrub_beds', 'Shrub bed maintenance', 'grounds'),
    ('inspect_play_area', 'Play area inspection', 'inspection');

-- A seasonal set of rounds (a summer and a winter set): its rounds run only inside its
-- window. Month-days 'MM-DD', both inclusive; a window whose end comes before its start runs
-- over the new year (winter: 11-01 .. 03-31).
CREATE TABLE schedule_round_sets (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    season_start TEXT NOT NULL,
    season_end   TEXT NOT NULL
);

-- A round: an ordered list of stops worked by a team with a vehicle, and its rule.
--   rule_kind 'rrule'        : RFC 5545 RRULE from first_date (libical expands it)
--             'working_days' : every `interval_working_days` England and Wales working days
--             'per_season'   : `visits_per_season` visits spread over each season's working days
--   season_*    : runs only inside this window (grass: 03-01 .. 10-31)
--   suspended_* : never inside this window (sweeping: 10-01 .. 01-31, leaf fall)
--   bank_holidays: what happens to a visit the rule puts on a bank holiday
-- rule_version goes up on every change of the rule or the stops.
CREATE TABLE schedule_rounds (
    id                     INTEGER PRIMARY KEY,
    code                   TEXT NOT NULL UNIQUE,
    name                   TEXT NOT NULL,
    activity               TEXT NOT NULL REFERENCES schedule_activities(code),
    round_set              TEXT REFERENCES schedule_round_sets(code),
    team                   TEXT,
    vehicle                TEXT,
    working_pattern        TEXT,
    rule_kind              TEXT NOT NULL CHECK (rule_kind IN ('rrule', 'working_days', 'per_season')),
    rrule                  TEXT,
    first_date             TEXT NOT NULL,
    interval_working_days  INTEGER CHECK (interval_working_days BETWEEN 1 AND 260),
    visits_per_season      INTEGER CHECK (visits_per_season BETWEEN 1 AND 366),
    season_start           TEXT,
    season_end             TEXT,
    suspended_start        TEXT,
    suspended_end          TEXT,
    bank_holidays          TEXT NOT NULL DEFAULT 'next_working_day'
                           CHECK (bank_holidays IN ('next_working_day', 'skip', 'work')),
    rule_version           INTEGER NOT NULL DEFAULT 1,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    CHECK ((rule_kind = 'rrule') = (rrule IS NOT NULL)),
    CHECK ((rule_kind = 'working_days') = (interval_working_days IS NOT NULL)),
    CHECK ((rule_kind = 'per_season') = (visits_per_season IS NOT NULL)),
    CHECK ((season_start IS NULL) = (season_end IS NULL)),
    CHECK ((suspended_start IS NULL) = (suspended_end IS NULL))
);

-- A round's stops in order, each naming exactly one of a street (USRN), a property (UPRN)
-- or an asset (asset_id: the asset register's id; its foreign key comes when the register
-- is merged). A stop taken off the round is kept (removed = 1) while visits refer to it.
CREATE TABLE schedule_round_stops (
    id        INTEGER PRIMARY KEY,
    round_id  INTEGER NOT NULL REFERENCES schedule_rounds(id),
    seq       INTEGER NOT NULL,
    usrn      INTEGER,
    uprn      INTEGER,
    asset_id  INTEGER,
    removed   INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    CHECK ((usrn IS NOT NULL) + (uprn IS NOT NULL) + (asset_id IS NOT NULL) = 1)
);
CREATE INDEX schedule_round_stops_round ON schedule_round_stops(round_id, seq);
CREATE INDEX schedule_round_stops_usrn ON schedule_round_stops(usrn) WHERE usrn IS NOT NULL;
CREATE INDEX schedule_round_stops_uprn ON schedule_round_stops(uprn) WHERE uprn IS NOT NULL;
CREATE INDEX schedule_round_stops_asset ON schedule_round_stops(asset_id)
    WHERE asset_id IS NOT NULL;

-- One planned visit of one stop on one date. `rule_date` is the date the rule gave,
-- `planned_date` where it is worked (a bank holiday moves it). Regenerating a round rewrites
-- only 'planned' visits; a started or finished visit is never rewritten.
CREATE TABLE schedule_visits (
    id            INTEGER PRIMARY KEY,
    round_id      INTEGER NOT NULL REFERENCES schedule_rounds(id),
    stop_id       INTEGER NOT NULL REFERENCES schedule_round_stops(id),
    rule_date     TEXT NOT NULL,
    planned_date  TEXT NOT NULL,
    moved         TEXT CHECK (moved IN ('bank_holiday')),
    status        TEXT NOT NULL DEFAULT 'planned'
                  CHECK (status IN ('planned', 'started', 'done', 'not_done')),
    generation    INTEGER NOT NULL,
    UNIQUE (stop_id, rule_date)
);
CREATE INDEX schedule_visits_round_date ON schedule_visits(round_id, planned_date);

-- Append-only history of schedule changes: who changed which round, how, and what the
-- regeneration did (JSON detail).
CREATE TABLE schedule_changes (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    round_id  INTEGER NOT NULL REFERENCES schedule_rounds(id),
    actor     TEXT NOT NULL,
    change    TEXT NOT NULL CHECK (change IN ('created', 'changed', 'regenerated')),
    detail    TEXT NOT NULL
);
CREATE INDEX schedule_changes_round ON schedule_changes(round_id, at);
CREATE TRIGGER schedule_changes_no_update BEFORE UPDATE ON schedule_changes
BEGIN
    SELECT RAISE(ABORT, 'schedule_changes is append-only');
END;
CREATE TRIGGER schedule_changes_no_delete BEFORE DELETE ON schedule_changes
BEGIN
    SELECT RAISE(ABORT, 'schedule_changes is append-only');
END;
