-- Mail only to addresses that asked for it (issue #14), and no usable link left in the outbox.
--
-- A follower is a row from the moment someone asks, but receives nothing but the one
-- confirmation message until the link in it is used: confirmed_at is set then, and the
-- confirmation token's hash is cleared, so the link works once. An unconfirmed row lapses at
-- confirm_expires_at and is swept. Followers from before this migration were never asked to
-- confirm; they are kept as confirmed (their mail now carries an unsubscribe link) rather
-- than silently dropped.

ALTER TABLE service_request_followers ADD COLUMN confirmed_at TEXT;
ALTER TABLE service_request_followers ADD COLUMN confirm_sha256 TEXT;
ALTER TABLE service_request_followers ADD COLUMN confirm_expires_at TEXT;
UPDATE service_request_followers SET confirmed_at = created_at;
CREATE UNIQUE INDEX service_request_followers_confirm
    ON service_request_followers(confirm_sha256) WHERE confirm_sha256 IS NOT NULL;
CREATE INDEX service_request_followers_unconfirmed
    ON service_request_followers(confirm_expires_at) WHERE confirmed_at IS NULL;

-- The reporter's own address may stop the status mail too (the unsubscribe link in it).
ALTER TABLE service_request_contacts ADD COLUMN email_updates INTEGER NOT NULL DEFAULT 1;

-- Each status mail carries its own unsubscribe link for its recipient and request; only the
-- token's SHA-256 is kept.
CREATE TABLE mail_unsubscribe_tokens (
    token_sha256  TEXT PRIMARY KEY,
    request_id    INTEGER NOT NULL REFERENCES service_requests(id),
    email         TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- Bodies of messages already sent or given up on may hold a sign-in, my-reports or
-- confirmation link: the sender now clears a body once it is done with it; clear the old ones.
UPDATE notification_outbox SET body = ''
WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL OR attempts >= 10;
