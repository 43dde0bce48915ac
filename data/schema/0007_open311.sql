-- The service request engine behind Open311 GeoReport v2: client and staff API keys, the
-- request's own fields (priority, target, tracking token, attributes), the reporter's contact
-- details kept apart from everything public, and an append-only history of every change.

-- Keys issued to client apps ('client': may create requests) and to staff systems ('staff':
-- may also post status updates). Only the SHA-256 of a key is stored.
CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    key_sha256  TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('client', 'staff')),
    channel     TEXT NOT NULL DEFAULT 'app',  -- service_requests.source for its requests
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

ALTER TABLE service_requests ADD COLUMN priority TEXT;
ALTER TABLE service_requests ADD COLUMN expected_at TEXT;        -- ISO 8601 UTC, from the SLA
ALTER TABLE service_requests ADD COLUMN token_sha256 TEXT;       -- the private tracking token
ALTER TABLE service_requests ADD COLUMN attributes TEXT;         -- JSON object of the answers
ALTER TABLE service_requests ADD COLUMN postcode TEXT;
ALTER TABLE service_requests ADD COLUMN media_url TEXT;
ALTER TABLE service_requests ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_requests ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_requests ADD COLUMN duplicate_of INTEGER REFERENCES service_requests(id);
ALTER TABLE service_requests ADD COLUMN api_key_id INTEGER REFERENCES api_keys(id);
CREATE UNIQUE INDEX service_requests_token ON service_requests(token_sha256);
CREATE INDEX service_requests_category_created ON service_requests(category_code, created_at);
CREATE INDEX service_requests_updated ON service_requests(updated_at);

-- Personal data of a reporter: never selected by a public query.
CREATE TABLE service_request_contacts (
    request_id  INTEGER PRIMARY KEY REFERENCES service_requests(id),
    first_name  TEXT,
    last_name   TEXT,
    email       TEXT,
    phone       TEXT,
    account_id  TEXT,
    device_id   TEXT
);
CREATE INDEX service_request_contacts_email ON service_request_contacts(email);

-- Every status change and note, append-only: who, when, from, to, what was said.
CREATE TABLE service_request_history (
    id            INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL REFERENCES service_requests(id),
    at            TEXT NOT NULL,                 -- ISO 8601 UTC
    actor         TEXT NOT NULL,                 -- 'client:<key name>', 'staff:<key name>', ...
    from_status   TEXT,                          -- NULL on creation
    to_status     TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    public        INTEGER NOT NULL DEFAULT 1,
    api_key_id    INTEGER REFERENCES api_keys(id),
    external_id   TEXT,                          -- the sender's update_id (servicerequestupdates)
    duplicate_of  INTEGER REFERENCES service_requests(id),
    media_url     TEXT
);
CREATE INDEX service_request_history_request ON service_request_history(request_id, id);
CREATE INDEX service_request_history_at ON service_request_history(at);
CREATE UNIQUE INDEX service_request_history_external
    ON service_request_history(api_key_id, external_id) WHERE external_id IS NOT NULL;
CREATE TRIGGER service_request_history_no_update BEFORE UPDATE ON service_request_history
BEGIN
    SELECT RAISE(ABORT, 'service_request_history is append-only');
END;
CREATE TRIGGER service_request_history_no_delete BEFORE DELETE ON service_request_history
BEGIN
    SELECT RAISE(ABORT, 'service_request_history is append-only');
END;

-- Residents following a request they did not report (offered instead of a duplicate).
CREATE TABLE service_request_followers (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES service_requests(id),
    email       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (request_id, email)
);

-- Messages to reporters and followers, queued with the status change in one transaction and
-- delivered by the sender (SMTP, or .eml files for the demo) with retries and backoff.
CREATE TABLE notification_outbox (
    id               INTEGER PRIMARY KEY,
    request_id       INTEGER NOT NULL REFERENCES service_requests(id),
    history_id       INTEGER REFERENCES service_request_history(id),
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    sent_at          TEXT,
    last_error       TEXT
);
CREATE INDEX notification_outbox_due ON notification_outbox(next_attempt_at) WHERE sent_at IS NULL;
