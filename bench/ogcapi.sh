#!/usr/bin/env bash
# OGC API - Features side by side, in one run on one machine, over the same data: wardmap's
# /ogc, MapServer 8.0 (Debian cgi-mapserver, FastCGI via spawn-fcgi behind nginx) and nginx
# serving wardmap's own response bytes from files (the ceiling for the HTTP path).
#   (a) limit=100 bbox pages on a 100,000-point layer (addresses), several boxes cycled by
#       bench/ogcapi_paths.lua, the same wrk settings for every server;
#   (b) a full export of that layer through GDAL's OAPIF driver (ogr2ogr), wall time, feature
#       count and unique ids;
#   (c) wardmap against nginx's static files of the same bytes.
# Everything runs on 127.0.0.1 from a temporary directory removed at the end.
# See bench/README.md.
#
#   bench/ogcapi.sh                                100,000 addresses, 10 s per wrk run
#   OGC_SECONDS=5 OGC_ADDRESSES=20000 bench/ogcapi.sh
#
# Settings (environment): OGC_ADDRESSES (100000), OGC_SEED (2320), OGC_SECONDS (10),
# OGC_THREADS (2), OGC_CONNECTIONS (16), OGC_BOXES (8), OGC_PAGE_SIZE (1000, ogr2ogr's
# PAGE_SIZE), OGC_EXPORT_TIMEOUT (600 s per export), OGC_FCGI_WORKERS (2, MapServer
# processes), BENCH_BUILD_DIR (build/), BENCH_RESULTS (bench/results/<time>/ogcapi/).
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
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || die "nginx is not installed (scripts/setup installs it)"
if [ ! -x "$wardmap" ] || [ ! -x "$gen" ]; then
  echo "bench ogcapi: building wardmap and wardmap_bench_gen_llpg into $build"
  [ -f "$build/CMakeCache.txt" ] || "$root/scripts/build" "$build"
  cmake --build "$build" -j2 --target wardmap wardmap_bench_gen_llpg >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-ogcapi.XXXXXX")
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

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free loopback port"
}

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

# MapServer reads the same rows from a GeoPackage: the addresses collection's columns (the main
# address as wardmap picks it) and the EPSG:27700 point. The UPRN stays an attribute (MapServer's
# oga_featureid must name one; a GeoPackage's fid column is not).
main_lpi="(SELECT a.id FROM addresses a WHERE a.uprn = t.uprn ORDER BY a.logical_status <> 1, a.language <> 'ENG', a.id LIMIT 1)"
ogr2ogr -f GPKG "$work/addresses.gpkg" "$work/store.sqlite" -nln addresses \
  -a_srs EPSG:27700 -nlt POINT -sql "SELECT t.uprn AS uprn,
    (SELECT single_line FROM addresses WHERE id = $main_lpi) AS address,
    (SELECT postcode FROM addresses WHERE id = $main_lpi) AS postcode,
    t.classification AS classification, t.logical_status AS logical_status,
    t.parent_uprn AS parent_uprn, t.geom AS geom FROM properties t" \
  >"$results/gpkg.log" 2>&1 || die "ogr2ogr to GeoPackage failed: $(tail -3 "$results/gpkg.log")"
gpkg_count=$(ogrinfo -ro -so "$work/addresses.gpkg" addresses 2>/dev/null |
  sed -n 's/^Feature Count: //p')
[ "$gpkg_count" = "$features" ] || die "the GeoPackage has ${gpkg_count:-?} features, not $features"

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
nginx_port=$(free_port)
fcgi_port=$(free_port)
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
while read -r pid; do [ -n "$pid" ] && pids+=("$pid"); done <"$work/mapserv.pid"

# One nginx: MapServer's FastCGI pool under /cgi-bin/mapserv, static files under /static.
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
: >"$work/paths-wardmap.txt"
: >"$work/paths-uncached.txt"
: >"$work/paths-mapserver.txt"
: >"$work/paths-static.txt"
box_rows=()
i=0
while read -r b; do
  i=$((i + 1))
  ours="/ogc/collections/addresses/items?limit=100&bbox=$b"
  theirs="/cgi-bin/mapserv/bench/ogcapi/collections/addresses/items?f=json&limit=100&bbox=$b"
  echo "$ours" >>"$work/paths-wardmap.txt"
  echo "$ours" >>"$work/paths-uncached.txt"
  echo "$theirs" >>"$work/paths-mapserver.txt"
  echo "/static/page-$i.json" >>"$work/paths-static.txt"
  # The static file is wardmap's response, byte for byte.
  code=$(curl -s -o "$work/www/static/page-$i.json" -w '%{http_code}' --max-time 30 \
    "http://127.0.0.1:$app_port$ours")
  [ "$code" = 200 ] || die "wardmap answers HTTP $code to $ours"
  code=$(curl -s -o "$work/mapserver-$i.json" -w '%{http_code}' --max-time 60 "$ms_base${theirs#*/ogcapi}")
  [ "$code" = 200 ] || die "MapServer answers HTTP $code to $theirs: $(head -c 400 "$work/mapserver-$i.json")"
  ours_m=$(grep -o '"numberMatched":[0-9]*' "$work/www/static/page-$i.json" | cut -d: -f2)
  ours_r=$(grep -o '"numberReturned":[0-9]*' "$work/www/static/page-$i.json" | cut -d: -f2)
  theirs_m=$(grep -o '"numberMatched":[0-9]*' "$work/mapserver-$i.json" | cut -d: -f2)
  theirs_r=$(grep -o '"numberReturned":[0-9]*' "$work/mapserver-$i.json" | cut -d: -f2)
  box_rows+=("$b|${ours_m:--}|${ours_r:--}|$(stat -c %s "$work/www/static/page-$i.json")|${theirs_m:--}|${theirs_r:--}|$(stat -c %s "$work/mapserver-$i.json")")
done <"$work/boxes.txt"
cp "$work"/paths-*.txt "$work/boxes.txt" "$results/"
cp "$work/www/static/page-1.json" "$results/sample-wardmap.json"
cp "$work/mapserver-1.json" "$results/sample-mapserver.json"
cp "$work/bench.map" "$work/mapserver.conf" "$work/nginx/nginx.conf" "$results/"

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
for target in wardmap uncached mapserver static; do
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
for target in wardmap mapserver; do
  if [ "$target" = wardmap ]; then
    url="OAPIF:http://127.0.0.1:$app_port/ogc"
  else
    url="OAPIF:$ms_base"
  fi
  echo "bench ogcapi: ogr2ogr export from $target (PAGE_SIZE=$page_size)"
  rm -f "$work/export-$target.gpkg"
  status=ok
  /usr/bin/time -f '%e %M' -o "$work/export-$target.time" \
    timeout "$export_timeout" ogr2ogr -f GPKG "$work/export-$target.gpkg" "$url" addresses \
    -oo PAGE_SIZE="$page_size" -nln addresses >"$results/export-$target.log" 2>&1 ||
    status="failed or timed out after ${export_timeout} s"
  wall=$(awk 'NR == 1 { print $1 }' "$work/export-$target.time" 2>/dev/null || echo -)
  count=- unique=-
  if [ -f "$work/export-$target.gpkg" ]; then
    count=$(sqlite3 "$work/export-$target.gpkg" "SELECT count(*) FROM addresses" 2>/dev/null || echo -)
    # Distinct UPRNs: a property both servers publish (MapServer's string feature ids do not
    # reach GDAL's 'id' field the way wardmap's integer ids do).
    idcol=$(sqlite3 "$work/export-$target.gpkg" "SELECT name FROM pragma_table_info('addresses')
      WHERE name IN ('id', 'uprn') ORDER BY name = 'uprn' DESC LIMIT 1" 2>/dev/null || true)
    [ -n "$idcol" ] && unique=$(sqlite3 "$work/export-$target.gpkg" \
      "SELECT count(DISTINCT \"$idcol\") FROM addresses" 2>/dev/null || echo -)
  fi
  export_row[$target]="$wall|$count|$unique|$status"
done

# ---- report --------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
{
  echo "wardmap ogcapi bench $(date -u +%Y-%m-%dT%H:%M:%SZ): $features addresses ($addresses" \
    "generated, seed $seed, plus the demo borough's); $(nproc) CPUs"
  echo "$("$wardmap" version 2>/dev/null | head -1); $("$mapserv" -v | cut -d' ' -f1-3);" \
    "$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'); $(ogr2ogr --version)"
  echo "MapServer: $fcgi_workers FastCGI processes (spawn-fcgi) behind nginx, reading a GeoPackage copy of the same rows"
  echo "wrk -t$threads -c$connections -d${seconds}s --latency -s bench/ogcapi_paths.lua" \
    "($boxes boxes cycled, limit=100)"
  echo
  printf '%-36s %10s %10s %10s %12s %10s %10s\n' box "ours matched" returned bytes \
    "MapServer matched" returned bytes
  for row in "${box_rows[@]}"; do
    IFS='|' read -r b om or ob tm tr tb <<<"$row"
    printf '%-36s %10s %10s %10s %12s %10s %10s\n' "$b" "$om" "$or" "$ob" "$tm" "$tr" "$tb"
  done
  echo
  printf '%-34s %12s %10s %10s %8s\n' "(a)/(c) bbox pages, limit=100" "requests/s" "p50 ms" \
    "p99 ms" errors
  for target in wardmap uncached mapserver static; do
    IFS='|' read -r rps p50 p99 errors <<<"${wrk_row[$target]}"
    label=$target
    [ "$target" = wardmap ] && label="wardmap"
    [ "$target" = uncached ] && label="wardmap, page cache off"
    [ "$target" = static ] && label="nginx static file (same bytes)"
    [ "$target" = mapserver ] && label="MapServer 8.0 (FastCGI)"
    printf '%-34s %12s %10s %10s %8s\n' "$label" "$rps" "$p50" "$p99" "$errors"
  done
  echo
  printf '%-34s %10s %10s %10s  %s\n' "(b) ogr2ogr export, PAGE_SIZE=$page_size" "wall s" \
    features unique status
  for target in wardmap mapserver; do
    IFS='|' read -r wall count unique status <<<"${export_row[$target]}"
    printf '%-34s %10s %10s %10s  %s\n' "$target" "$wall" "$count" "$unique" "$status"
  done
  echo
  IFS='|' read -r ours_rps _ <<<"${wrk_row[wardmap]}"
  IFS='|' read -r uncached_rps _ <<<"${wrk_row[uncached]}"
  IFS='|' read -r ms_rps _ <<<"${wrk_row[mapserver]}"
  IFS='|' read -r static_rps _ <<<"${wrk_row[static]}"
  IFS='|' read -r ours_wall _ <<<"${export_row[wardmap]}"
  IFS='|' read -r ms_wall ms_count ms_unique _ <<<"${export_row[mapserver]}"
  printf '%-44s %8s %8s  %s\n' ratio value goal met
  met() { awk -v v="$1" -v g="$2" -v d="$3" 'BEGIN { if (v == "-") print "?"; else if ((d == ">=" && v >= g) || (d == "<=" && v <= g)) print "yes"; else print "NO" }'; }
  r=$(ratio "$ours_rps" "$ms_rps")
  printf '%-44s %8s %8s  %s\n' "bbox req/s: wardmap / MapServer" "$r" ">= 10" "$(met "$r" 10 '>=')"
  r=$(ratio "$uncached_rps" "$ms_rps")
  printf '%-44s %8s %8s  %s\n' "  the same, page cache off" "$r" ">= 10" "$(met "$r" 10 '>=')"
  r=$(ratio "$ms_wall" "$ours_wall")
  printf '%-44s %8s %8s  %s\n' "export wall: MapServer / wardmap" "$r" ">= 5" "$(met "$r" 5 '>=')"
  if [ "$ms_count" != "$features" ] || [ "$ms_unique" != "$features" ]; then
    echo "  (MapServer's export holds $ms_count features, $ms_unique unique, of $features: MapServer 8.0.0 ignores offset on OGR layers, #6613)"
  fi
  r=$(ratio "$static_rps" "$ours_rps")
  printf '%-44s %8s %8s  %s\n' "req/s: nginx static / wardmap (same bytes)" "$r" "<= 4" "$(met "$r" 4 '<=')"
  r=$(ratio "$static_rps" "$uncached_rps")
  printf '%-44s %8s %8s  %s\n' "  the same, page cache off" "$r" "<= 4" "$(met "$r" 4 '<=')"
} | tee "$results/table.txt"
echo
echo "bench ogcapi: logs, configs, paths and raw wrk output in $results"
