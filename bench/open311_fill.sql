-- bench/open311.sh: fills a demo store with N service requests shaped like the ones
-- RequestService::create writes (server/services/request_service.cpp), in one transaction:
-- service_requests (ward, UPRN, USRN, address, postcode, both points, priority, expected_at,
-- token hash, attributes, api key), the reporter's contact row unless anonymous, and the
-- append-only history (the creation row, then a status change or the closure with a note).
-- Run by sqlite3 with mod_spatialite loaded (the geometry columns' triggers and R*Tree indexes
-- need it), after the script has made two temporary tables:
--   bench_settings(requests INTEGER, now_epoch INTEGER)     how many, and "now"
--   bench_services(code TEXT, private INTEGER, priority TEXT, sla_days INTEGER)
-- Requests are spread evenly over the two years before now (ids in created order, as the API
-- makes them), at real properties of the store (the ward found with ST_Contains in the current
-- boundary set), services uniformly, channels and statuses in plausible shares: the older a
-- request, the likelier it is closed.

CREATE TEMP TABLE bench_places AS
SELECT p.uprn AS uprn, a.usrn AS usrn, a.single_line AS address, a.postcode AS postcode,
       (SELECT w.code FROM wards w JOIN boundary_sets b ON b.id = w.boundary_set_id
         WHERE b.valid_to IS NULL
           AND w.id IN (SELECT pkid FROM idx_wards_geom i WHERE i.xmin <= p.easting
                          AND i.xmax >= p.easting AND i.ymin <= p.northing AND i.ymax >= p.northing)
           AND ST_Contains(w.geom, p.geom)) AS ward_code,
       p.geom AS geom, p.geom_wgs84 AS geom_wgs84
  FROM properties p
  JOIN addresses a ON a.id = (SELECT id FROM addresses WHERE uprn = p.uprn
                               ORDER BY logical_status <> 1, language <> 'ENG', id LIMIT 1);
DELETE FROM bench_places WHERE ward_code IS NULL;
CREATE TEMP TABLE bench_place_index AS SELECT rowid AS place FROM bench_places;

CREATE TEMP TABLE bench_service_list AS
SELECT row_number() OVER (ORDER BY code) AS n, * FROM bench_services;

-- Channel: web 50%, phone 25%, app 15%, email 5%, staff 5%; the key that made it.
CREATE TEMP TABLE bench_channels (lo INTEGER, hi INTEGER, channel TEXT, key_channel TEXT);
INSERT INTO bench_channels VALUES (0, 50, 'web', 'web'), (50, 75, 'phone', 'staff'),
    (75, 90, 'app', 'app'), (90, 95, 'email', 'staff'), (95, 100, 'staff', 'staff');

CREATE TEMP TABLE bench_closed_statuses (lo INTEGER, hi INTEGER, status TEXT, note TEXT);
INSERT INTO bench_closed_statuses VALUES
    (0, 62, 'fixed', 'Fixed by the council''s team.'),
    (62, 72, 'no_further_action', 'Inspected: no further action is needed.'),
    (72, 80, 'not_councils_responsibility', 'Passed to the landowner, who is responsible.'),
    (80, 86, 'duplicate', 'Already reported; we are dealing with the earlier report.'),
    (86, 96, 'closed', 'Closed.'),
    (96, 100, 'cancelled', 'Cancelled at the reporter''s request.');
CREATE TEMP TABLE bench_open_statuses (lo INTEGER, hi INTEGER, status TEXT, note TEXT);
INSERT INTO bench_open_statuses VALUES
    (0, 45, 'open', ''),
    (45, 60, 'investigating', 'An officer will inspect this.'),
    (60, 78, 'in_progress', 'Work has started.'),
    (78, 92, 'action_scheduled', 'Work is scheduled.'),
    (92, 100, 'reopened', 'Reopened: the problem has come back.');

BEGIN;
CREATE TEMP TABLE bench_base AS SELECT coalesce(max(id), 0) AS base FROM service_requests;

-- One row per new request: its draws (r1..r5 in 0..99, place, service) and times.
CREATE TEMP TABLE bench_draws AS
WITH RECURSIVE seq(i) AS (
    SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < (SELECT requests FROM bench_settings)
)
SELECT i,
       (SELECT now_epoch FROM bench_settings) - 2 * 365 * 86400
           + i * (2 * 365 * 86400 - 3600) / (SELECT requests FROM bench_settings) AS created,
       abs(random()) % 100 AS r_channel,
       abs(random()) % 100 AS r_closed,
       abs(random()) % 100 AS r_status,
       abs(random()) % 100 AS r_contact,
       abs(random()) % (SELECT count(*) FROM bench_place_index) + 1 AS place,
       abs(random()) % (SELECT count(*) FROM bench_service_list) + 1 AS service,
       abs(random()) % (20 * 86400) + 3600 AS time_to_close
  FROM seq;

INSERT INTO service_requests (id, category_code, status, description, address, uprn, usrn,
    ward_code, source, created_at, updated_at, closed_at, priority, expected_at, token_sha256,
    attributes, postcode, media_url, anonymous, private, api_key_id, geom, geom_wgs84)
SELECT d.i + (SELECT base FROM bench_base), s.code,
       CASE WHEN closed THEN cs.status ELSE os.status END,
       'Reported through the bench fill (' || s.code || ') near ' || p.address,
       p.address, p.uprn, p.usrn, p.ward_code, c.channel,
       strftime('%Y-%m-%dT%H:%M:%SZ', d.created, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', CASE WHEN closed THEN d.created + d.time_to_close
           WHEN os.status = 'open' THEN d.created ELSE d.created + d.time_to_close / 4 END,
           'unixepoch'),
       CASE WHEN closed THEN strftime('%Y-%m-%dT%H:%M:%SZ', d.created + d.time_to_close,
           'unixepoch') END,
       s.priority,
       strftime('%Y-%m-%dT%H:%M:%SZ', d.created + s.sla_days * 7 * 86400 / 5, 'unixepoch'),
       lower(hex(randomblob(32))), '{}', p.postcode, NULL,
       d.r_contact >= 75, s.private, k.id, p.geom, p.geom_wgs84
  FROM (SELECT *,
               -- Closed: 97% of requests older than 60 days, 85% from 14 to 60, 40% newer.
               r_closed < CASE WHEN (SELECT now_epoch FROM bench_settings) - created > 60 * 86400
                               THEN 97
                               WHEN (SELECT now_epoch FROM bench_settings) - created > 14 * 86400
                               THEN 85 ELSE 40 END
               -- a request is closed only once its closing time has passed
               AND created + time_to_close < (SELECT now_epoch FROM bench_settings) AS closed
          FROM bench_draws) d
  JOIN bench_places p ON p.rowid = d.place
  JOIN bench_service_list s ON s.n = d.service
  JOIN bench_channels c ON d.r_channel >= c.lo AND d.r_channel < c.hi
  JOIN api_keys k ON k.id = (SELECT min(id) FROM api_keys WHERE channel = c.key_channel
                              AND revoked_at IS NULL)
  JOIN bench_closed_statuses cs ON d.r_status >= cs.lo AND d.r_status < cs.hi
  JOIN bench_open_statuses os ON d.r_status >= os.lo AND d.r_status < os.hi
 ORDER BY d.i;

-- Named reporters (not anonymous): an email from 200,000 residents, so "my reports" links some.
INSERT INTO service_request_contacts (request_id, email)
SELECT r.id, 'resident' || (abs(random()) % 200000) || '@example.org'
  FROM service_requests r WHERE r.id > (SELECT base FROM bench_base) AND r.anonymous = 0;

-- History: the creation, then the status change or closure with its note.
INSERT INTO service_request_history (request_id, at, actor, from_status, to_status, note,
    public, api_key_id)
SELECT r.id, r.created_at, k.role || ':' || k.name, NULL, 'open', '', 1, k.id
  FROM service_requests r JOIN api_keys k ON k.id = r.api_key_id
 WHERE r.id > (SELECT base FROM bench_base)
 ORDER BY r.id;
INSERT INTO service_request_history (request_id, at, actor, from_status, to_status, note,
    public, api_key_id)
SELECT r.id, coalesce(r.closed_at, r.updated_at), 'staff:' || k.name, 'open', r.status,
       coalesce(cs.note, os.note), 1, k.id
  FROM service_requests r
  JOIN api_keys k ON k.id = (SELECT min(id) FROM api_keys WHERE role = 'staff')
  LEFT JOIN bench_closed_statuses cs ON cs.status = r.status
  LEFT JOIN bench_open_statuses os ON os.status = r.status
 WHERE r.id > (SELECT base FROM bench_base) AND r.status <> 'open'
 ORDER BY r.updated_at, r.id;
COMMIT;
