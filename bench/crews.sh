#!/usr/bin/env bash
# Crews' day and completions under load (issue #18, "Crews"), in one run on one machine from a
# temporary directory removed at the end:
#   1. the store: the demo borough (its crews and a year of their completions) plus a bench
#      crew with a round of 200 properties worked every working day for the past year (200
#      visits a day, each with a completion) and 200 planned visits on the bench date;
#   2. the crew's day of 200 visits, GET /api/crews/bench/day?date=..., with wrk at
#      CREWS_CONNECTIONS (4) connections: p50/p99 against the goal p99 <= 10 ms;
#   3. completions: wrk POSTs new completions (each its own client_id) with a staff key to
#      `wardmap serve --durability full` (each commit fsynced before the 201), completions/s
#      against the goal >= 200/s, then every acknowledged completion counted in the store.
# No peer runs here: the systems crews use (Alloy, Whitespace, Bartec) are commercial; the
# figures are printed against the goals. See bench/README.md, "Crews".
#
#   bench/crews.sh
#   CREWS_SECONDS=5 bench/crews.sh
#
# Settings (environment): CREWS_SECONDS (10, each wrk run), CREWS_CONNECTIONS (4),
# CREWS_THREADS (2), CREWS_WRITE_CONNECTIONS (4), BENCH_BUILD_DIR (build/),
# BENCH_RESULTS (bench/results/<time>/crews/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${CREWS_SECONDS:-10}
connections=${CREWS_CONNECTIONS:-4}
threads=${CREWS_THREADS:-2}
write_connections=${CREWS_WRITE_CONNECTIONS:-4}
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/crews}
wardmap=$build/server/cli/wardmap
staff_key=demo-staff-key # made by `wardmap demo-data` (docs/http-api.md)
goal_p99_ms=10
goal_completions=200

die() { echo "bench crews: $*" >&2; exit 1; }
for v in seconds connections threads write_connections; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, not '${!v}'"
done
for tool in sqlite3 wrk curl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup installs it)"
done
if [ ! -x "$wardmap" ]; then
  echo "bench crews: building wardmap into $build"
  [ -f "$build/CMakeCache.txt" ] || "$root/scripts/build" "$build"
  cmake --build "$build" -j2 --target wardmap >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-crews.XXXXXX")
pids=()
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

parse_wrk() { # requests/s|p50 ms|p99 ms|errors
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /[0-9]s$/) return v * 1000
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

echo "bench crews: generating the demo borough (crews and a year of completions)"
"$wardmap" demo-data --db "$work/crews.sqlite" >"$results/demo-data.log" 2>&1 ||
  die "demo-data failed: $(tail -5 "$results/demo-data.log")"
store=$work/crews.sqlite
# The bench date: the next working day (Mon-Fri) after today, so the day is all planned.
bench_date=$(date -u -d tomorrow +%F)
while [ "$(date -u -d "$bench_date" +%u)" -gt 5 ]; do
  bench_date=$(date -u -d "$bench_date + 1 day" +%F)
done
echo "bench crews: a bench crew with 200 stops, a year of completed visits and 200 on $bench_date"
sqlite3 "$store" <<SQL || die "could not add the bench crew"
PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO crews (code, name, depot, vehicle) VALUES ('bench', 'Bench crew', 'Bench depot', 'RCV-B');
INSERT INTO crew_members (crew_code, person_id)
  SELECT 'bench', id FROM people WHERE email = 'streetscene@demo.wardmap.test';
INSERT INTO schedule_rounds (code, name, activity, team, rule_kind, rrule, first_date,
    bank_holidays, created_at, updated_at)
  VALUES ('BENCH-200', 'Bench round', 'household_waste', 'bench', 'rrule',
    'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', date('$bench_date', '-366 days'), 'work',
    strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
INSERT INTO schedule_round_stops (round_id, seq, uprn)
  SELECT (SELECT id FROM schedule_rounds WHERE code = 'BENCH-200'), row_number() OVER (ORDER BY uprn), uprn
  FROM (SELECT DISTINCT uprn FROM addresses WHERE usrn IS NOT NULL ORDER BY uprn LIMIT 200 OFFSET 3000);
WITH RECURSIVE days(d) AS (
  SELECT date('$bench_date', '-365 days') UNION ALL SELECT date(d, '+1 day') FROM days WHERE d < '$bench_date')
INSERT INTO schedule_visits (round_id, stop_id, rule_date, planned_date, generation)
  SELECT s.round_id, s.id, d, d, 1 FROM days JOIN schedule_round_stops s
    ON s.round_id = (SELECT id FROM schedule_rounds WHERE code = 'BENCH-200')
  WHERE strftime('%w', d) NOT IN ('0', '6') ORDER BY d, s.seq;
INSERT INTO schedule_visit_completions (visit_id, client_id, person_id, actor, outcome, at,
    recorded_at, quantities)
  SELECT v.id, 'bench-history-' || v.id, NULL, 'bench', 'done', v.planned_date || 'T09:00:00Z',
    v.planned_date || 'T09:00:05Z', '{"bins_emptied":1}'
  FROM schedule_visits v JOIN schedule_rounds r ON r.id = v.round_id
  WHERE r.code = 'BENCH-200' AND v.planned_date < '$bench_date';
COMMIT;
ANALYZE;
SQL
completions_stored=$(sqlite3 "$store" "SELECT count(*) FROM schedule_visit_completions")
day_visits=$(sqlite3 "$store" "SELECT count(*) FROM schedule_visits v JOIN schedule_rounds r ON
  r.id = v.round_id WHERE r.code = 'BENCH-200' AND v.planned_date = '$bench_date'")
[ "$day_visits" = 200 ] || die "the bench day has $day_visits visits, not 200"
read -r first_visit last_visit < <(sqlite3 -separator ' ' "$store" "SELECT min(v.id), max(v.id)
  FROM schedule_visits v JOIN schedule_rounds r ON r.id = v.round_id WHERE r.code = 'BENCH-200'
  AND v.planned_date > date('$bench_date', '-30 days') AND v.planned_date < '$bench_date'")

log=$work/serve.log
"$wardmap" serve --db "$store" --host 127.0.0.1 --port 0 --no-access-log --durability full \
  --web-root "$root/web-client" >"$log" 2>&1 &
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
url=http://127.0.0.1:$port
# The server's CPU time so far (user + system, /proc), in ms: with wrk's request count, CPU ms
# per request, a figure that holds on a machine other work is loading.
server_cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$server_pid/stat"
}
day_path="/api/crews/bench/day?date=$bench_date"
features=$(curl -fsS -H "X-Api-Key: $staff_key" "$url$day_path" | grep -o '"type":"Feature"' | wc -l)
[ "$features" = 200 ] || die "GET $day_path gave $features features, not 200"

echo "bench crews: GET the crew's day (200 visits), $connections connections, ${seconds}s"
wrk -t"$threads" -c"$connections" -d5s -H "X-Api-Key: $staff_key" "$url$day_path" >/dev/null # warm-up
cpu_before=$(server_cpu_ms)
wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -H "X-Api-Key: $staff_key" \
  "$url$day_path" >"$results/day.txt"
cpu_after=$(server_cpu_ms)
IFS='|' read -r day_rps day_p50 day_p99 day_errors < <(parse_wrk <"$results/day.txt")
day_requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$results/day.txt")
day_cpu=$(awk -v a="$cpu_before" -v b="$cpu_after" -v n="$day_requests" 'BEGIN { if (n > 0) printf "%.2f", (b - a) / n; else printf "-" }')

echo "bench crews: POST completions, $write_connections connections, ${seconds}s, --durability full"
before=$(sqlite3 "$store" "SELECT count(*) FROM schedule_visit_completions WHERE client_id LIKE 'bench-1-%'")
wrk -t"$threads" -c"$write_connections" -d"${seconds}s" --latency -s "$root/bench/crews_complete.lua" \
  "$url" -- "$first_visit" "$last_visit" "$staff_key" 1 >"$results/complete.txt"
IFS='|' read -r post_rps post_p50 post_p99 post_errors < <(parse_wrk <"$results/complete.txt")
acknowledged=$(sed -n 's/^completions created: //p' "$results/complete.txt")
stored=$(sqlite3 "$store" "SELECT count(*) FROM schedule_visit_completions WHERE client_id LIKE 'bench-1-%'")
stored=$((stored - before))
fsyncs=$(curl -fsS "$url/metrics" | sed -n 's/^wardmap_group_commit_fsyncs_total //p')

verdict() { awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN { ok = (op == "le") ? (a <= b) : (a >= b); print ok ? "meets the goal" : "MISSES the goal" }'; }
{
  echo "wardmap bench crews $(date -u +%FT%TZ): $(nproc) CPUs; store with $completions_stored completions"
  echo "no peer: Alloy, Whitespace and Bartec are commercial; figures against the goals"
  printf '%-44s %10s %8s %8s %7s  %s\n' "measure" "req/s" "p50 ms" "p99 ms" "errors" "goal"
  printf '%-44s %10s %8s %8s %7s  %s\n' "GET crew day (200 visits), ${connections} conns" \
    "$day_rps" "$day_p50" "$day_p99" "$day_errors" "p99 <= ${goal_p99_ms} ms: $(verdict "$day_p99" "$goal_p99_ms" le)"
  printf '%-44s %10s %8s %8s %7s  %s\n' "POST completion (durable), ${write_connections} conns" \
    "$post_rps" "$post_p50" "$post_p99" "$post_errors" ">= ${goal_completions}/s: $(verdict "$post_rps" "$goal_completions" ge)"
  echo "crew day: ${day_cpu} ms of server CPU per request; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "completions acknowledged $acknowledged, found in the store $stored (requests in flight when wrk stopped are stored unacknowledged); WAL fsyncs ${fsyncs:-?}"
} | tee "$results/table.txt"
[ "$stored" -ge "$acknowledged" ] || die "acknowledged $acknowledged completions but the store has only $stored"
