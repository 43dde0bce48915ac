#!/usr/bin/env bash
# The public grave search over a large register, in one run on one machine (issue #15's goal:
# p99 <= 10 ms at 4 connections over 250,000 interments).
#   1. the demo borough, filled to N interments with a long-tailed surname distribution and
#      their name keys indexed (wardmap_bench_burial_search fill; bench/burial_search.cpp);
#   2. wrk at 4 connections against GET /api/burials/search, cycling 2,000 names drawn from the
#      same distribution (a third misspelt, a quarter with a forename), page cache off:
#      latency percentiles;
#   3. in-process at 4 threads, the keyed search against the peer a council without keys would
#      run (the same query as a scan calling a sound-key function on every surname):
#      p50/p99 and the ratio (PlotBox, BACAS and the genealogy sites cannot run here).
# See bench/README.md ("Public grave search").
#
#   bench/burial_search.sh                          250,000 interments, 20 s of wrk
#   SEARCH_INTERMENTS=50000 SEARCH_SECONDS=5 bench/burial_search.sh
#
# Settings (environment): SEARCH_INTERMENTS (250000), SEARCH_SECONDS (20), SEARCH_CONNECTIONS
# (4), SEARCH_WORKERS (as many as connections), BENCH_BUILD_DIR (build/), BENCH_RESULTS
# (bench/results/<time>/burial_search/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
interments=${SEARCH_INTERMENTS:-250000}
seconds=${SEARCH_SECONDS:-20}
connections=${SEARCH_CONNECTIONS:-4}
workers=${SEARCH_WORKERS:-$connections}
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/burial_search}
wardmap=$build/server/cli/wardmap
tool=$build/bench/wardmap_bench_burial_search

die() { echo "bench burial_search: $*" >&2; exit 1; }
for v in interments seconds connections workers; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, not '${!v}'"
done
command -v wrk >/dev/null || die "wrk is not installed (scripts/setup installs it)"
if [ ! -x "$wardmap" ] || [ ! -x "$tool" ]; then
  echo "bench burial_search: building wardmap and wardmap_bench_burial_search into $build"
  [ -f "$build/CMakeCache.txt" ] || "$root/scripts/build" "$build"
  cmake --build "$build" -j2 --target wardmap wardmap_bench_burial_search >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-burial-search.XXXXXX")
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
load_start=$(cut -d" " -f1-3 /proc/loadavg)

echo "bench burial_search: demo borough filled to $interments interments"
"$wardmap" demo-data --db "$work/store.sqlite" >"$results/demo-data.log" 2>&1 ||
  die "demo-data failed: $(tail -3 "$results/demo-data.log")"
"$tool" fill "$work/store.sqlite" "$interments" "$work/names.txt" | tee "$results/fill.txt" ||
  die "fill failed"
cp "$work/names.txt" "$results/"

"$wardmap" serve --db "$work/store.sqlite" --host 127.0.0.1 --port 0 --no-access-log \
  --workers "$workers" --page-cache-mb 0 >"$results/serve.log" 2>&1 &
pids+=($!)
port=
for _ in $(seq 600); do
  port=$(sed -n 's|.*serving http://[^:]*:\([0-9]*\)/.*|\1|p' "$results/serve.log")
  [ -n "$port" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || die "wardmap did not start: $(tail -3 "$results/serve.log")"
first=$(head -1 "$work/names.txt")
curl -sf "http://127.0.0.1:$port/api/burials/search?limit=20&name=$first" >"$results/sample.json" ||
  die "the search route failed for '$first'"

echo "bench burial_search: wrk, $connections connections, ${seconds} s"
sed 's|^|/api/burials/search?limit=20\&name=|' "$work/names.txt" >"$work/paths.txt"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$root/bench/ogcapi_paths.lua" \
  "http://127.0.0.1:$port" -- "$work/paths.txt" | tee "$results/wrk.txt"
! grep -qE "Non-2xx|Socket errors" "$results/wrk.txt" || die "wrk saw errors"

echo "bench burial_search: in-process, keyed search against a scan"
"$tool" compare "$work/store.sqlite" "$work/names.txt" "$((seconds / 2 > 0 ? seconds / 2 : 1))" |
  tee "$results/compare.txt"

p99=$(awk '$1 == "99%" { print $2 }' "$results/wrk.txt")
rps=$(awk '/^Requests\/sec/ { print $2 }' "$results/wrk.txt")
echo
echo "| register | HTTP p99 (wrk, $connections conn) | requests/s | load (start -> end) |"
echo "|---|---|---|---|"
echo "| $interments interments | $p99 | $rps | $load_start -> $(cut -d" " -f1-3 /proc/loadavg) |"
echo "results: $results"
