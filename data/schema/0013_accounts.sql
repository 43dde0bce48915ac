-- People who sign in (staff and councillors), their roles, their sessions and one-time sign-in
-- links, and the append-only audit trail of staff reads and changes of personal data.
-- Residents have no account. Secrets are stored only as hashes: passwords as libsodium's
-- Argon2id strings, session and link tokens as SHA-256 hex.

CREATE TABLE people (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    password_hash  TEXT,            -- NULL: no password (OpenID Connect or an emailed link only)
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- One row per role and scope item: a councillor's row per ward, an officer's or supervisor's
-- row per team, an admin's single row with neither.
CREATE TABLE person_roles (
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('councillor', 'officer', 'supervisor', 'admin')),
    ward_code  TEXT,
    team       TEXT CHECK (team IN ('streetscene', 'bereavement', 'planning', 'customer_services',
                                    'housing')),
    CHECK ((role = 'councillor') = (ward_code IS NOT NULL)),
    CHECK ((role IN ('officer', 'supervisor')) = (team IS NOT NULL))
);
CREATE UNIQUE INDEX person_roles_unique
    ON person_roles(person_id, role, ifnull(ward_code, ''), ifnull(team, ''));

CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,          -- public random id (sign-out, revocation, logs)
    token_sha256     TEXT NOT NULL UNIQUE,      -- the cookie's token is never stored
    person_id        INTEGER NOT NULL REFERENCES people(id),
    method           TEXT NOT NULL CHECK (method IN ('password', 'oidc', 'link')),
    created_at       TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    idle_expires_at  TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    revoked_at       TEXT,
    client_address   TEXT
);
CREATE INDEX sessions_person ON sessions(person_id);

CREATE TABLE sign_in_links (
    token_sha256  TEXT PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT
);
CREATE INDEX sign_in_links_person ON sign_in_links(person_id);

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor_kind      TEXT NOT NULL CHECK (actor_kind IN ('person', 'api_key')),
    actor_id        INTEGER NOT NULL,
    actor_name      TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('read', 'change')),
    record_kind     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    route           TEXT NOT NULL,
    client_address  TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_kind, actor_id, at);
CREATE INDEX audit_log_record ON audit_log(record_kind, record_id, at);
-- Append-only: a trail that can be edited proves nothing.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
