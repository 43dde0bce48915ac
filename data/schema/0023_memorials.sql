-- Memorials on graves and their safety inspections (issue #15, "The register and rights";
-- reference/domain.md §1). Routes, rules and the due list: docs/burials.md "Memorials".
--
-- A memorial is erected under a permit by a mason (a firm: not personal data). Inspections are
-- append-only; the next inspection's due date is never stored: it is derived from the latest
-- inspection (services/burials/memorial_service.cpp: five years on, sooner for a failed one by
-- its risk category). A memorial never inspected is due from the day it was erected.

CREATE TABLE memorials (
    id              INTEGER PRIMARY KEY,
    grave_id        INTEGER NOT NULL REFERENCES grave_spaces(id),
    permit_number   TEXT CHECK (permit_number IS NULL OR length(permit_number) BETWEEN 1 AND 40),
    mason           TEXT CHECK (mason IS NULL OR length(mason) BETWEEN 1 AND 200),
    memorial_type   TEXT NOT NULL CHECK (memorial_type IN ('headstone', 'kerb_set', 'tablet',
                        'vase', 'plaque', 'cross', 'book', 'desk', 'statue', 'other')),
    inscription     TEXT CHECK (inscription IS NULL OR length(inscription) <= 4000),
    erected_on      TEXT CHECK (erected_on IS NULL OR date(erected_on) IS erected_on),
    recorded_at     TEXT NOT NULL,
    recorded_by     TEXT NOT NULL
);
CREATE INDEX memorials_grave ON memorials(grave_id);

CREATE TABLE memorial_inspections (
    id              INTEGER PRIMARY KEY,
    memorial_id     INTEGER NOT NULL REFERENCES memorials(id),
    inspected_on    TEXT NOT NULL CHECK (date(inspected_on) IS inspected_on),
    inspector       TEXT NOT NULL CHECK (length(inspector) BETWEEN 1 AND 200),
    result          TEXT NOT NULL CHECK (result IN ('pass', 'fail')),
    risk_category   INTEGER NOT NULL CHECK (risk_category IN (1, 2, 3)),
    action          TEXT NOT NULL CHECK (action IN ('none', 'laid_flat', 'staked', 'made_safe',
                        'repaired')),
    notes           TEXT CHECK (notes IS NULL OR length(notes) <= 2000),
    recorded_at     TEXT NOT NULL,
    recorded_by     TEXT NOT NULL
);
CREATE INDEX memorial_inspections_memorial ON memorial_inspections(memorial_id, inspected_on);
CREATE TRIGGER memorial_inspections_no_update BEFORE UPDATE ON memorial_inspections
BEGIN SELECT RAISE(ABORT, 'memorial_inspections is append-only'); END;
CREATE TRIGGER memorial_inspections_no_delete BEFORE DELETE ON memorial_inspections
BEGIN SELECT RAISE(ABORT, 'memorial_inspections is append-only'); END;

