-- Councillors' actions on service requests (issue #16, docs/myward.md "Councillors' actions").
--
-- A councillor follows a request of one of their wards (the ward the request's point lies in
-- on the date it was received, derived from the versioned boundaries, never stored here): each
-- status change then queues a message to the councillor's account email (an account's address
-- needs no confirmation). Unfollowing deletes the row.
--
-- A councillor's note on a request is for the council's staff and the councillor: never in
-- Open311 or any public output. Notes are append-only, like the request's history.

CREATE TABLE councillor_follows (
    request_id  INTEGER NOT NULL REFERENCES service_requests(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT NOT NULL,                  -- UTC
    PRIMARY KEY (request_id, person_id)
) WITHOUT ROWID;
CREATE INDEX councillor_follows_person ON councillor_follows(person_id, created_at);

CREATE TABLE councillor_notes (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES service_requests(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    author      TEXT NOT NULL,                  -- the councillor's name when written
    text        TEXT NOT NULL CHECK (length(text) > 0),
    created_at  TEXT NOT NULL                   -- UTC
);
CREATE INDEX councillor_notes_request ON councillor_notes(request_id, id);
CREATE TRIGGER councillor_notes_no_update BEFORE UPDATE ON councillor_notes
BEGIN
    SELECT RAISE(ABORT, 'councillor_notes is append-only');
END;
CREATE TRIGGER councillor_notes_no_delete BEFORE DELETE ON councillor_notes
BEGIN
    SELECT RAISE(ABORT, 'councillor_notes is append-only');
END;
