-- Open311 shows each request's latest public note as status_notes: a correlated subquery per
-- listed request. Indexing only the history rows that can answer it (public, with a note)
-- makes that one seek to the newest such row instead of a walk over all of the request's
-- history rows with a table lookup each (a 1,000-request list at 1,000,000 stored requests:
-- bench/open311.sh).
CREATE INDEX service_request_history_note ON service_request_history(request_id, id)
    WHERE public = 1 AND note <> '';
