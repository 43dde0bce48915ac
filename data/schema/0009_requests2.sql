-- Service requests, second round: SMTP delivery with permanent failures, messages not tied
-- to one request ("my reports" links), rate limits on API keys, and the staff-edited
-- service catalogue.

-- notification_outbox again, with request_id optional (a "my reports" link concerns an email
-- address, not a request) and failed_at for a message the mail server refused for good (SMTP
-- 5xx): it is never retried. SQLite cannot drop NOT NULL in place, so the table is rebuilt.
CREATE TABLE notification_outbox_new (
    id               INTEGER PRIMARY KEY,
    request_id       INTEGER REFERENCES service_requests(id),
    history_id       INTEGER REFERENCES service_request_history(id),
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    sent_at          TEXT,
    last_error       TEXT,
    failed_at        TEXT
);
INSERT INTO notification_outbox_new (id, request_id, history_id, recipient, subject, body,
    created_at, attempts, next_attempt_at, sent_at, last_error)
SELECT id, request_id, history_id, recipient, subject, body, created_at, attempts,
    next_attempt_at, sent_at, last_error FROM notification_outbox;
DROP TABLE notification_outbox;
ALTER TABLE notification_outbox_new RENAME TO notification_outbox;
CREATE INDEX notification_outbox_due ON notification_outbox(next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX notification_outbox_request ON notification_outbox(request_id);

-- Optional rate limits of a key (e.g. '10/min'): per client address, and for the key as a
-- whole. Enforced in memory by the server (token buckets), so a restart refills them.
ALTER TABLE api_keys ADD COLUMN rate_limit_per_address TEXT;
ALTER TABLE api_keys ADD COLUMN rate_limit_per_key TEXT;

-- "My reports" links: an email address asks, a private link arrives by email. Only the
-- SHA-256 of the link's token is kept; `email` is trimmed and lower-cased.
CREATE TABLE my_reports_links (
    id            INTEGER PRIMARY KEY,
    token_sha256  TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
-- Reports are found by address without regard to case or stray spaces.
CREATE INDEX service_request_contacts_email_folded
    ON service_request_contacts(lower(trim(email)));

-- The service catalogue as staff edit it through /api/services, over the data file: a row
-- here replaces (or adds) the file's service of that code; retired_at retires it.
CREATE TABLE service_definitions (
    code        TEXT PRIMARY KEY,
    definition  TEXT NOT NULL,          -- JSON, the data file's format
    retired_at  TEXT,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL           -- 'staff:<key name>'
);
-- Who changed what and when, append-only.
CREATE TABLE service_definition_changes (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    code        TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('create', 'replace', 'retire')),
    definition  TEXT NOT NULL           -- the service as it was after the change
);
CREATE TRIGGER service_definition_changes_no_update BEFORE UPDATE ON service_definition_changes
BEGIN
    SELECT RAISE(ABORT, 'service_definition_changes is append-only');
END;
CREATE TRIGGER service_definition_changes_no_delete BEFORE DELETE ON service_definition_changes
BEGIN
    SELECT RAISE(ABORT, 'service_definition_changes is append-only');
END;
