#!/usr/bin/env bash
# Open311 GeoReport v2 service requests under load, the performance part of the request engine
# (issue 4), in one run on one machine from a temporary directory removed at the end:
#   1. creates: wrk POSTs form-encoded requests (as FixMyStreet's Open311 client does) at real
#      property positions of the demo borough, so every create finds its ward, UPRN and USRN;
#      creates/s and latency at each connection count;
#   2. durability: creates again, `kill -9` of the server while wrk is sending, then every
#      service_request_id wrk saw acknowledged is looked for in the store (sqlite3 on the file,
#      then a restarted `wardmap serve`): "acknowledged N, found N, lost 0";
#   3. reads: a second demo store filled with 1,000,000 requests (bench/open311_fill.sql), then
#      GET requests.json with the filters FixMyStreet and CRMs use, one wrk run per kind.
# See bench/README.md.
#
#   bench/open311.sh                                  1,000,000 stored requests, 10 s runs
#   O311_REQUESTS=100000 O311_SECONDS=5 bench/open311.sh
#
# Settings (environment): O311_SECONDS (10, each create run), O311_CONNECTIONS ("4 16", one
# create run per count), O311_THREADS (2), O311_KILL_AFTER (5, seconds of the durability run
# before the kill -9), O311_REQUESTS (1000000 stored for the reads), O311_READ_SECONDS (10, per
# kind), O311_READ_CONNECTIONS ("1 4", one read run per count and kind: one client alone
# gives each request's own latency, 4 clients on 2 cores add the queueing), O311_WARMUP (15 s
# of reads before measuring: each worker's connection maps the 1.3 GB store separately and
# faults its pages in on first touch, which is a start-up cost, not the steady state),
# O311_FSYNC_COMMITS (300, commits in the synchronous NORMAL/FULL probe; 0 skips it),
# O311_TRY_SQL (none; an SQL file applied to the filled store, e.g. an index, after which the
# reads are measured again on the same store),
# BENCH_BUILD_DIR (build/), BENCH_RESULTS (bench/results/<time>/open311/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${O311_SECONDS:-10}
connections=${O311_CONNECTIONS:-4 16}
threads=${O311_THREADS:-2}
kill_after=${O311_KILL_AFTER:-5}
stored=${O311_REQUESTS:-1000000}
read_seconds=${O311_READ_SECONDS:-10}
read_connections=${O311_READ_CONNECTIONS:-1 4}
warmup=${O311_WARMUP:-15}
fsync_commits=${O311_FSYNC_COMMITS:-300}
try_sql=${O311_TRY_SQL:-}
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/open311}
wardmap=$build/server/cli/wardmap
catalogue=$root/data/services/default.json
client_key=demo-client-key # made by `wardmap demo-data` (docs/http-api.md, "Open311")

die() { echo "bench open311: $*" >&2; exit 1; }
for v in seconds threads kill_after stored read_seconds; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, not '${!v}'"
done
[[ $warmup =~ ^[0-9]+$ ]] || die "O311_WARMUP must be a whole number of seconds"
[[ $fsync_commits =~ ^[0-9]+$ ]] || die "O311_FSYNC_COMMITS must be a whole number"
[ -z "$try_sql" ] || [ -f "$try_sql" ] || die "O311_TRY_SQL: no file $try_sql"
for c in $connections; do [[ $c =~ ^[1-9][0-9]*$ ]] || die "O311_CONNECTIONS: '$c'"; done
for c in $read_connections; do [[ $c =~ ^[1-9][0-9]*$ ]] || die "O311_READ_CONNECTIONS: '$c'"; done
for tool in sqlite3 wrk curl jq; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup installs it)"
done
if [ ! -x "$wardmap" ]; then
  echo "bench open311: building wardmap into $build"
  [ -f "$build/CMakeCache.txt" ] || "$root/scripts/build" "$build"
  cmake --build "$build" -j2 --target wardmap >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-open311.XXXXXX")
pids=()
# SIGTERM, then SIGKILL whatever is still there after 15 s: the bench must end.
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$results"
load_at_start=$(uptime | sed 's/.*load average: //')

# start_server STORE LOG: `wardmap serve` on port 0; sets server_pid and port.
start_server() {
  local store=$1 log=$2
  "$wardmap" serve --db "$store" --host 127.0.0.1 --port 0 --no-access-log \
    --services "$catalogue" --web-root "$root/web-client" >"$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  port=
  for _ in $(seq 600); do
    port=$(sed -n 's|.*serving http://[^:]*:\([0-9]*\)/.*|\1|p' "$log")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || die "wardmap serve did not start: $(tail -3 "$log")"
}

parse_wrk() { # as bench/run: requests/s|p50 ms|p99 ms|errors
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /[0-9]s$/) return v * 1000
      if (v ~ /m$/) return v * 60000
      return v + 0
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    $1 == "Requests/sec:" { rps = $2 }
    /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { errors += $5 }
    END {
      if (rps == "") { print "-|-|-|wrk failed"; exit }
      printf (rps < 100 ? "%.1f" : "%.0f"), rps
      printf "|%.2f|%.2f|%d\n", p50, p99, errors
    }'
}

# The server's CPU time (user + system, from /proc) so far, in milliseconds; with wrk's request
# count it gives CPU ms per request, a figure that holds on a machine other work is loading.
server_cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$server_pid/stat"
}
wrk_requests() { sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$1"; }
cpu_per_request() { # CPU_MS_BEFORE CPU_MS_AFTER WRK_OUTPUT
  awk -v a="$1" -v b="$2" -v n="$(wrk_requests "$3")" 'BEGIN { if (n > 0) printf "%.2f", (b - a) / n; else printf "-" }'
}

# ---- the stores: one demo borough for the creates, a copy to fill for the reads --------------
echo "bench open311: generating the demo borough"
"$wardmap" demo-data --db "$work/create.sqlite" >"$results/demo-data.log" 2>&1 ||
  die "demo-data failed: $(cat "$results/demo-data.log")"
sqlite3 "$work/create.sqlite" ".backup '$work/read.sqlite'" || die "could not copy the store"
[ "$(sqlite3 "$work/create.sqlite" "SELECT count(*) FROM api_keys WHERE channel = 'app'")" -ge 1 ] ||
  die "the demo store has no client API key"

# Form bodies: the catalogue's public services in turn, each with its required attributes (the
# first listed value, or "Bench" for free text), at 5,000 properties drawn from the store.
jq -r '.services[] | select(.private != true) | [.code, ([.attributes[]? | select(.required) |
    "attribute%5B" + .code + "%5D=" + (if (.values // [] | length) > 0
      then (.values[0].key | @uri) else "Bench" end)] | join("&"))] | join("|")' \
  "$catalogue" >"$work/services.txt"
sqlite3 -separator '|' "$work/create.sqlite" "SELECT printf('%.6f', lat), printf('%.6f', lon)
    FROM properties ORDER BY random() LIMIT 5000" |
  awk -F'|' -v services="$work/services.txt" -v key="$client_key" '
    BEGIN { while ((getline line < services) > 0) { n++; split(line, f, "|"); code[n] = f[1]; attrs[n] = f[2] } }
    {
      i = (NR - 1) % n + 1
      body = "api_key=" key "&service_code=" code[i] "&lat=" $1 "&long=" $2 \
        "&description=Bench+report+" NR "%3A+the+problem+is+still+there+%28since+Monday%29" \
        "&email=resident" (NR % 997) "%40example.org"
      if (attrs[i] != "") body = body "&" attrs[i]
      print body
    }' >"$work/bodies.txt"
cp "$work/bodies.txt" "$results/create-bodies.txt"

# ---- 1. creates ---------------------------------------------------------------------------
start_server "$work/create.sqlite" "$results/serve-create.log"
code=$(curl -s -o "$results/sample-create.json" -w '%{http_code}' --max-time 10 \
  --data "$(head -1 "$work/bodies.txt")" "http://127.0.0.1:$port/open311/v2/requests.json")
[ "$code" = 200 ] || die "POST requests.json answers HTTP $code: $(cat "$results/sample-create.json")"
create_rows=()
for c in $connections; do
  echo "bench open311: creates, wrk -t$threads -c$c -d${seconds}s"
  cpu_before=$(server_cpu_ms)
  timeout $((seconds + 60)) wrk -t"$threads" -c"$c" -d"${seconds}s" --latency \
    -s "$root/bench/open311_create.lua" "http://127.0.0.1:$port" -- "$work/bodies.txt" \
    >"$results/wrk-create-c$c.txt" 2>&1 || true
  create_rows+=("$c|$(parse_wrk <"$results/wrk-create-c$c.txt")|$(cpu_per_request "$cpu_before" "$(server_cpu_ms)" "$results/wrk-create-c$c.txt")")
done
# Each create made its ward, UPRN and USRN: the share of requests this run stored with each.
assigned=$(sqlite3 "$work/create.sqlite" "SELECT count(*) || '|' || count(ward_code) || '|' ||
    count(uprn) || '|' || count(usrn) FROM service_requests WHERE api_key_id =
    (SELECT id FROM api_keys WHERE channel = 'app') AND description LIKE 'Bench report %'")

# ---- 2. durability: kill -9 while wrk is sending ---------------------------------------------
durable_connections=$(echo "$connections" | awk '{ print $NF }')
echo "bench open311: durability, kill -9 of the server after ${kill_after} s of creates at -c$durable_connections"
before=$(sqlite3 "$work/create.sqlite" "SELECT coalesce(max(id), 0) FROM service_requests")
wrk -t"$threads" -c"$durable_connections" -d"$((kill_after + 60))s" --latency \
  -s "$root/bench/open311_create.lua" "http://127.0.0.1:$port" -- "$work/bodies.txt" \
  "$work/acked" >"$results/wrk-durability.txt" 2>&1 &
wrk_pid=$!
pids+=("$wrk_pid")
sleep "$kill_after"
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null || true
sleep 1
kill -INT "$wrk_pid" 2>/dev/null || true # wrk prints its summary and runs done()
wait "$wrk_pid" 2>/dev/null || true
cat "$work"/acked.* 2>/dev/null | sort -n >"$results/acknowledged-ids.txt"
acknowledged=$(wc -l <"$results/acknowledged-ids.txt")
counted=$(sed -n 's/^open311 created: //p' "$results/wrk-durability.txt")
# sqlite3 opens the killed server's store first (it replays the WAL as any reader would).
# The list goes into a file of its own; the store is attached, not changed.
sqlite3 "$work/acked.sqlite" "CREATE TABLE acked (id INTEGER PRIMARY KEY);" \
  ".import '$results/acknowledged-ids.txt' acked" >/dev/null ||
  die "could not load the acknowledged ids into sqlite3"
IFS='|' read -r found complete stored_after <<<"$(sqlite3 "$work/acked.sqlite" \
  "ATTACH '$work/create.sqlite' AS store;" "
  SELECT (SELECT count(*) FROM acked a JOIN store.service_requests r ON r.id = a.id),
         (SELECT count(*) FROM acked a JOIN store.service_requests r ON r.id = a.id
           WHERE EXISTS (SELECT 1 FROM store.service_request_history h WHERE h.request_id = a.id)
             AND EXISTS (SELECT 1 FROM store.service_request_contacts c WHERE c.request_id = a.id)),
         (SELECT count(*) FROM store.service_requests WHERE id > $before);")"
lost=$((acknowledged - found))
unacknowledged=$((stored_after - found))
integrity=$(sqlite3 "$work/create.sqlite" "PRAGMA quick_check" | head -1)
# ...then the server itself must start again on it and serve the last acknowledged request.
restart="not checked"
last_id=$(tail -1 "$results/acknowledged-ids.txt")
start_server "$work/create.sqlite" "$results/serve-restart.log"
if [ -n "$last_id" ]; then
  code=$(curl -s -o "$results/restart-get.json" -w '%{http_code}' --max-time 10 \
    "http://127.0.0.1:$port/open311/v2/requests/$last_id.json")
  if [ "$code" = 200 ] && grep -q "\"service_request_id\":\"$last_id\"" "$results/restart-get.json"; then
    restart="ok (serves request $last_id, the last acknowledged)"
  else
    restart="FAILED: GET requests/$last_id.json answers HTTP $code"
  fi
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
journal_mode=$(sqlite3 "$work/create.sqlite" "PRAGMA journal_mode")
synchronous=$(grep -o 'synchronous=[A-Z]*' "$root/geo/store/database.cpp" | head -1 | cut -d= -f2)

# What a commit costs with each synchronous setting on this disk, in WAL mode as the server runs
# (sqlite3, one small row per transaction, in the same temporary directory as the stores).
fsync_probe=()
if [ "$fsync_commits" -gt 0 ]; then
  for mode in NORMAL FULL; do
    rm -f "$work/fsync.sqlite"*
    sqlite3 "$work/fsync.sqlite" "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);" >/dev/null
    {
      echo "PRAGMA synchronous=$mode;"
      for ((k = 0; k < fsync_commits; k++)); do echo "INSERT INTO t (v) VALUES ('row $k');"; done
    } >"$work/fsync.sql"
    t0=$(date +%s.%N)
    sqlite3 "$work/fsync.sqlite" <"$work/fsync.sql"
    t1=$(date +%s.%N)
    fsync_probe+=("$mode|$(awk -v a="$t0" -v b="$t1" -v n="$fsync_commits" 'BEGIN { printf "%.0f|%.3f", n / (b - a), (b - a) * 1000 / n }')")
  done
fi

# ---- 3. reads at 1,000,000 stored requests -------------------------------------------------
echo "bench open311: filling the read store with $stored requests"
jq -r '.services[] | . as $s | [.code, (if .private then 1 else 0 end), .default_priority,
    (.priorities[] | select(.code == $s.default_priority) | .sla_working_days)] | @csv' \
  "$catalogue" >"$work/services.csv"
fill_t0=$(date +%s.%N)
sqlite3 "$work/read.sqlite" ".load mod_spatialite" \
  "PRAGMA journal_mode=DELETE;" "PRAGMA cache_size=-262144;" \
  "CREATE TEMP TABLE bench_settings (requests INTEGER, now_epoch INTEGER);
   INSERT INTO bench_settings VALUES ($stored, CAST(strftime('%s', 'now') AS INTEGER));
   CREATE TEMP TABLE bench_services (code TEXT, private INTEGER, priority TEXT, sla_days INTEGER);" \
  ".import --csv '$work/services.csv' bench_services" \
  ".read '$root/bench/open311_fill.sql'" "PRAGMA journal_mode=WAL;" \
  >"$results/fill.log" 2>&1 || die "the fill failed: $(tail -3 "$results/fill.log")"
fill_seconds=$(awk -v a="$fill_t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
IFS='|' read -r total_requests total_history total_contacts <<<"$(sqlite3 "$work/read.sqlite" "
  SELECT (SELECT count(*) FROM service_requests), (SELECT count(*) FROM service_request_history),
         (SELECT count(*) FROM service_request_contacts)")"
[ "$total_requests" -ge "$stored" ] || die "the read store holds $total_requests requests, not $stored"
store_mb=$(awk -v b="$(stat -c %s "$work/read.sqlite")" 'BEGIN { printf "%.0f", b / 1048576 }')

start_server "$work/read.sqlite" "$results/serve-read.log"
# One request through the API beside one from the fill, for comparing their columns.
curl -s -o /dev/null --max-time 10 --data "$(sed -n 2p "$work/bodies.txt")" \
  "http://127.0.0.1:$port/open311/v2/requests.json"
sqlite3 -line "$work/read.sqlite" "SELECT 'api' AS made_by, r.*, hex(r.geom) AS geom_hex FROM
    service_requests r ORDER BY id DESC LIMIT 1;
  SELECT 'fill' AS made_by, r.*, hex(r.geom) AS geom_hex FROM service_requests r
    WHERE id = (SELECT max(id) FROM service_requests) - 1;
  SELECT * FROM service_request_history WHERE request_id >= (SELECT max(id) FROM service_requests) - 1;
  SELECT * FROM service_request_contacts WHERE request_id >= (SELECT max(id) FROM service_requests) - 1;" \
  >"$results/api-vs-fill-rows.txt" 2>&1 || true

# The paths, one file per kind, cycled by bench/ogcapi_paths.lua. Windows fall in the two years
# the fill covers; id lists are 20 public requests each.
base="/open311/v2/requests.json"
now_epoch=$(date +%s)
mkdir -p "$work/paths"
echo "$base" >"$work/paths/default-90d"
jq -r --arg b "$base" '.services[] | select(.private != true) | $b + "?service_code=" + .code' \
  "$catalogue" >"$work/paths/service_code"
printf '%s\n' "$base?status=open" "$base?status=closed" >"$work/paths/status"
# window_paths DAYS: 200 windows of DAYS days ending in the past two years, as start_date and
# end_date. (The random start is drawn in the recursive CTE, whose rows are stored: a subquery
# would be flattened and draw it twice.)
window_paths() {
  sqlite3 ":memory:" "WITH RECURSIVE k(i, d) AS (SELECT 0, 0 UNION ALL
      SELECT i + 1, $now_epoch - ($1 + abs(random()) % (721 - $1)) * 86400 FROM k WHERE i < 200)
    SELECT '$base?start_date=' || strftime('%Y-%m-%dT00:00:00Z', d, 'unixepoch') ||
      '&end_date=' || strftime('%Y-%m-%dT00:00:00Z', d + $1 * 86400, 'unixepoch')
    FROM k WHERE i > 0"
}
window_paths 1 >"$work/paths/day"
window_paths 7 >"$work/paths/week"
# A CRM's poll: one service's open requests in a week.
jq -r '.services[] | select(.private != true) | .code' "$catalogue" >"$work/codes.txt"
window_paths 7 | awk -v codes="$work/codes.txt" '
    BEGIN { while ((getline line < codes) > 0) c[++n] = line }
    { sub(/\?/, "?service_code=" c[NR % n + 1] "\\&status=open\\&"); print }' \
  >"$work/paths/code_status_week"
sqlite3 "$work/read.sqlite" "SELECT id FROM service_requests WHERE private = 0
    ORDER BY random() LIMIT 4000" |
  awk -v b="$base" '{ ids = ids (ids == "" ? "" : ",") $1 }
    NR % 20 == 0 { print b "?service_request_id=" ids; ids = "" }' >"$work/paths/id_list_20"
kinds="default-90d service_code status day week code_status_week id_list_20"
cp -r "$work/paths" "$results/paths"

declare -A kind_shape
for kind in $kinds; do
  path=$(head -1 "$work/paths/$kind")
  code=$(curl -s -o "$work/first.json" -w '%{http_code}' --max-time 30 "http://127.0.0.1:$port$path")
  [ "$code" = 200 ] || die "GET $path answers HTTP $code: $(head -c 300 "$work/first.json")"
  kind_shape[$kind]="$(jq length "$work/first.json")|$(awk -v b="$(stat -c %s "$work/first.json")" 'BEGIN { printf "%.0f", b / 1024 }')"
done
cp "$work/first.json" "$results/sample-read.json"
cat "$work/paths"/* >"$work/all-paths"
declare -A read_row
variants=(as-built)
# measure_reads VARIANT: warm-up, then one wrk run per connection count and kind; rows in
# read_row[VARIANT:CONNECTIONS:kind].
measure_reads() {
  local variant=$1 kind cpu_before out c wrk_threads
  if [ "$warmup" -gt 0 ]; then
    wrk -t"$threads" -c"$threads" -d"${warmup}s" -s "$root/bench/ogcapi_paths.lua" \
      "http://127.0.0.1:$port" -- "$work/all-paths" >"$results/wrk-read-warmup-$variant.txt" 2>&1 || true
  fi
  for c in $read_connections; do
    wrk_threads=$((c < threads ? c : threads))
    for kind in $kinds; do
      echo "bench open311: GET requests.json ($variant), $kind, wrk -t$wrk_threads -c$c -d${read_seconds}s"
      out=$results/wrk-read-$variant-c$c-$kind.txt
      cpu_before=$(server_cpu_ms)
      timeout $((read_seconds + 60)) wrk -t"$wrk_threads" -c"$c" -d"${read_seconds}s" \
        --latency -s "$root/bench/ogcapi_paths.lua" "http://127.0.0.1:$port" -- "$work/paths/$kind" \
        >"$out" 2>&1 || true
      read_row[$variant:$c:$kind]="$(parse_wrk <"$out")|$(cpu_per_request "$cpu_before" "$(server_cpu_ms)" "$out")"
    done
  done
}
measure_reads as-built
# O311_TRY_SQL: the same reads again on the same store after a change (an index, say) made
# with sqlite3, to weigh it before the binary carries it as a migration.
if [ -n "$try_sql" ]; then
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  echo "bench open311: applying $try_sql to the read store"
  try_t0=$(date +%s.%N)
  sqlite3 "$work/read.sqlite" <"$try_sql" >"$results/try-sql.log" 2>&1 ||
    die "$try_sql failed: $(tail -3 "$results/try-sql.log")"
  try_seconds=$(awk -v a="$try_t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  start_server "$work/read.sqlite" "$results/serve-read-try.log"
  variants+=(with-try-sql)
  measure_reads with-try-sql
fi

# ---- report --------------------------------------------------------------------------------
met() { awk -v v="$1" -v g="$2" -v d="$3" 'BEGIN { if (v == "-" || v == "") print "?"; else if ((d == ">=" && v >= g) || (d == "<=" && v <= g) || (d == "=" && v == g)) print "yes"; else print "NO" }'; }
{
  echo "wardmap open311 bench $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) CPUs; $("$wardmap" version 2>/dev/null | head -1)"
  echo "load average at start: $load_at_start; at the end: $(uptime | sed 's/.*load average: //')"
  serving=$(sed -n 's/.*listening on .* with \(.*\)$/\1/p' "$results/serve-read.log" | head -1)
  echo "wardmap serve defaults (${serving:-?}, as its log says); store journal_mode=$journal_mode," \
    "synchronous=$synchronous (geo/store/database.cpp)"
  echo
  printf '%-40s %6s %10s %8s %8s %7s %8s\n' "1. POST requests.json (form-encoded)" conns "creates/s" \
    "p50 ms" "p99 ms" errors "CPU ms"
  best_creates=0
  for row in "${create_rows[@]}"; do
    IFS='|' read -r c rps p50 p99 errors cpu <<<"$row"
    printf '%-40s %6s %10s %8s %8s %7s %8s\n' "" "$c" "$rps" "$p50" "$p99" "$errors" "$cpu"
    [[ $rps =~ ^[0-9.]+$ ]] && best_creates=$(awk -v a="$best_creates" -v b="$rps" 'BEGIN { print (b > a ? b : a) }')
  done
  IFS='|' read -r made with_ward with_uprn with_usrn <<<"$assigned"
  echo "  stored by these runs: $made, with ward $with_ward, with UPRN $with_uprn, with USRN $with_usrn"
  echo
  echo "2. kill -9 of the server after ${kill_after} s of creates at -c$durable_connections"
  echo "  acknowledged $acknowledged, found $found, lost $lost" \
    "(wrk's own 2xx count: ${counted:-?}; with history and contact rows: $complete)"
  echo "  committed but not acknowledged (in flight at the kill): $unacknowledged;" \
    "quick_check: $integrity; restart: $restart"
  if [ "${#fsync_probe[@]}" -gt 0 ]; then
    echo "  sqlite3 probe, WAL, $fsync_commits one-row commits in this directory:"
    for row in "${fsync_probe[@]}"; do
      IFS='|' read -r mode cps ms <<<"$row"
      printf '    synchronous=%-7s %8s commits/s %8s ms per commit\n' "$mode" "$cps" "$ms"
    done
  fi
  echo
  echo "3. GET requests.json at $total_requests stored requests ($total_history history rows," \
    "$total_contacts contacts, ${store_mb} MB; filled in ${fill_seconds} s)"
  declare -A worst_p99
  for variant in "${variants[@]}"; do
    if [ "$variant" = with-try-sql ]; then
      echo "  after $(basename "$try_sql") (applied in ${try_seconds} s), server restarted:"
    fi
    for c in $read_connections; do
      printf '%-22s %6s %6s %10s %8s %8s %7s %8s\n' "kind ($variant, -c$c)" rows KB "requests/s" \
        "p50 ms" "p99 ms" errors "CPU ms"
      worst_p99[$variant:$c]=0
      for kind in $kinds; do
        IFS='|' read -r rows kb <<<"${kind_shape[$kind]}"
        IFS='|' read -r rps p50 p99 errors cpu <<<"${read_row[$variant:$c:$kind]}"
        printf '%-22s %6s %6s %10s %8s %8s %7s %8s\n' "$kind" "$rows" "$kb" "$rps" "$p50" "$p99" \
          "$errors" "$cpu"
        [[ $p99 =~ ^[0-9.]+$ ]] && worst_p99[$variant:$c]=$(awk -v a="${worst_p99[$variant:$c]}" -v b="$p99" 'BEGIN { print (b > a ? b : a) }')
      done
    done
  done
  echo "  (CPU ms: the server's user + system CPU time per request during the run, from /proc;"
  echo "  rows and KB: the first path of the kind; wrk -d${read_seconds}s with up to $threads threads," \
    "after ${warmup} s of warm-up)"
  echo
  printf '%-44s %8s %8s  %s\n' goal value target met
  printf '%-44s %8s %8s  %s\n' "creates/s (best connection count)" "$best_creates" ">= 500" "$(met "$best_creates" 500 '>=')"
  printf '%-44s %8s %8s  %s\n' "acknowledged creates lost to kill -9" "$lost" "0" "$(met "$lost" 0 '=')"
  for variant in "${variants[@]}"; do
    for c in $read_connections; do
      printf '%-44s %8s %8s  %s\n' "GET requests.json p99 ms, worst kind (-c$c, $variant)" \
        "${worst_p99[$variant:$c]}" "<= 20" "$(met "${worst_p99[$variant:$c]}" 20 '<=')"
    done
  done
} | tee "$results/table.txt"
echo
echo "bench open311: logs, paths, sample rows and raw wrk output in $results"
