-- My Account for residents (issue #16, docs/sign-in.md "Residents"): an account is an email
-- address that has proved itself with a one-time emailed link. Residents still report without
-- one. Resident accounts are NOT people (0013): they hold no role, their sessions live in
-- their own table and cookie, and nothing here can pass a staff permission check.
--
-- email is folded (mailed_tokens' folding). uprn is the saved address (an LLPG property).
-- last_seen_at is when the account last signed in or used a session (touched at most once a
-- minute): "active" accounts are those seen in the last 90 days (GET /api/kpis).
CREATE TABLE resident_accounts (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    uprn          INTEGER,
    created_at    TEXT NOT NULL,   -- UTC
    last_seen_at  TEXT NOT NULL    -- UTC
);
CREATE INDEX resident_accounts_seen ON resident_accounts(last_seen_at);

-- One-time sign-in links: only the token's SHA-256; the email as asked for (folded), since
-- the account is made when the link is first used. used_at: a link works once.
CREATE TABLE resident_sign_in_links (
    token_sha256  TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT
);
CREATE INDEX resident_sign_in_links_email ON resident_sign_in_links(email);

-- Residents' sessions (cookie wardmap_account), as staff sessions but apart from them.
CREATE TABLE resident_sessions (
    id               TEXT PRIMARY KEY,
    token_sha256     TEXT NOT NULL UNIQUE,
    account_id       INTEGER NOT NULL REFERENCES resident_accounts(id) ON DELETE CASCADE,
    created_at       TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    idle_expires_at  TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    revoked_at       TEXT
);
CREATE INDEX resident_sessions_account ON resident_sessions(account_id);

-- The record of each erasure (UK GDPR art. 17): never the address in clear, only its
-- SHA-256, and how much was erased.
CREATE TABLE resident_erasures (
    id                  INTEGER PRIMARY KEY,
    at                  TEXT NOT NULL,
    email_sha256        TEXT NOT NULL,
    reports_anonymised  INTEGER NOT NULL,
    follows_removed     INTEGER NOT NULL,
    alerts_removed      INTEGER NOT NULL,
    messages_removed    INTEGER NOT NULL
);

-- The months each account was used (signed in or a session used), for the performance page's
-- "accounts used" series: one row per account and UTC month, written by triggers whenever
-- last_seen_at is set. An erased account's rows stay, without the account, so the borough's
-- past figures do not change when someone leaves; nothing here names a person.
CREATE TABLE resident_account_months (
    month       TEXT NOT NULL,   -- YYYY-MM (UTC)
    account_id  INTEGER          -- NULL once the account is erased
);
CREATE UNIQUE INDEX resident_account_months_once ON resident_account_months(account_id, month);
CREATE INDEX resident_account_months_month ON resident_account_months(month);
CREATE TRIGGER resident_accounts_month_on_create AFTER INSERT ON resident_accounts
BEGIN
    INSERT OR IGNORE INTO resident_account_months (month, account_id)
    VALUES (substr(NEW.last_seen_at, 1, 7), NEW.id);
END;
CREATE TRIGGER resident_accounts_month_on_use AFTER UPDATE OF last_seen_at ON resident_accounts
BEGIN
    INSERT OR IGNORE INTO resident_account_months (month, account_id)
    VALUES (substr(NEW.last_seen_at, 1, 7), NEW.id);
END;
CREATE TRIGGER resident_accounts_months_kept_on_erase BEFORE DELETE ON resident_accounts
BEGIN
    UPDATE resident_account_months SET account_id = NULL WHERE account_id = OLD.id;
END;
