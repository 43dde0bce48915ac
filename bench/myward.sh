#!/usr/bin/env bash
# MyWard (issue #16): a ward's dashboard JSON and its requests CSV at 1,000,000 stored requests
# (bench/open311_fill.sql over the demo borough, with the demo's assets, planning, empty
# properties and burials), in one run from a temporary directory removed at the end:
#   1. dashboard: wrk GETs /api/myward/{ward} for every current ward in turn (a year's range,
#      the server's defaults), 4 connections, signed in as the demo's customer-services officer;
#      no answer cache (MyWard keeps none: only its derived request -> ward placement,
#      myward_request_wards, built by the first call and timed apart; docs/myward.md "Cache");
#   2. export: curl GETs /api/myward/{ward}/requests.csv of the ward with the most requests over
#      the fill's two years; its rows, seconds, and the server's RSS before and after (VmRSS,
#      VmHWM from /proc);
#   3. peer: FixMyStreet Pro's dashboard cannot run here, so the baseline is the naive one: the
#      ward's requests counted with a ward lookup per request in a loop (SpatiaLite ST_Contains
#      of every request of the range against the ward's polygon, no R-tree), timed in the same
#      run by sqlite3 on the same store; the ratio is its time over the dashboard's p50.
#
#   bench/myward.sh                       1,000,000 requests, 20 s of dashboard load
#   MW_REQUESTS=100000 MW_SECONDS=5 bench/myward.sh
#
# Settings: MW_REQUESTS (1000000), MW_SECONDS (20), MW_CONNECTIONS (4), BENCH_BUILD_DIR (build/),
# MW_STORE (a store this script filled before, e.g. kept with MW_KEEP_STORE=path: copied, no fill),
# BENCH_RESULTS (bench/results/<time>/myward/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
stored=${MW_REQUESTS:-1000000}
seconds=${MW_SECONDS:-20}
connections=${MW_CONNECTIONS:-4}
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/myward}
wardmap=$build/server/cli/wardmap
catalogue=$root/data/services/default.json

die() { echo "bench myward: $*" >&2; exit 1; }
for v in stored seconds connections; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, not '${!v}'"
done
for tool in sqlite3 wrk curl jq; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup installs it)"
done
[ -x "$wardmap" ] || die "no $wardmap: build it first (scripts/build)"

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-myward.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "${MW_KEEP_STORE:-}" ] && [ -f "$work/store.sqlite" ] && [ -z "${MW_STORE:-}" ]; then
    mv "$work/store.sqlite" "$MW_KEEP_STORE" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$results"

if [ -n "${MW_STORE:-}" ]; then
  # A store filled before (by this script's steps), copied: the fill takes minutes.
  [ -f "$MW_STORE" ] || die "MW_STORE: no file $MW_STORE"
  echo "bench myward: the filled store $MW_STORE (copied)"
  cp "$MW_STORE" "$work/store.sqlite"
  fill_s="(filled before)"
else
echo "bench myward: demo borough and $stored requests"
"$wardmap" demo-data --db "$work/store.sqlite" >"$results/demo-data.log" 2>&1 ||
  die "demo-data failed: $(tail -3 "$results/demo-data.log")"
jq -r '.services[] | . as $s | [.code, (if .private then 1 else 0 end), .default_priority,
    (.priorities[] | select(.code == $s.default_priority) | .sla_working_days)] | @csv' \
  "$catalogue" >"$work/services.csv"
t0=$(date +%s.%N)
sqlite3 "$work/store.sqlite" ".load mod_spatialite" \
  "PRAGMA journal_mode=DELETE;" "PRAGMA cache_size=-262144;" \
  "CREATE TEMP TABLE bench_settings (requests INTEGER, now_epoch INTEGER);
   INSERT INTO bench_settings VALUES ($stored, CAST(strftime('%s', 'now') AS INTEGER));
   CREATE TEMP TABLE bench_services (code TEXT, private INTEGER, priority TEXT, sla_days INTEGER);" \
  ".import --csv '$work/services.csv' bench_services" \
  ".read '$root/bench/open311_fill.sql'" "PRAGMA journal_mode=WAL;" \
  >"$results/fill.log" 2>&1 || die "the fill failed: $(tail -3 "$results/fill.log")"
fill_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
fi
total=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM service_requests")
planning=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM planning_applications")
assets=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM street_assets")

log=$work/serve.log
"$wardmap" serve --db "$work/store.sqlite" --host 127.0.0.1 --port 0 --no-access-log \
  --services "$catalogue" --web-root "$root/web-client" >"$log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 600); do
  port=$(sed -n 's|.*serving http://[^:]*:\([0-9]*\)/.*|\1|p' "$log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || die "wardmap serve did not start: $(tail -3 "$log")"
base=http://127.0.0.1:$port
cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"email":"customer.services@demo.wardmap.test","password":"Demo-customer-1"}' \
  "$base/api/session" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' | head -1)
[ -n "$cookie" ] || die "could not sign in"
today=$(date -u +%Y-%m-%d)
wards=$(curl -s "$base/api/wards?date=$today" | jq -r '.features[].properties.code')

# ---- 1. the dashboard, every ward in turn ----
{
  echo "local wards = {"
  for w in $wards; do echo "  \"/api/myward/$w\","; done
  echo "}"
  echo "local i = 0"
  echo "request = function() i = i + 1; return wrk.format('GET', wards[(i % #wards) + 1], { Cookie = '$cookie' }) end"
} >"$work/dashboard.lua"
first=$(echo "$wards" | head -1)
# The first call builds the request -> ward placement of today's boundary set (0028,
# myward_request_wards: every stored request placed once by point-in-polygon); timed apart.
t0=$(date +%s.%N)
curl -s -H "Cookie: $cookie" "$base/api/myward/$first" >"$results/dashboard-$first.json"
place_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
jq -e '.requests.received' "$results/dashboard-$first.json" >/dev/null ||
  die "the dashboard failed: $(head -c 300 "$results/dashboard-$first.json")"
wrk -t2 -c2 -d3s -s "$work/dashboard.lua" "$base" >/dev/null # warm the pages
# --timeout 30s: a slow answer is measured, not counted as a socket error (wrk's default is 2 s).
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 30s --latency -s "$work/dashboard.lua" "$base" \
  >"$results/dashboard.wrk"
read -r rps p50 p99 errors <<<"$(awk '
  function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /[0-9]s$/) return v * 1000; return v + 0 }
  $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) } $1 == "Requests/sec:" { rps = $2 }
  /Non-2xx or 3xx responses:/ { err += $5 } /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
  END { printf "%s %.2f %.2f %d\n", rps, p50, p99, err }' "$results/dashboard.wrk")"

# ---- 2. the CSV export of the busiest ward over the fill's two years ----
from=$(date -u -d '-729 days' +%Y-%m-%d)
best=; best_n=0
for w in $wards; do
  n=$(curl -s -H "Cookie: $cookie" "$base/api/myward/$w?from=$from" | jq '.requests.received // 0')
  if [ "$n" -gt "$best_n" ]; then best=$w; best_n=$n; fi
done
rss() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$server_pid/status"; }
rss_before=$(rss VmRSS); hwm_before=$(rss VmHWM)
t0=$(date +%s.%N)
curl -s -D "$work/export.head" -H "Cookie: $cookie" -o "$work/export.csv" \
  "$base/api/myward/$best/requests.csv?from=$from"
csv_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
rss_after=$(rss VmRSS); hwm_after=$(rss VmHWM)
csv_rows=$(($(wc -l <"$work/export.csv") - 1))
csv_framing=$(grep -i -o -E '^(transfer-encoding: chunked|content-length: [0-9]+)' "$work/export.head" | head -1 || true)
csv_mb=$(awk -v b="$(stat -c %s "$work/export.csv")" 'BEGIN { printf "%.1f", b / 1048576 }')

# ---- 3. the naive baseline: a ward lookup per request, in a loop ----
t0=$(date +%s.%N)
naive_n=$(sqlite3 "$work/store.sqlite" ".load mod_spatialite" "
  SELECT count(*) FROM service_requests r, (SELECT w.geom FROM wards w JOIN boundary_sets b
    ON b.id = w.boundary_set_id WHERE w.code = '$first' AND b.valid_to IS NULL) g
  WHERE r.created_at >= date('now', '-1 year') AND ST_Contains(g.geom, r.geom);" | tail -1)
naive_ms=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
ratio=$(awk -v a="$naive_ms" -v b="$p50" 'BEGIN { if (b > 0) printf "%.1f", a / b; else printf "-" }')

{
  echo "MyWard at $total stored requests ($planning planning applications, $assets street assets; filled in ${fill_s} s)"
  echo "0. first dashboard call (places every request in today's wards, once): ${place_s} s"
  echo "1. dashboard JSON, $(echo "$wards" | wc -w) wards in turn, $connections connections, ${seconds} s, no answer cache:"
  echo "   $rps req/s, p50 $p50 ms, p99 $p99 ms, $errors errors (goal p99 <= 50 ms)"
  echo "2. $best requests.csv from $from ($csv_framing): $csv_rows rows, $csv_mb MB in $csv_s s (goal 100,000 rows <= 2 s);"
  echo "   server RSS ${rss_before} kB -> ${rss_after} kB, peak ${hwm_before} kB -> ${hwm_after} kB"
  echo "3. naive baseline (ST_Contains per request, no R-tree, one ward's year = $naive_n requests): ${naive_ms} ms;"
  echo "   the naive count takes ${ratio}x the dashboard's p50 (the dashboard computes every panel)"
} | tee "$results/summary.txt"
