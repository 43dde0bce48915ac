#!/usr/bin/env bash
# OGC API - Features side by side, in one run on one machine, over the same data: wardmap's
# /ogc, MapServer 8.0 (Debian cgi-mapserver) and QGIS Server 3.22 (Debian qgis-server, landing
# page /wfs3), both FastCGI via spawn-fcgi behind one nginx, and that nginx serving wardmap's
# own response bytes from files (the ceiling for the HTTP path).
#   (a) limit=100 bbox pages on a 100,000-point layer (addresses), several boxes cycled by
#       bench/ogcapi_paths.lua, the same wrk settings for every server;
#   (b) a full export of that layer through GDAL's OAPIF driver (ogr2ogr), wall time, feature
#       count and distinct UPRNs (the layer's real key, copied as a 64-bit integer);
#   (c) wardmap against nginx's static files of the same bytes.
# Everything runs on 127.0.0.1 from a temporary directory removed at the end.
# See bench/README.md.
#
#   bench/ogcapi.sh                                100,000 addresses, 10 s per wrk run
#   OGC_SECONDS=5 OGC_ADDRESSES=20000 bench/ogcapi.sh
#
# Settings (environment): OGC_ADDRESSES (100000), OGC_SEED (2320), OGC_SECONDS (10),
# OGC_THREADS (2), OGC_CONNECTIONS (16), OGC_BOXES (8), OGC_PAGE_SIZE (1000, ogr2ogr's
# PAGE_SIZE), OGC_EXPORT_TIMEOUT (600 s per export), OGC_FCGI_WORKERS (2 MapServer and 2 QGIS
# Server processes), BENCH_BUILD_DIR (build/), BENCH_RESULTS (bench/results/<time>/ogcapi/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
addresses=${OGC_ADDRESSES:-100000}
seed=${OGC_SEED:-2320}
seconds=${OGC_SECONDS:-10}
threads=${OGC_THREADS:-2}
connections=${OGC_CONNECTIONS:-16}
boxes=${OGC_BOXES:-8}
page_size=${OGC_PAGE_SIZE:-1000}
export_timeout=${OGC_EXPORT_TIMEOUT:-600}
fcgi_workers=${OGC_FCGI_WORKERS:-2}
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/ogcapi}
wardmap=$build/server/cli/wardmap
gen=$build/bench/wardmap_bench_gen_llpg
mapserv=/usr/lib/cgi-bin/mapserv
qgis_fcgi=/usr/lib/cgi-bin/qgis_mapserv.fcgi
# PyQGIS writes QGIS Server's project: Debian's module, not a virtualenv's python3.
qgis_python=/usr/bin/python3
# The generator's extent (bench/llpg_synth.hpp), which also holds the demo borough.
grid_extent="340000 400000 380000 440000"

die() { echo "bench ogcapi: $*" >&2; exit 1; }
for v in addresses seconds boxes page_size export_timeout fcgi_workers; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, not '${!v}'"
done
for tool in ogr2ogr ogrinfo sqlite3 wrk curl spawn-fcgi; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup installs it)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (scripts/setup installs 'time')"
[ -x "$mapserv" ] || die "$mapserv is missing (scripts/setup installs cgi-mapserver)"
[ -x "$qgis_fcgi" ] || die "$qgis_fcgi is missing (scripts/setup --bench installs qgis-server)"
"$qgis_python" -c 'import qgis.core' 2>/dev/null ||
  die "PyQGIS is missing (scripts/setup --bench installs qgis-server and python3-qgis)"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || die "nginx is not installed (scripts/setup installs it)"
if [ ! -x "$wardmap" ] || [ ! -x "$gen" ]; then
  echo "bench ogcapi: building wardmap and wardmap_bench_gen_llpg into $build"
  [ -f "$build/CMakeCache.txt" ] || "$root/scripts/build" "$build"
  cmake --build "$build" -j2 --target wardmap wardmap_bench_gen_llpg >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-ogcapi.XXXXXX")
pids=()
# The FastCGI processes spawn-fcgi started (their PIDs from its pid files, nothing else): an
# idle mapserv ignores SIGTERM, and neither server keeps state worth a clean exit, so SIGKILL.
fcgi_pids=()
# SIGTERM, then SIGKILL whatever is still there after 15 s: the bench must end.
cleanup() {
  local pid
  for pid in "${fcgi_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
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

# A port nothing listens on, below Linux's ephemeral range (32768-60999: a port some outgoing
# connection holds would pass the test and fail the bind), and not handed out before (a server
# started later, like nginx, does not listen yet). Sets $free (no subshell, so the list holds).
given_ports=" "
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 12000))
    [[ $given_ports == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      given_ports+="$port "
      free=$port
      return
    fi
  done
  die "no free loopback port"
}

# The machine is shared: the load average at the start and the end goes into the table.
load_start=$(cut -d" " -f1-3 /proc/loadavg)

# ---- 1. the data: the demo borough plus a synthetic LLPG of N addresses ----------------------
echo "bench ogcapi: demo borough + $addresses generated addresses (seed $seed)"
"$wardmap" demo-data --db "$work/store.sqlite" >"$results/demo-data.log" 2>&1 ||
  die "demo-data failed: $(cat "$results/demo-data.log")"
"$gen" --addresses "$addresses" --seed "$seed" --dtf "$work/llpg.csv" \
  --points "$work/points.csv" --queries-out "$work/queries.txt" >"$results/generate.log" 2>&1 ||
  die "the generator failed: $(cat "$results/generate.log")"
# The import rejects points outside the store's council_area (the demo's Chorley), and the
# generator spreads its towns over a wider square: set the council area aside while importing
# with --bbox that square, then put it back.
sqlite3 "$work/store.sqlite" "CREATE TABLE bench_council AS SELECT * FROM council_area;
  DELETE FROM council_area;" || die "could not set the council area aside"
"$wardmap" import llpg "$work/llpg.csv" --db "$work/store.sqlite" --quiet \
  --bbox "${grid_extent// /,}" >"$results/import.log" 2>&1 ||
  die "wardmap import llpg failed: $(tail -3 "$results/import.log")"
sqlite3 "$work/store.sqlite" ".load mod_spatialite" "INSERT INTO council_area SELECT * FROM
  bench_council; DROP TABLE bench_council;" >/dev/null || die "could not restore the council area"
features=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM properties")
[ "$features" -ge "$addresses" ] || die "the store has $features properties, not $addresses"

# MapServer and QGIS Server read the same rows from a GeoPackage: the addresses collection's
# columns (the main address as wardmap picks it) and the EPSG:27700 point. The UPRN stays an
# attribute (MapServer's oga_featureid must name one; a GeoPackage's fid column is not).
# GDAL types a column of an -sql result by its declared type, and SQLite declares
# properties.uprn INTEGER, which GDAL reads as a 32-bit Integer: every UPRN (12 digits) would be
# stored as 2147483647. An expression has no declared type, and GDAL then guesses from the first
# row (a NULL parent_uprn makes it a String). So both UPRN columns come from a side table that
# declares them BIGINT (GDAL's Integer64), dropped again once copied.
main_lpi="(SELECT a.id FROM addresses a WHERE a.uprn = t.uprn ORDER BY a.logical_status <> 1, a.language <> 'ENG', a.id LIMIT 1)"
sqlite3 "$work/store.sqlite" "CREATE TABLE bench_uprns (uprn BIGINT PRIMARY KEY, parent_uprn BIGINT);
  INSERT INTO bench_uprns SELECT uprn, parent_uprn FROM properties;" ||
  die "could not write the BIGINT side table"
ogr2ogr -f GPKG "$work/addresses.gpkg" "$work/store.sqlite" -nln addresses \
  -a_srs EPSG:27700 -nlt POINT -sql "SELECT u.uprn AS uprn,
    (SELECT single_line FROM addresses WHERE id = $main_lpi) AS address,
    (SELECT postcode FROM addresses WHERE id = $main_lpi) AS postcode,
    t.classification AS classification, t.logical_status AS logical_status,
    u.parent_uprn AS parent_uprn, t.geom AS geom FROM properties t
    JOIN bench_uprns u ON u.uprn = t.uprn" \
  >"$results/gpkg.log" 2>&1 || die "ogr2ogr to GeoPackage failed: $(tail -3 "$results/gpkg.log")"
sqlite3 "$work/store.sqlite" "DROP TABLE bench_uprns" || die "could not drop the side table"
gpkg_count=$(ogrinfo -ro -so "$work/addresses.gpkg" addresses 2>/dev/null |
  sed -n 's/^Feature Count: //p')
[ "$gpkg_count" = "$features" ] || die "the GeoPackage has ${gpkg_count:-?} features, not $features"
ogrinfo -ro -so "$work/addresses.gpkg" addresses 2>/dev/null | grep -q '^uprn: Integer64' ||
  die "the GeoPackage's uprn is not a 64-bit integer: $(ogrinfo -ro -so "$work/addresses.gpkg" addresses | grep uprn)"
read -r gpkg_unique gpkg_parents < <(sqlite3 -separator ' ' "$work/addresses.gpkg" \
  "SELECT count(DISTINCT uprn), count(DISTINCT parent_uprn) FROM addresses")
store_parents=$(sqlite3 "$work/store.sqlite" "SELECT count(DISTINCT parent_uprn) FROM properties")
[ "$gpkg_unique" = "$features" ] && [ "$gpkg_parents" = "$store_parents" ] ||
  die "the GeoPackage has $gpkg_unique distinct UPRNs and $gpkg_parents parents, the store $features and $store_parents"

# ---- 2. the servers -----------------------------------------------------------------------
# Two wardmaps on the same file: as deployed (pages kept in the page cache until the store
# changes) and with the page cache off, so every request runs its query and encodes its page.
wardmap_port() { # log pid: the port the server prints once it listens
  local port=
  for _ in $(seq 600); do
    port=$(sed -n 's|.*serving http://[^:]*:\([0-9]*\)/.*|\1|p' "$results/$1")
    [ -n "$port" ] && break
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || die "wardmap did not start: $(tail -3 "$results/$1")"
  echo "$port"
}
"$wardmap" serve --db "$work/store.sqlite" --host 127.0.0.1 --port 0 --no-access-log \
  >"$results/serve.log" 2>&1 &
pids+=($!)
app_port=$(wardmap_port serve.log $!)
"$wardmap" serve --db "$work/store.sqlite" --host 127.0.0.1 --port 0 --no-access-log \
  --page-cache-mb 0 >"$results/serve-uncached.log" 2>&1 &
pids+=($!)
uncached_port=$(wardmap_port serve-uncached.log $!)

# MapServer 8.0 as reference/ogcapi-features.md §4.3 runs it: a config file mapping a key to
# the mapfile, one queryable layer per collection, a pool of native FastCGI processes.
free_port
nginx_port=$free
free_port
fcgi_port=$free
ms_base="http://127.0.0.1:$nginx_port/cgi-bin/mapserv/bench/ogcapi"
cat >"$work/mapserver.conf" <<EOF
CONFIG
  ENV
    MS_MAP_NO_PATH "1"
  END
  MAPS
    "bench" "$work/bench.map"
  END
END
EOF
cat >"$work/bench.map" <<EOF
MAP
  NAME "bench"
  EXTENT $grid_extent
  PROJECTION "EPSG:27700" END
  WEB
    METADATA
      "oga_enable_request" "*"
      "oga_onlineresource" "$ms_base"
      "oga_title" "wardmap bench"
      "oga_html_template_directory" "/usr/share/mapserver/ogcapi/templates/html-plain/"
    END
  END
  LAYER
    NAME "addresses"
    TYPE POINT
    STATUS OFF
    CONNECTIONTYPE OGR
    CONNECTION "$work/addresses.gpkg"
    DATA "addresses"
    PROJECTION "EPSG:27700" END
    METADATA
      "oga_title" "Addresses"
      "gml_include_items" "all"
      "gml_types" "auto"
      "oga_featureid" "uprn"
    END
    VALIDATION "uprn" "^[0-9]+$" END
    TEMPLATE "void"
  END
END
EOF
MAPSERVER_CONFIG_FILE=$work/mapserver.conf spawn-fcgi -a 127.0.0.1 -p "$fcgi_port" \
  -F "$fcgi_workers" -P "$work/mapserv.pid" -- "$mapserv" >"$results/spawn-fcgi.log" 2>&1 ||
  die "spawn-fcgi failed: $(cat "$results/spawn-fcgi.log")"
# spawn-fcgi writes one PID a line and no newline after the last: read that one too.
while read -r pid || [ -n "$pid" ]; do
  [[ $pid =~ ^[0-9]+$ ]] && fcgi_pids+=("$pid")
done <"$work/mapserv.pid"
[ "${#fcgi_pids[@]}" = "$fcgi_workers" ] ||
  die "spawn-fcgi started ${#fcgi_pids[@]} mapserv processes, not $fcgi_workers"

# QGIS Server 3.22: a project written by PyQGIS publishing the GeoPackage layer for WFS (which
# OGC API Features, /wfs3, serves), the same number of FastCGI processes.
free_port
qgis_port=$free
qgis_base="http://127.0.0.1:$nginx_port/qgis/wfs3"
mkdir -p "$work/qgis-home"
QT_QPA_PLATFORM=offscreen HOME=$work/qgis-home XDG_RUNTIME_DIR=$work/qgis-home \
  "$qgis_python" "$root/bench/qgis_project.py" "$work/addresses.gpkg" "$work/bench.qgs" \
  >"$results/qgis-project.log" 2>&1 || die "PyQGIS could not write the project: $(tail -3 "$results/qgis-project.log")"
qgis_seen=$(sed -n 's/^features: //p' "$results/qgis-project.log")
[ "$qgis_seen" = "$features" ] || die "QGIS sees ${qgis_seen:-?} features, not $features"
QGIS_PROJECT_FILE=$work/bench.qgs QT_QPA_PLATFORM=offscreen HOME=$work/qgis-home \
  XDG_RUNTIME_DIR=$work/qgis-home QGIS_SERVER_LOG_STDERR=1 QGIS_SERVER_LOG_LEVEL=2 \
  spawn-fcgi -a 127.0.0.1 -p "$qgis_port" -F "$fcgi_workers" -P "$work/qgis.pid" -- "$qgis_fcgi" \
  >"$results/spawn-fcgi-qgis.log" 2>&1 || die "spawn-fcgi (QGIS Server) failed: $(cat "$results/spawn-fcgi-qgis.log")"
n_before=${#fcgi_pids[@]}
while read -r pid || [ -n "$pid" ]; do
  [[ $pid =~ ^[0-9]+$ ]] && fcgi_pids+=("$pid")
done <"$work/qgis.pid"
[ $((${#fcgi_pids[@]} - n_before)) = "$fcgi_workers" ] ||
  die "spawn-fcgi started $((${#fcgi_pids[@]} - n_before)) QGIS Server processes, not $fcgi_workers"

# One nginx: MapServer's FastCGI pool under /cgi-bin/mapserv, QGIS Server's under /qgis (it
# builds its links from SERVER_NAME, hence server_name), static files under /static.
mkdir -p "$work/nginx" "$work/www/static"
{
  [ "$(id -u)" = 0 ] && echo "user root;"
  cat <<EOF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $work/nginx/client_body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$nginx_port;
        server_name 127.0.0.1;
        root $work/www;
        location /static/ { types { } default_type application/geo+json; }
        location /cgi-bin/mapserv/ {
            fastcgi_split_path_info ^(/cgi-bin/mapserv)(/.*)\$;
            include /etc/nginx/fastcgi_params;
            fastcgi_param PATH_INFO \$fastcgi_path_info;
            fastcgi_param MAPSERVER_CONFIG_FILE $work/mapserver.conf;
            fastcgi_buffers 64 16k;
            fastcgi_read_timeout 600s;
            fastcgi_pass 127.0.0.1:$fcgi_port;
        }
        location /qgis/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_buffers 64 16k;
            fastcgi_read_timeout 600s;
            fastcgi_pass 127.0.0.1:$qgis_port;
        }
    }
}
EOF
} >"$work/nginx/nginx.conf"
"$nginx_bin" -t -q -p "$work/nginx/" -c "$work/nginx/nginx.conf" ||
  die "nginx -t rejects the generated configuration"
"$nginx_bin" -p "$work/nginx/" -c "$work/nginx/nginx.conf" -g 'daemon off;' \
  >"$results/nginx.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$nginx_port/static/" && break
  sleep 0.1
done

# ---- 3. the boxes: around every (N/boxes)th property, about 700 m x 670 m, in CRS84 --------
: >"$work/boxes.txt"
for ((k = 0; k < boxes; k++)); do
  sqlite3 "$work/store.sqlite" "SELECT printf('%.5f,%.5f,%.5f,%.5f', lon - 0.005, lat - 0.003,
    lon + 0.005, lat + 0.003) FROM properties ORDER BY uprn LIMIT 1
    OFFSET $((k * features / boxes + features / (2 * boxes)))" >>"$work/boxes.txt"
done
for target in wardmap uncached mapserver qgis static; do : >"$work/paths-$target.txt"; done
number() { grep -o "\"$1\":[0-9]*" "$2" | head -1 | cut -d: -f2; }
box_rows=()
i=0
while read -r b; do
  i=$((i + 1))
  ours="/ogc/collections/addresses/items?limit=100&bbox=$b"
  ms="/cgi-bin/mapserv/bench/ogcapi/collections/addresses/items?f=json&limit=100&bbox=$b"
  qgis="/qgis/wfs3/collections/addresses/items.json?limit=100&bbox=$b"
  echo "$ours" >>"$work/paths-wardmap.txt"
  echo "$ours" >>"$work/paths-uncached.txt"
  echo "$ms" >>"$work/paths-mapserver.txt"
  echo "$qgis" >>"$work/paths-qgis.txt"
  echo "/static/page-$i.json" >>"$work/paths-static.txt"
  # The static file is wardmap's response, byte for byte.
  code=$(curl -s -o "$work/www/static/page-$i.json" -w '%{http_code}' --max-time 30 \
    "http://127.0.0.1:$app_port$ours")
  [ "$code" = 200 ] || die "wardmap answers HTTP $code to $ours"
  code=$(curl -s -o "$work/mapserver-$i.json" -w '%{http_code}' --max-time 60 "http://127.0.0.1:$nginx_port$ms")
  [ "$code" = 200 ] || die "MapServer answers HTTP $code to $ms: $(head -c 400 "$work/mapserver-$i.json")"
  code=$(curl -s -o "$work/qgis-$i.json" -w '%{http_code}' --max-time 60 "http://127.0.0.1:$nginx_port$qgis")
  [ "$code" = 200 ] || die "QGIS Server answers HTTP $code to $qgis: $(head -c 400 "$work/qgis-$i.json")"
  row="$b"
  for f in "$work/www/static/page-$i.json" "$work/mapserver-$i.json" "$work/qgis-$i.json"; do
    m=$(number numberMatched "$f")
    r=$(number numberReturned "$f")
    row+="|${m:--}|${r:--}|$(stat -c %s "$f")"
  done
  box_rows+=("$row")
done <"$work/boxes.txt"
cp "$work"/paths-*.txt "$work/boxes.txt" "$results/"
cp "$work/www/static/page-1.json" "$results/sample-wardmap.json"
cp "$work/mapserver-1.json" "$results/sample-mapserver.json"
cp "$work/qgis-1.json" "$results/sample-qgis.json"
cp "$work/bench.map" "$work/mapserver.conf" "$work/bench.qgs" "$work/nginx/nginx.conf" "$results/"

# Does each server page with offset? The UPRNs of items 1-10 and 11-20 (no bbox) must differ.
declare -A pages_row
for target in wardmap mapserver qgis; do
  case $target in
    wardmap) items="http://127.0.0.1:$app_port/ogc/collections/addresses/items?limit=10" ;;
    mapserver) items="$ms_base/collections/addresses/items?f=json&limit=10" ;;
    qgis) items="$qgis_base/collections/addresses/items.json?limit=10" ;;
  esac
  first=$(curl -s --max-time 60 "$items&offset=0" | grep -o '"uprn":[0-9]*' | sort -u | tr '\n' ' ')
  second=$(curl -s --max-time 60 "$items&offset=10" | grep -o '"uprn":[0-9]*' | sort -u | tr '\n' ' ')
  if [ -z "$first" ] || [ -z "$second" ]; then
    pages_row[$target]="no UPRNs in the answers"
  elif [ "$first" = "$second" ]; then
    pages_row[$target]="NO: offset=10 returns the same 10 features as offset=0"
  else
    pages_row[$target]="yes"
  fi
done

# ---- 4. (a) and (c): wrk ------------------------------------------------------------------
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
declare -A wrk_row
for target in wardmap uncached mapserver qgis static; do
  port=$nginx_port
  [ "$target" = wardmap ] && port=$app_port
  [ "$target" = uncached ] && port=$uncached_port
  echo "bench ogcapi: bbox pages from $target, wrk -t$threads -c$connections -d${seconds}s"
  timeout $((seconds + 60)) wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
    -s "$root/bench/ogcapi_paths.lua" "http://127.0.0.1:$port" -- "$work/paths-$target.txt" \
    >"$results/wrk-$target.txt" 2>&1 || true
  wrk_row[$target]=$(parse_wrk <"$results/wrk-$target.txt")
done

# ---- 5. (b): the full export through GDAL's OAPIF driver -----------------------------------
declare -A export_row
for target in wardmap mapserver qgis; do
  case $target in
    wardmap) url="OAPIF:http://127.0.0.1:$app_port/ogc" ;;
    mapserver) url="OAPIF:$ms_base" ;;
    qgis) url="OAPIF:$qgis_base" ;;
  esac
  echo "bench ogcapi: ogr2ogr export from $target (PAGE_SIZE=$page_size)"
  rm -f "$work/export-$target.gpkg"
  status=ok
  /usr/bin/time -f '%e %M' -o "$work/export-$target.time" \
    timeout "$export_timeout" ogr2ogr -f GPKG "$work/export-$target.gpkg" "$url" addresses \
    -oo PAGE_SIZE="$page_size" -nln addresses >"$results/export-$target.log" 2>&1 ||
    status="failed or timed out after ${export_timeout} s"
  wall=$(awk 'NR == 1 { print $1 }' "$work/export-$target.time" 2>/dev/null || echo -)
  count=- unique=- clamped=-
  if [ -f "$work/export-$target.gpkg" ]; then
    count=$(sqlite3 "$work/export-$target.gpkg" "SELECT count(*) FROM addresses" 2>/dev/null || echo -)
    # Distinct UPRNs: the key every server publishes, unique in the store (and a 64-bit
    # integer in every copy, so no two UPRNs collapse into 2147483647).
    read -r unique clamped < <(sqlite3 -separator ' ' "$work/export-$target.gpkg" \
      "SELECT count(DISTINCT uprn), sum(uprn = 2147483647) FROM addresses" 2>/dev/null || echo "- -")
  fi
  export_row[$target]="$wall|$count|$unique|${clamped:-0}|$status"
done

# ---- report --------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
{
  echo "wardmap ogcapi bench $(date -u +%Y-%m-%dT%H:%M:%SZ): $features addresses ($addresses" \
    "generated, seed $seed, plus the demo borough's); $(nproc) CPUs, load average $load_start at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end"
  echo "$("$wardmap" version 2>/dev/null | head -1); $("$mapserv" -v | cut -d' ' -f1-3);" \
    "QGIS Server $(dpkg-query -W -f='${Version}' qgis-server 2>/dev/null);" \
    "$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'); $(ogr2ogr --version)"
  echo "MapServer and QGIS Server: $fcgi_workers FastCGI processes each (spawn-fcgi) behind nginx," \
    "reading a GeoPackage copy of the same rows (uprn and parent_uprn as 64-bit integers)"
  echo "wrk -t$threads -c$connections -d${seconds}s --latency -s bench/ogcapi_paths.lua" \
    "($boxes boxes cycled, limit=100)"
  echo
  printf '%-36s %21s %21s %21s\n' "" "wardmap" "MapServer" "QGIS Server"
  printf '%-36s %7s %6s %7s %7s %6s %7s %7s %6s %7s\n' box matched ret bytes matched ret bytes \
    matched ret bytes
  for row in "${box_rows[@]}"; do
    IFS='|' read -r b om or ob mm mr mb qm qr qb <<<"$row"
    printf '%-36s %7s %6s %7s %7s %6s %7s %7s %6s %7s\n' "$b" "$om" "$or" "$ob" "$mm" "$mr" \
      "$mb" "$qm" "$qr" "$qb"
  done
  echo
  printf '%-34s %12s %10s %10s %8s\n' "(a)/(c) bbox pages, limit=100" "requests/s" "p50 ms" \
    "p99 ms" errors
  for target in wardmap uncached mapserver qgis static; do
    IFS='|' read -r rps p50 p99 errors <<<"${wrk_row[$target]}"
    case $target in
      wardmap) label="wardmap" ;;
      uncached) label="wardmap, page cache off" ;;
      mapserver) label="MapServer 8.0 (FastCGI)" ;;
      qgis) label="QGIS Server 3.22 (FastCGI)" ;;
      static) label="nginx static file (same bytes)" ;;
    esac
    printf '%-34s %12s %10s %10s %8s\n' "$label" "$rps" "$p50" "$p99" "$errors"
  done
  echo
  printf '%-34s %10s %10s %10s  %s\n' "(b) ogr2ogr export, PAGE_SIZE=$page_size" "wall s" \
    features "uprns" status
  for target in wardmap mapserver qgis; do
    IFS='|' read -r wall count unique clamped status <<<"${export_row[$target]}"
    [ "${clamped:-0}" != 0 ] && [ "$clamped" != - ] && status+="; $clamped UPRNs read as 2147483647"
    printf '%-34s %10s %10s %10s  %s\n' "$target" "$wall" "$count" "$unique" "$status"
  done
  echo "  (uprns: distinct UPRNs in the export; the store has $features)"
  echo "  offset paging (items 11-20 differ from 1-10): wardmap ${pages_row[wardmap]};" \
    "MapServer ${pages_row[mapserver]}; QGIS Server ${pages_row[qgis]}"
  echo
  IFS='|' read -r ours_rps _ <<<"${wrk_row[wardmap]}"
  IFS='|' read -r uncached_rps _ <<<"${wrk_row[uncached]}"
  IFS='|' read -r ms_rps _ <<<"${wrk_row[mapserver]}"
  IFS='|' read -r qgis_rps _ <<<"${wrk_row[qgis]}"
  IFS='|' read -r static_rps _ <<<"${wrk_row[static]}"
  IFS='|' read -r ours_wall ours_count ours_unique _ <<<"${export_row[wardmap]}"
  IFS='|' read -r ms_wall ms_count ms_unique _ <<<"${export_row[mapserver]}"
  IFS='|' read -r qgis_wall qgis_count qgis_unique _ <<<"${export_row[qgis]}"
  printf '%-44s %8s %8s  %s\n' ratio value goal met
  met() { awk -v v="$1" -v g="$2" -v d="$3" 'BEGIN { if (v == "-") print "?"; else if ((d == ">=" && v >= g) || (d == "<=" && v <= g)) print "yes"; else print "NO" }'; }
  complete() { [ "$1" = "$features" ] && [ "$2" = "$features" ]; }
  r=$(ratio "$ours_rps" "$qgis_rps")
  printf '%-44s %8s %8s  %s\n' "bbox req/s: wardmap / QGIS Server" "$r" ">= 10" "$(met "$r" 10 '>=')"
  r=$(ratio "$uncached_rps" "$qgis_rps")
  printf '%-44s %8s %8s  %s\n' "  the same, page cache off" "$r" ">= 10" "$(met "$r" 10 '>=')"
  r=$(ratio "$ours_rps" "$ms_rps")
  printf '%-44s %8s %8s  %s\n' "bbox req/s: wardmap / MapServer" "$r" ">= 10" "$(met "$r" 10 '>=')"
  r=$(ratio "$uncached_rps" "$ms_rps")
  printf '%-44s %8s %8s  %s\n' "  the same, page cache off" "$r" ">= 10" "$(met "$r" 10 '>=')"
  # The export ratio only means something between two complete exports.
  for peer in qgis mapserver; do
    if [ "$peer" = qgis ]; then
      name="QGIS Server" wall=$qgis_wall count=$qgis_count unique=$qgis_unique
    else
      name="MapServer" wall=$ms_wall count=$ms_count unique=$ms_unique
    fi
    r=$(ratio "$wall" "$ours_wall")
    if complete "$ours_count" "$ours_unique" && complete "$count" "$unique"; then
      printf '%-44s %8s %8s  %s\n' "export wall: $name / wardmap" "$r" ">= 5" "$(met "$r" 5 '>=')"
    else
      printf '%-44s %8s %8s  %s\n' "export wall: $name / wardmap" "$r" ">= 5" "not comparable"
      echo "  ($name's export holds $count features, $unique distinct UPRNs, of $features;" \
        "wardmap's $ours_count and $ours_unique)"
    fi
  done
  r=$(ratio "$static_rps" "$ours_rps")
  printf '%-44s %8s %8s  %s\n' "req/s: nginx static / wardmap (same bytes)" "$r" "<= 4" "$(met "$r" 4 '<=')"
  r=$(ratio "$static_rps" "$uncached_rps")
  printf '%-44s %8s %8s  %s\n' "  the same, page cache off" "$r" "<= 4" "$(met "$r" 4 '<=')"
} | tee "$results/table.txt"
echo
echo "bench ogcapi: logs, configs, paths and raw wrk output in $results"
