-- Residents' photos, re-encoded (upright JPEG, no EXIF/GPS) with a thumbnail, stored as blobs
-- beside the requests they belong to: a request and its photos commit in one transaction, and
-- a backup of the database file is a backup of the photos.
--
-- A photo is uploaded first (request_id NULL), then attached to a new request or to an update
-- (history_id) by its id. Unattached photos older than a day are swept.
CREATE TABLE photos (
    id                TEXT PRIMARY KEY,   -- 32 random hex digits, the name in /media/photos/
    created_at        TEXT NOT NULL,      -- ISO 8601 UTC
    api_key_id        INTEGER REFERENCES api_keys(id),
    request_id        INTEGER REFERENCES service_requests(id),
    history_id        INTEGER REFERENCES service_request_history(id),  -- NULL: the request's own
    position          INTEGER NOT NULL DEFAULT 0,                     -- order within its owner
    width             INTEGER NOT NULL,
    height            INTEGER NOT NULL,
    jpeg              BLOB NOT NULL,
    thumbnail_width   INTEGER NOT NULL,
    thumbnail_height  INTEGER NOT NULL,
    thumbnail         BLOB NOT NULL
);
CREATE INDEX photos_request ON photos(request_id, history_id, position);
CREATE INDEX photos_history ON photos(history_id) WHERE history_id IS NOT NULL;
CREATE INDEX photos_unattached ON photos(created_at) WHERE request_id IS NULL;
