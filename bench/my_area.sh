#!/usr/bin/env bash
# My area's data (docs/my-area.md), in one run on one machine over the demo borough:
#   (a) GET /api/my-area?uprn= over random demo UPRNs, wrk at 4 connections: p50, p99 and
#       pages/s (the target: the data in <= 20 ms);
#   (a') the same places as points (lon=&lat=): every panel but the bin days, whose schedule
#       query is the costly part;
#   (b) the naive baseline, the same page put together from the public routes that existed
#       before it (FixMyStreet's "around" page cannot run here): per UPRN, /api/wards/at,
#       /api/schedules and three OGC bbox pages (open reports, planning, litter bins), five
#       requests a page, the same wrk settings; its pages/s is its requests/s divided by 5.
# Both against one `wardmap serve` with the page cache off (--page-cache-mb 0), so every
# request runs its queries. Prints a table row and writes the wrk output to the results folder.
#
#   bench/my_area.sh
#   AREA_SECONDS=5 AREA_UPRNS=200 bench/my_area.sh
#
# Settings (environment): AREA_UPRNS (500), AREA_SECONDS (10), AREA_THREADS (2),
# AREA_CONNECTIONS (4), BENCH_BUILD_DIR (build/), BENCH_RESULTS (bench/results/<time>/my-area/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
uprns=${AREA_UPRNS:-500}
seconds=${AREA_SECONDS:-10}
threads=${AREA_THREADS:-2}
connections=${AREA_CONNECTIONS:-4}
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/my-area}
wardmap=$build/server/cli/wardmap

die() { echo "bench my-area: $*" >&2; exit 1; }
for v in uprns seconds threads connections; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, not '${!v}'"
done
for tool in sqlite3 wrk curl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup installs it)"
done
[ -x "$wardmap" ] || die "$wardmap is missing: build it (scripts/build)"

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-my-area.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$results"
load_start=$(cut -d" " -f1-3 /proc/loadavg)

echo "bench my-area: the demo borough"
"$wardmap" demo-data --db "$work/store.sqlite" >"$results/demo-data.log" 2>&1 ||
  die "demo-data failed: $(tail -3 "$results/demo-data.log")"

# Random demo properties with an address, and a box of about 500 m around each (WGS84).
sqlite3 -separator ' ' "$work/store.sqlite" \
  "SELECT p.uprn, p.lon, p.lat FROM properties p WHERE EXISTS (SELECT 1 FROM addresses a
   WHERE a.uprn = p.uprn) ORDER BY random() LIMIT $uprns" >"$work/uprns.txt"
[ -s "$work/uprns.txt" ] || die "the demo store has no properties"
: >"$work/paths-area.txt"
: >"$work/paths-naive.txt"
: >"$work/paths-point.txt"
while read -r uprn lon lat; do
  echo "/api/my-area?uprn=$uprn" >>"$work/paths-area.txt"
  echo "/api/my-area?lon=$lon&lat=$lat" >>"$work/paths-point.txt"
  bbox=$(awk -v x="$lon" -v y="$lat" 'BEGIN { printf "%.6f,%.6f,%.6f,%.6f", x - 0.0076, y - 0.0045, x + 0.0076, y + 0.0045 }')
  {
    echo "/api/wards/at?lon=$lon&lat=$lat"
    echo "/api/schedules?uprn=$uprn"
    echo "/ogc/collections/service_requests/items?limit=50&bbox=$bbox"
    echo "/ogc/collections/planning_applications/items?limit=50&bbox=$bbox"
    echo "/ogc/collections/litter_bins/items?limit=50&bbox=$bbox"
  } >>"$work/paths-naive.txt"
done <"$work/uprns.txt"

"$wardmap" serve --db "$work/store.sqlite" --host 127.0.0.1 --port 0 --no-access-log \
  --page-cache-mb 0 >"$results/serve.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 600); do
  port=$(sed -n 's|.*serving http://[^:]*:\([0-9]*\)/.*|\1|p' "$results/serve.log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || die "wardmap did not start: $(tail -3 "$results/serve.log")"

# Every path answers 200 before it is timed (one of each kind), and a sample is kept.
for p in "$(head -1 "$work/paths-area.txt")" $(head -5 "$work/paths-naive.txt"); do
  code=$(curl -s -o "$work/sample.json" -w '%{http_code}' "http://127.0.0.1:$port$p")
  [ "$code" = 200 ] || die "$p answers HTTP $code: $(head -c 300 "$work/sample.json")"
done
curl -s "http://127.0.0.1:$port$(head -1 "$work/paths-area.txt")" >"$results/sample-my-area.json"

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
      printf "%.1f|%.2f|%.2f|%d\n", rps, p50, p99, errors
    }'
}
declare -A row
for target in area point naive; do
  echo "bench my-area: $target, wrk -t$threads -c$connections -d${seconds}s"
  timeout $((seconds + 60)) wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
    -s "$root/bench/ogcapi_paths.lua" "http://127.0.0.1:$port" -- "$work/paths-$target.txt" \
    >"$results/wrk-$target.txt" 2>&1 || true
  row[$target]=$(parse_wrk <"$results/wrk-$target.txt")
done
load_end=$(cut -d" " -f1-3 /proc/loadavg)

IFS='|' read -r a_rps a_p50 a_p99 a_err <<<"${row[area]}"
IFS='|' read -r n_rps n_p50 n_p99 n_err <<<"${row[naive]}"
IFS='|' read -r p_rps p_p50 p_p99 p_err <<<"${row[point]}"
ratio=$(awk -v a="$a_rps" -v n="$n_rps" 'BEGIN { if (n > 0) printf "%.1f", a / (n / 5); else print "-" }')
{
  echo "| | pages/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---|---|"
  echo "| /api/my-area (one request a page) | $a_rps | $a_p50 | $a_p99 | $a_err |"
  echo "| /api/my-area?lon=&lat= (the same places as points: no bin days) | $p_rps | $p_p50 | $p_p99 | $p_err |"
  echo "| naive: 5 public routes a page (per request) | $(awk -v n="$n_rps" 'BEGIN { printf "%.1f", n / 5 }') | $n_p50 | $n_p99 | $n_err |"
  echo
  echo "My area pages/s over the naive page's: ${ratio}x. $uprns random demo UPRNs, wrk -t$threads -c$connections -d${seconds}s, page cache off; load average $load_start at the start, $load_end at the end."
} | tee "$results/summary.md"
