-- My area (issue #16, docs/my-area.md): residents' local alerts without an account, and the
-- index My area's "planning on this property" reads.
--
-- A subscription is an email address and what it watches: a place (a property's UPRN, or a
-- point in EPSG:27700, with a distance) or a ward by its code; and the kinds of news (new
-- reports, new planning applications). It receives nothing but the one confirmation message
-- until the link in it is used (confirmed_at set, the confirmation token's hash cleared, so
-- the link works once). Every alert message carries an unsubscribe link of its own
-- (area_alert_unsubscribe_tokens: only the token's SHA-256 is kept). An unsubscribed row
-- keeps unsubscribed_at and sends nothing more. The watermarks are the newest report and planning application already sent, so each new one is
-- sent once. A ward subscription names the ward it watches; which ward a report is in is still
-- derived from the versioned boundaries when the alert is made, never stored.

CREATE TABLE area_alerts (
    id                   INTEGER PRIMARY KEY,
    email                TEXT NOT NULL,              -- folded (mailed_tokens' folding)
    uprn                 INTEGER,
    easting              REAL,
    northing             REAL,
    distance_m           REAL CHECK (distance_m IS NULL OR (distance_m > 0 AND distance_m <= 5000)),
    ward_code            TEXT,
    reports              INTEGER NOT NULL CHECK (reports IN (0, 1)),
    planning             INTEGER NOT NULL CHECK (planning IN (0, 1)),
    created_at           TEXT NOT NULL,              -- UTC
    confirmed_at         TEXT,
    confirm_sha256       TEXT,
    confirm_expires_at   TEXT,
    unsubscribed_at      TEXT,
    last_report_id       INTEGER NOT NULL DEFAULT 0,
    last_planning_id     INTEGER NOT NULL DEFAULT 0,
    CHECK (reports + planning > 0),
    -- A place (a point with a distance) or a ward, never both.
    CHECK ((ward_code IS NULL) = (easting IS NOT NULL AND northing IS NOT NULL AND
                                  distance_m IS NOT NULL))
);
CREATE UNIQUE INDEX area_alerts_confirm ON area_alerts(confirm_sha256)
    WHERE confirm_sha256 IS NOT NULL;
CREATE INDEX area_alerts_live ON area_alerts(confirmed_at)
    WHERE confirmed_at IS NOT NULL AND unsubscribed_at IS NULL;
CREATE INDEX area_alerts_email ON area_alerts(email);

CREATE TABLE area_alert_unsubscribe_tokens (
    token_sha256  TEXT PRIMARY KEY,
    alert_id      INTEGER NOT NULL REFERENCES area_alerts(id),
    created_at    TEXT NOT NULL
);

-- My area lists the planning applications on a property by its UPRN. IF NOT EXISTS: the
-- planning register's own migration may add the same index.
CREATE INDEX IF NOT EXISTS planning_applications_uprn ON planning_applications(uprn);
