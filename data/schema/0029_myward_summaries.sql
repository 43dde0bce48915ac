-- 0029: MyWard's monthly summary by e-mail (docs/myward.md "Monthly summary by e-mail").
-- A councillor opts in or out (POST /api/myward/summary-subscription); `wardmap myward
-- send-summaries --month YYYY-MM` queues one message per opted-in councillor per ward into the
-- notification outbox and records it here, so a second run for the same month queues nothing.

CREATE TABLE myward_summary_subscriptions (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    monthly     INTEGER NOT NULL CHECK (monthly IN (0, 1)),
    updated_at  TEXT NOT NULL
);

-- Append-only: one row per summary queued.
CREATE TABLE myward_summaries_sent (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    ward_code   TEXT NOT NULL,
    month       TEXT NOT NULL,            -- YYYY-MM
    queued_at   TEXT NOT NULL,
    PRIMARY KEY (person_id, ward_code, month)
);
