#!/usr/bin/env bash
# The soak (issue 14): ten minutes of mixed load at a steady rate against `wardmap serve` on
# loopback, on the demo borough, from a temporary directory removed at the end:
#   Open311 creates, lists and single reads, OGC API pages, address search, reporters' tracking
#   updates and photo uploads, each at its own fixed rate (bench/soak.mjs, an open-loop load:
#   requests go on schedule whether or not earlier ones have answered);
#   in the middle, an address import into the served store (`wardmap import addresses`, every
#   address's text changed, so the server's address index reloads under load) and an online
#   backup (`wardmap backup`);
#   the server's RSS every 2 s from /proc.
# It prints requests, errors, p50/p99 per kind and RSS over time, and ends with PASS when there
# were no errors and RSS grew less than 5% from the minute after warm-up to the last minute.
#
#   bench/soak.sh                        10 minutes
#   SOAK_SECONDS=120 bench/soak.sh       a short one
#
# Settings (environment): SOAK_SECONDS (600), SOAK_WARMUP (120 s, or a fifth of a shorter run),
# SOAK_RATE_SCALE (1: about 34 requests/s in all; 2 doubles every kind), SOAK_DURABILITY
# (normal; full passes --durability full to the server), BENCH_BUILD_DIR (build/),
# BENCH_RESULTS (bench/results/<time>/soak/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${SOAK_SECONDS:-600}
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/soak}
wardmap=$build/server/cli/wardmap
catalogue=$root/data/services/default.json
durability=${SOAK_DURABILITY:-normal}

die() { echo "bench soak: $*" >&2; exit 1; }
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "SOAK_SECONDS must be a positive whole number"
for tool in sqlite3 jq node vips; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup installs it)"
done
if [ ! -x "$wardmap" ]; then
  echo "bench soak: building wardmap into $build"
  WARDMAP_BUILD_TARGETS=wardmap "$root/scripts/build" "$build"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-soak.XXXXXX")
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
store=$work/soak.sqlite

echo "bench soak: generating the demo borough"
"$wardmap" demo-data --db "$store" >"$results/demo-data.log" 2>&1 ||
  die "demo-data failed: $(tail -3 "$results/demo-data.log")"

# ---- fixtures: positions, services with their required attributes, queries, collections ------
sqlite3 -json "$store" "SELECT printf('%.6f', lat) AS lat, printf('%.6f', lon) AS lon
    FROM properties ORDER BY random() LIMIT 2000" >"$work/points.json"
sqlite3 -json "$store" "SELECT DISTINCT street AS q FROM addresses WHERE street <> ''
    UNION SELECT DISTINCT postcode FROM addresses WHERE postcode <> '' LIMIT 400" \
  | jq '[.[].q | ascii_downcase | .[0:9]]' >"$work/queries.json"
jq '[.services[] | select(.private != true) | {code, attributes: ([.attributes[]? |
    select(.required) | "attribute%5B" + .code + "%5D=" + (if (.values // [] | length) > 0
    then (.values[0].key | @uri) else "Soak" end)] | join("&"))}]' "$catalogue" >"$work/services.json"
jq -n --slurpfile points "$work/points.json" --slurpfile queries "$work/queries.json" \
  --slurpfile services "$work/services.json" \
  '{points: $points[0], queries: $queries[0], services: $services[0],
    collections: ["wards", "addresses", "streets", "litter_bins", "service_requests"]}' \
  >"$work/fixtures.json"
# A camera-sized photo of noise (it does not compress away).
vips gaussnoise "$work/photo.jpg[Q=90]" 2400 1800 >/dev/null

# The middle import: every address of 3,000 properties with its street text changed.
sqlite3 -csv -header "$store" "SELECT p.uprn AS UPRN, a.saon AS saon, a.paon AS paon,
    a.street || ' (soak)' AS street, a.locality AS locality, a.town AS town, a.postcode AS postcode,
    p.easting AS x, p.northing AS y
    FROM properties p JOIN addresses a ON a.lpi_key = 'ADDR:' || p.uprn OR a.id = (
      SELECT min(id) FROM addresses WHERE uprn = p.uprn AND logical_status = 1)
    WHERE a.street <> '' LIMIT 3000" >"$work/addresses.csv"

# ---- the server --------------------------------------------------------------------------
serve_args=(serve --db "$store" --host 127.0.0.1 --port 0 --no-access-log
  --services "$catalogue" --web-root "$root/web-client" --mail-dir "$work/mail")
[ "$durability" = normal ] || serve_args+=(--durability "$durability")
"$wardmap" "${serve_args[@]}" >"$results/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 600); do
  port=$(sed -n 's|.*serving http://[^:]*:\([0-9]*\)/.*|\1|p' "$results/server.log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || die "wardmap serve did not start: $(tail -3 "$results/server.log")"

middle=$(jq -nc --arg w "$wardmap" --arg db "$store" --arg csv "$work/addresses.csv" \
  --arg backup "$work/backup.sqlite" \
  '[{name: "import addresses", argv: [$w, "import", "addresses", $csv, "--db", $db, "--crs", "EPSG:27700", "--quiet"]},
    {name: "backup", argv: [$w, "backup", $backup, "--db", $db]}]')

echo "bench soak: ${seconds} s of mixed load on http://127.0.0.1:$port (server pid $server_pid," \
  "durability $durability); load average $(cut -d' ' -f1-3 /proc/loadavg)"
set +e
SOAK_URL="http://127.0.0.1:$port" SOAK_PID=$server_pid SOAK_SECONDS=$seconds \
  SOAK_FIXTURES="$work/fixtures.json" SOAK_PHOTO="$work/photo.jpg" SOAK_MIDDLE="$middle" \
  SOAK_SAMPLES="$results/rss.json" \
  node "$root/bench/soak.mjs" | tee "$results/report.txt"
status=${PIPESTATUS[0]}
set -e
kill -0 "$server_pid" 2>/dev/null || { echo "bench soak: the server died"; status=1; }
echo "bench soak: results in $results"
exit "$status"
