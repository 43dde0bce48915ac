-- Bookings of burials by funeral directors (issue #15, "Bookings"; docs/burials.md
-- "Bookings"): a funeral director's account (a person of a firm), the booking of a slot at a
-- cemetery for an existing or a new grave, its documents, and its append-only status log.

-- A funeral director is an outside account: one person_roles row with the firm's name.
-- SQLite cannot change a CHECK, so the table is rebuilt with the new role and column.
CREATE TABLE person_roles_0022 (
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('councillor', 'officer', 'supervisor', 'admin',
                                             'funeral_director')),
    ward_code  TEXT,
    team       TEXT CHECK (team IN ('streetscene', 'bereavement', 'planning', 'customer_services',
                                    'housing')),
    firm       TEXT,            -- a funeral director's firm (bookings are the firm's)
    CHECK ((role = 'councillor') = (ward_code IS NOT NULL)),
    CHECK ((role IN ('officer', 'supervisor')) = (team IS NOT NULL)),
    CHECK ((role = 'funeral_director') = (firm IS NOT NULL))
);
INSERT INTO person_roles_0022 (person_id, role, ward_code, team)
    SELECT person_id, role, ward_code, team FROM person_roles;
DROP TABLE person_roles;
ALTER TABLE person_roles_0022 RENAME TO person_roles;
CREATE UNIQUE INDEX person_roles_unique
    ON person_roles(person_id, role, ifnull(ward_code, ''), ifnull(team, ''), ifnull(firm, ''));

-- The grounds crew's work of digging a grave (a one-off visit on a crew's day).
INSERT INTO schedule_activities (code, name, kind) VALUES ('dig_grave', 'Grave digging', 'grounds');

-- A cemetery's booking hours: slots from first_slot to last_slot (HH:MM, both included) every
-- slot_minutes, on working days (Monday to Friday, no bank holiday: core/working_days). A
-- cemetery without a row has 09:30 to 14:30 every 60 minutes.
CREATE TABLE burial_booking_hours (
    cemetery_id   INTEGER PRIMARY KEY REFERENCES cemeteries(id),
    first_slot    TEXT NOT NULL,
    last_slot     TEXT NOT NULL,
    slot_minutes  INTEGER NOT NULL CHECK (slot_minutes IN (15, 30, 45, 60, 90, 120))
);

-- A booking as the funeral director asked it. Never changed or deleted: what happens to it
-- is burial_booking_events. Either an existing grave (grave_id and the deed number the firm
-- gave) or a new grave (a section and type wanted; the officer picks the grave at
-- confirmation). Personal data (the deceased): staff and the firm only.
CREATE TABLE burial_bookings (
    id                  INTEGER PRIMARY KEY,
    cemetery_id         INTEGER NOT NULL REFERENCES cemeteries(id),
    slot_date           TEXT NOT NULL,          -- YYYY-MM-DD, a working day
    slot_time           TEXT NOT NULL,          -- HH:MM, one of the cemetery's slots
    firm                TEXT NOT NULL,
    forenames           TEXT,
    surname             TEXT NOT NULL,
    died_on             TEXT NOT NULL,
    age_years           INTEGER,
    interment_kind      TEXT NOT NULL CHECK (interment_kind IN ('coffin', 'cremated_remains')),
    grave_id            INTEGER REFERENCES grave_spaces(id),
    deed_number         TEXT,
    new_section_id      INTEGER REFERENCES cemetery_sections(id),
    new_grave_type      TEXT CHECK (new_grave_type IN ('private', 'public', 'vault',
                                                       'cremated_remains', 'child', 'baby')),
    notes               TEXT,
    requested_at        TEXT NOT NULL,
    requested_by        TEXT NOT NULL,          -- 'person:<id> <name>'
    CHECK ((grave_id IS NULL) <> (new_section_id IS NULL)),
    CHECK (new_section_id IS NULL OR new_grave_type IS NOT NULL)
);
CREATE INDEX burial_bookings_firm ON burial_bookings(firm, slot_date);
CREATE INDEX burial_bookings_date ON burial_bookings(slot_date, cemetery_id);
CREATE TRIGGER burial_bookings_no_update BEFORE UPDATE ON burial_bookings
BEGIN
    SELECT RAISE(ABORT, 'burial_bookings rows are never changed');
END;
CREATE TRIGGER burial_bookings_no_delete BEFORE DELETE ON burial_bookings
BEGIN
    SELECT RAISE(ABORT, 'burial_bookings rows are never deleted');
END;

-- The status log, append-only; a booking's status is its latest row. confirmed names the
-- grave held (the officer's pick for a new grave) and the grave-digging visit; completed the
-- interment entered for it.
CREATE TABLE burial_booking_events (
    id            INTEGER PRIMARY KEY,
    booking_id    INTEGER NOT NULL REFERENCES burial_bookings(id),
    status        TEXT NOT NULL CHECK (status IN ('requested', 'confirmed', 'refused',
                                                  'withdrawn', 'completed')),
    reason        TEXT,
    grave_id      INTEGER REFERENCES grave_spaces(id),
    visit_id      INTEGER REFERENCES schedule_visits(id),
    interment_id  INTEGER REFERENCES interments(id),
    at            TEXT NOT NULL,
    by            TEXT NOT NULL,
    CHECK (status <> 'refused' OR reason IS NOT NULL)
);
CREATE INDEX burial_booking_events_booking ON burial_booking_events(booking_id, id);
CREATE TRIGGER burial_booking_events_no_update BEFORE UPDATE ON burial_booking_events
BEGIN
    SELECT RAISE(ABORT, 'burial_booking_events rows are never changed');
END;
CREATE TRIGGER burial_booking_events_no_delete BEFORE DELETE ON burial_booking_events
BEGIN
    SELECT RAISE(ABORT, 'burial_booking_events rows are never deleted');
END;

-- What a live booking (requested or confirmed) holds: its slot, and its grave on its day.
-- The service checks both in its BEGIN IMMEDIATE transaction; these partial unique indexes
-- are the backstop. A refusal or withdrawal sets released_at (the only change a row gets).
CREATE TABLE burial_slot_holds (
    booking_id   INTEGER PRIMARY KEY REFERENCES burial_bookings(id),
    cemetery_id  INTEGER NOT NULL REFERENCES cemeteries(id),
    slot_date    TEXT NOT NULL,
    slot_time    TEXT NOT NULL,
    grave_id     INTEGER REFERENCES grave_spaces(id),   -- NULL: a new grave not yet picked
    released_at  TEXT
);
CREATE UNIQUE INDEX burial_slot_holds_slot ON burial_slot_holds(cemetery_id, slot_date, slot_time)
    WHERE released_at IS NULL;
CREATE UNIQUE INDEX burial_slot_holds_grave ON burial_slot_holds(grave_id, slot_date)
    WHERE released_at IS NULL AND grave_id IS NOT NULL;
CREATE TRIGGER burial_slot_holds_no_delete BEFORE DELETE ON burial_slot_holds
BEGIN
    SELECT RAISE(ABORT, 'burial_slot_holds rows are never deleted');
END;

-- A booking's documents: the green form (the registrar's certificate for burial), a coroner's
-- order, the deed, the owner's consent. Stored in the database (a backup of the file is a
-- backup of them), never under the web root; served only to the firm and bereavement.
CREATE TABLE burial_booking_documents (
    id            INTEGER PRIMARY KEY,
    booking_id    INTEGER NOT NULL REFERENCES burial_bookings(id),
    kind          TEXT NOT NULL CHECK (kind IN ('green_form', 'coroners_order', 'deed',
                                                'owner_consent')),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg',
                                                        'image/png')),
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    body          BLOB NOT NULL,
    uploaded_at   TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL
);
CREATE INDEX burial_booking_documents_booking ON burial_booking_documents(booking_id, kind);
CREATE TRIGGER burial_booking_documents_no_update BEFORE UPDATE ON burial_booking_documents
BEGIN
    SELECT RAISE(ABORT, 'burial_booking_documents rows are never changed');
END;
