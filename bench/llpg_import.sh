#!/usr/bin/env bash
# The gazetteer at scale, in one run on one machine: a synthetic LLPG of 1,000,000 addresses
# (wardmap_bench_gen_llpg), loaded side by side by ogr2ogr (its points into SpatiaLite, spatial
# index included) and by `wardmap import llpg` (the DTF 7.3 file into a fresh migrated store,
# search index included), then `GET /api/addresses` type-ahead search on that store under wrk.
# Everything runs from a temporary directory removed at the end. See bench/README.md.
#
#   bench/llpg_import.sh                          1,000,000 addresses, 20 s of search
#   LLPG_ADDRESSES=100000 bench/llpg_import.sh    smaller
#
# Settings (environment): LLPG_ADDRESSES (1000000), LLPG_SEED (2320), LLPG_SEARCH_SECONDS (20),
# LLPG_THREADS (2), LLPG_CONNECTIONS ("4 16": one wrk run per count), BENCH_BUILD_DIR (build/),
# BENCH_RESULTS
# (bench/results/<time>/llpg/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
addresses=${LLPG_ADDRESSES:-1000000}
seed=${LLPG_SEED:-2320}
seconds=${LLPG_SEARCH_SECONDS:-20}
threads=${LLPG_THREADS:-2}
connections=${LLPG_CONNECTIONS:-4 16}
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/llpg}
wardmap=$build/server/cli/wardmap
gen=$build/bench/wardmap_bench_gen_llpg
# The generator's extent (bench/llpg_synth.hpp): the import's council extent.
bbox=340000,400000,380000,440000

die() { echo "bench llpg: $*" >&2; exit 1; }
[[ $addresses =~ ^[1-9][0-9]*$ ]] || die "LLPG_ADDRESSES must be a positive whole number"
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "LLPG_SEARCH_SECONDS must be a whole number of seconds"
for tool in ogr2ogr ogrinfo wrk curl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup installs it)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (Debian package 'time')"
if [ ! -x "$wardmap" ] || [ ! -x "$gen" ]; then
  echo "bench llpg: building wardmap and wardmap_bench_gen_llpg into $build"
  [ -f "$build/CMakeCache.txt" ] || "$root/scripts/build" "$build"
  cmake --build "$build" -j2 --target wardmap wardmap_bench_gen_llpg >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-llpg.XXXXXX")
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

# timed NAME CMD...: runs CMD under /usr/bin/time; leaves "seconds peak_kB" in $work/NAME.time
# and the output in $results/NAME.log; returns CMD's exit code.
timed() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" >"$results/$name.log" 2>&1
}
wall() { awk '{ print $1 }' "$work/$1.time"; }
rss_mb() { awk '{ printf "%.0f", $2 / 1024 }' "$work/$1.time"; }
size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# ---- 1. the synthetic gazetteer --------------------------------------------------------------
echo "bench llpg: generating $addresses addresses (seed $seed)"
timed generate "$gen" --addresses "$addresses" --seed "$seed" --dtf "$work/llpg.csv" \
  --points "$work/points.csv" --queries-out "$work/queries.txt" ||
  die "the generator failed: $(cat "$results/generate.log")"
sed 's/^/  /' "$results/generate.log"
cp "$work/queries.txt" "$results/queries.txt"

# ---- 2. ogr2ogr: the points CSV into SpatiaLite ----------------------------------------------
# The command exactly as the issue names it, with GDAL's default transaction size. SPATIALITE=YES makes SpatiaLite metadata and, by default, the R*Tree index.
echo "bench llpg: ogr2ogr points.csv -> SpatiaLite"
ogr_status=ok
timed ogr2ogr ogr2ogr -f SQLite -dsco SPATIALITE=YES "$work/ogr.sqlite" "$work/points.csv" \
  -oo X_POSSIBLE_NAMES=x -oo Y_POSSIBLE_NAMES=y -a_srs EPSG:27700 ||
  ogr_status="failed: $(tail -3 "$results/ogr2ogr.log")"
if [ "$ogr_status" = ok ]; then
  ogr_count=$(ogrinfo -so "$work/ogr.sqlite" points 2>/dev/null |
    sed -n 's/^Feature Count: //p')
  [ "$ogr_count" = "$addresses" ] || ogr_status="loaded ${ogr_count:-?} of $addresses points"
  ogrinfo "$work/ogr.sqlite" -sql "SELECT COUNT(*) AS rtree_rows FROM idx_points_GEOMETRY" \
    2>/dev/null | grep -q "rtree_rows (Integer) = $addresses" ||
    ogr_status="no spatial index with $addresses rows"
fi

# ---- 3. wardmap import llpg: the DTF file into a fresh store ---------------------------------
"$wardmap" migrate --db "$work/fresh.sqlite" >"$results/migrate.log" 2>&1 ||
  die "wardmap migrate failed: $(cat "$results/migrate.log")"
ours_status=ok
if ! "$wardmap" import --help 2>/dev/null | grep -qw llpg; then
  ours_status="not run: this build has no 'wardmap import llpg' (the LLPG importer is not merged into this branch yet)"
else
  echo "bench llpg: wardmap import llpg"
  timed import "$wardmap" import llpg "$work/llpg.csv" --db "$work/fresh.sqlite" --quiet \
    --bbox "$bbox" || ours_status="failed: $(tail -3 "$results/import.log")"
fi

# ---- 4. GET /api/addresses on the imported store ---------------------------------------------
search_rows=()
search_status=
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
      printf "%.0f|%.2f|%.2f|%d\n", rps, p50, p99, errors
    }'
}
if [ "$ours_status" != ok ]; then
  search_status="not run: needs the store 'wardmap import llpg' fills"
else
  "$wardmap" serve --db "$work/fresh.sqlite" --host 127.0.0.1 --port 0 --no-access-log \
    >"$results/serve.log" 2>&1 &
  pids+=($!)
  port=
  for _ in $(seq 600); do
    port=$(sed -n 's|.*serving http://[^:]*:\([0-9]*\)/.*|\1|p' "$results/serve.log")
    [ -n "$port" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || break
    sleep 0.1
  done
  # The server builds the in-memory search index before it listens: part of our load time.
  index_seconds=$(sed -n 's/.*address search index: .* built in \([0-9.]*\) s.*/\1/p' \
    "$results/serve.log" | head -1)
  if [ -z "$port" ]; then
    search_status="not run: wardmap serve did not start ($(tail -2 "$results/serve.log"))"
  else
    code=$(curl -s -o "$results/sample-response.json" -w '%{http_code}' --max-time 10 \
      "http://127.0.0.1:$port/api/addresses?q=$(head -1 "$work/queries.txt")&limit=10" || true)
    if [ "$code" != 200 ]; then
      search_status="not run: GET /api/addresses answers HTTP $code (the search endpoint is not merged into this branch yet?)"
    else
      sed 's|^|/api/addresses?limit=10\&q=|' "$work/queries.txt" >"$work/query-paths.txt"
      # Warm-up, not measured: the first seconds fault the store's pages into memory.
      timeout 40 wrk -t"$threads" -c4 -d5s -s "$root/bench/ogcapi_paths.lua" \
        "http://127.0.0.1:$port" -- "$work/query-paths.txt" >"$results/wrk-warmup.txt" 2>&1 || true
      search_rows=()
      for c in $connections; do
        echo "bench llpg: GET /api/addresses, wrk -t$threads -c$c -d${seconds}s"
        timeout $((seconds + 30)) wrk -t"$threads" -c"$c" -d"${seconds}s" --latency \
          -s "$root/bench/ogcapi_paths.lua" "http://127.0.0.1:$port" \
          -- "$work/query-paths.txt" >"$results/wrk-addresses-c$c.txt" 2>&1 || true
        search_rows+=("$c|$(parse_wrk <"$results/wrk-addresses-c$c.txt")")
      done
    fi
  fi
fi

# ---- report ----------------------------------------------------------------------------------
{
  echo "wardmap llpg bench $(date -u +%Y-%m-%dT%H:%M:%SZ): $addresses addresses, seed $seed;" \
    "$(nproc) CPUs; $(ogr2ogr --version); $("$wardmap" version 2>/dev/null | head -1)"
  echo "files: DTF $(size_mb "$work/llpg.csv") MB, points CSV $(size_mb "$work/points.csv") MB," \
    "$(wc -l <"$work/queries.txt") queries; generator $(wall generate) s, $(rss_mb generate) MB"
  echo
  printf '%-34s %10s %12s %8s  %s\n' load "wall s" "peak RSS MB" ratio note
  ogr_wall=-
  if [ "$ogr_status" = ok ]; then
    ogr_wall=$(wall ogr2ogr)
    printf '%-34s %10s %12s %8s  %s\n' "ogr2ogr points -> SpatiaLite" "$ogr_wall" \
      "$(rss_mb ogr2ogr)" "" "output $(size_mb "$work/ogr.sqlite") MB, R*Tree included"
  else
    printf '%-34s %10s %12s %8s  %s\n' "ogr2ogr points -> SpatiaLite" - - "" "$ogr_status"
  fi
  if [ "$ours_status" = ok ]; then
    printf '%-34s %10s %12s %8s  %s\n' "wardmap import llpg (DTF 7.3)" "$(wall import)" \
      "$(rss_mb import)" "" "store $(size_mb "$work/fresh.sqlite") MB"
    if [ -n "${index_seconds:-}" ]; then
      total=$(awk -v a="$(wall import)" -v b="$index_seconds" 'BEGIN { printf "%.2f", a + b }')
      ratio=$(awk -v a="$total" -v b="$ogr_wall" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
      printf '%-34s %10s %12s %8s  %s\n' "  + search index (server start)" "$index_seconds" "" "" \
        "in memory, built from the store"
      printf '%-34s %10s %12s %8s  %s\n' "wardmap total (import + index)" "$total" "" "$ratio" \
        "goal ratio <= 1.5"
    else
      printf '%-34s %10s %12s %8s  %s\n' "wardmap total (import + index)" - "" "" \
        "the server logged no index build time"
    fi
  else
    printf '%-34s %10s %12s %8s  %s\n' "wardmap import llpg (DTF 7.3)" - - "" "$ours_status"
  fi
  echo
  printf '%-34s %12s %10s %10s %8s\n' search "requests/s" "p50 ms" "p99 ms" errors
  if [ -z "$search_status" ]; then
    for row in "${search_rows[@]}"; do
      IFS='|' read -r c rps p50 p99 errors <<<"$row"
      printf '%-34s %12s %10s %10s %8s  %s\n' "GET /api/addresses (wrk -c$c)" "$rps" "$p50" \
        "$p99" "$errors" "goal >= 2000 req/s, p99 <= 5 ms"
    done
  else
    printf '%-34s %12s %10s %10s %8s  %s\n' "GET /api/addresses?q=..&limit=10" - - - - \
      "$search_status"
  fi
} | tee "$results/table.txt"
echo
echo "bench llpg: logs, queries and raw wrk output in $results"
[ "$ogr_status" = ok ] || exit 1
