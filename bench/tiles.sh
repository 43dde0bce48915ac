#!/usr/bin/env bash
# Vector tiles side by side, in one run on one machine, over the same rows: wardmap's OGC API -
# Tiles (/ogc/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}) against PostGIS's ST_AsMVT
# (the engine behind martin and pg_tileserv) on a PostgreSQL 15 cluster this script starts on
# loopback in a temporary directory.
#   - data: the demo borough plus N generated addresses (bench/llpg_synth), in a wardmap store
#     and copied into PostGIS (the same points, the same streets, the same attributes);
#   - the same tiles at zooms 12-16 (TILES_PER_ZOOM per zoom, around addresses, seeded), of the
#     addresses and streets collections, asked of each server at the same concurrency:
#     wrk against wardmap with its page cache off, pgbench calling one SQL function per tile;
#   - every tile wardmap served for the set decoded by GDAL's MVT driver (ogrinfo), its feature
#     count checked against the store's count for the tile's box, and beside PostGIS's tile.
# See bench/README.md ("Vector tiles against PostGIS").
#
#   bench/tiles.sh                                   1,000,000 addresses, 20 s per run
#   TILES_ADDRESSES=100000 TILES_SECONDS=5 bench/tiles.sh
#
# Settings (environment): TILES_ADDRESSES (1000000), TILES_SEED (2320), TILES_SECONDS (20),
# TILES_THREADS (2), TILES_CONNECTIONS (4), TILES_WORKERS (wardmap's --workers, as many as
# connections), TILES_PER_ZOOM (100), BENCH_BUILD_DIR (build/), BENCH_RESULTS
# (bench/results/<time>/tiles/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
addresses=${TILES_ADDRESSES:-1000000}
seed=${TILES_SEED:-2320}
seconds=${TILES_SECONDS:-20}
threads=${TILES_THREADS:-2}
connections=${TILES_CONNECTIONS:-4}
per_zoom=${TILES_PER_ZOOM:-100}
# One request worker per connection, as PostgreSQL has one backend per pgbench client: on a
# shared machine the scheduler gives each runnable thread its share, so 2 workers against 4
# backends would hand PostGIS twice wardmap's CPU.
workers=${TILES_WORKERS:-$connections}
zooms="12 13 14 15 16"
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/tiles}
wardmap=$build/server/cli/wardmap
gen=$build/bench/wardmap_bench_gen_llpg
pgbin=/usr/lib/postgresql/15/bin
grid_extent="340000 400000 380000 440000" # bench/llpg_synth.hpp's, which holds the demo too
# wardmap's tiles (geo/vector_tile.hpp, server/services/features/tile_service.hpp): a 4096-unit
# grid, 64 units of buffer, address points clustered in 128-unit cells below zoom 16
# (Layer::tile_cluster_below of the addresses; the PostGIS functions below write the same
# numbers).
extent=4096
buffer=64
cluster_below=16

die() { echo "bench tiles: $*" >&2; exit 1; }
for v in addresses seconds threads connections per_zoom workers; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, not '${!v}'"
done
for tool in ogrinfo sqlite3 wrk curl xxd; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup installs it)"
done
for tool in initdb pg_ctl pgbench psql; do
  [ -x "$pgbin/$tool" ] || die "$pgbin/$tool is missing (scripts/setup --bench installs postgresql-15)"
done
[ -f /usr/share/postgresql/15/extension/postgis.control ] ||
  die "PostGIS is missing (scripts/setup --bench installs postgresql-15-postgis-3)"
if [ ! -x "$wardmap" ] || [ ! -x "$gen" ]; then
  echo "bench tiles: building wardmap and wardmap_bench_gen_llpg into $build"
  [ -f "$build/CMakeCache.txt" ] || "$root/scripts/build" "$build"
  cmake --build "$build" -j2 --target wardmap wardmap_bench_gen_llpg >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-tiles.XXXXXX")
# PostgreSQL refuses to run as root: as root the cluster runs as the postgres user, in a
# directory of its own.
pg_user=()
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/wardmap-bench-tiles-pg.XXXXXX")
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs the postgres user (postgresql-common)"
  chown postgres: "$pgdir"
  pg_user=(runuser -u postgres --)
fi
pids=()
pg_started=0
cleanup() {
  local pid
  if [ "$pg_started" = 1 ]; then
    "${pg_user[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    # If it did not stop, the postmaster named in its pid file (and only that one).
    if [ -f "$pgdir/data/postmaster.pid" ]; then
      pid=$(head -1 "$pgdir/data/postmaster.pid")
      [[ $pid =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work" "$pgdir"
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

# ---- 1. the store: the demo borough plus a synthetic LLPG of N addresses --------------------
echo "bench tiles: demo borough + $addresses generated addresses (seed $seed)"
"$wardmap" demo-data --db "$work/store.sqlite" >"$results/demo-data.log" 2>&1 ||
  die "demo-data failed: $(cat "$results/demo-data.log")"
"$gen" --addresses "$addresses" --seed "$seed" --dtf "$work/llpg.csv" \
  --points "$work/points.csv" --queries-out "$work/queries.txt" >"$results/generate.log" 2>&1 ||
  die "the generator failed: $(cat "$results/generate.log")"
# As bench/ogcapi.sh: the generator's towns spread beyond the demo's council area, so the area
# is set aside while importing with --bbox the generator's square.
sqlite3 "$work/store.sqlite" "CREATE TABLE bench_council AS SELECT * FROM council_area;
  DELETE FROM council_area;" || die "could not set the council area aside"
"$wardmap" import llpg "$work/llpg.csv" --db "$work/store.sqlite" --quiet \
  --bbox "${grid_extent// /,}" >"$results/import.log" 2>&1 ||
  die "wardmap import llpg failed: $(tail -3 "$results/import.log")"
sqlite3 "$work/store.sqlite" ".load mod_spatialite" "INSERT INTO council_area SELECT * FROM
  bench_council; DROP TABLE bench_council;" >/dev/null || die "could not restore the council area"
features=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM properties")
streets=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM streets WHERE geom_wgs84 IS NOT NULL")
[ "$features" -ge "$addresses" ] || die "the store has $features properties, not $addresses"

# ---- 2. PostGIS: the same rows ---------------------------------------------------------------
free_port
pg_port=$free
echo "bench tiles: PostgreSQL 15 + PostGIS on 127.0.0.1:$pg_port"
"${pg_user[@]}" "$pgbin/initdb" -D "$pgdir/data" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$results/initdb.log" 2>&1 || die "initdb failed: $(tail -3 "$results/initdb.log")"
# Reads only are measured; fsync off only speeds the load. jit off: JIT compiles each tile's
# query afresh and costs more than these queries run for (martin's documentation says the same).
"${pg_user[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/postgresql.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pgdir -c shared_buffers=512MB -c jit=off -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB" \
  start >"$results/pg_ctl.log" 2>&1 || die "PostgreSQL did not start: $(tail -5 "$pgdir/postgresql.log")"
pg_started=1
psql_bench() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U bench -d postgres "$@"; }
psql_bench -c "CREATE EXTENSION postgis" || die "CREATE EXTENSION postgis failed"
psql_bench -c "CREATE UNLOGGED TABLE addresses_in (uprn bigint, address text, postcode text,
    house text, classification text, logical_status integer, parent_uprn bigint, lon float8,
    lat float8);
  CREATE UNLOGGED TABLE streets_in (usrn bigint, descriptor text, locality text, town text,
    street_type integer, state integer, wkb text);"
# The addresses collection's columns as wardmap serves them (its main-address lookup,
# server/services/gazetteer/gazetteer_layers.cpp) and the WGS84 copy wardmap's tiles are made
# from; PostGIS gets them denormalised, its best case.
main_lpi="(SELECT a.id FROM addresses a WHERE a.uprn = t.uprn ORDER BY a.logical_status <> 1, a.language <> 'ENG', a.id LIMIT 1)"
sqlite3 -csv "$work/store.sqlite" ".load mod_spatialite" "SELECT t.uprn, m.single_line,
    m.postcode, m.paon, t.classification, t.logical_status, t.parent_uprn, X(t.geom_wgs84),
    Y(t.geom_wgs84) FROM properties t LEFT JOIN addresses m ON m.id = $main_lpi" |
  psql_bench -c "COPY addresses_in FROM STDIN WITH (FORMAT csv)" || die "copying addresses failed"
sqlite3 -csv "$work/store.sqlite" ".load mod_spatialite" "SELECT usrn, descriptor, locality, town,
    street_type, state, hex(AsBinary(geom_wgs84)) FROM streets WHERE geom_wgs84 IS NOT NULL" |
  psql_bench -c "COPY streets_in FROM STDIN WITH (FORMAT csv)" || die "copying streets failed"
# EPSG:3857 stored (no transform per tile), a GiST index, the table clustered on it.
psql_bench >"$results/postgis-load.log" 2>&1 <<'EOF' || die "PostGIS load failed: $(tail -3 "$results/postgis-load.log")"
CREATE TABLE addresses AS SELECT uprn, address, postcode, house, classification, logical_status,
  parent_uprn, ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 3857)::geometry(Point, 3857)
  AS geom FROM addresses_in;
CREATE TABLE streets AS SELECT usrn, descriptor, locality, town, street_type, state,
  ST_Transform(ST_GeomFromWKB(decode(wkb, 'hex'), 4326), 3857) AS geom FROM streets_in;
DROP TABLE addresses_in, streets_in;
CREATE INDEX addresses_geom ON addresses USING gist (geom);
CREATE INDEX streets_geom ON streets USING gist (geom);
CLUSTER addresses USING addresses_geom;
CLUSTER streets USING streets_geom;
VACUUM ANALYZE addresses;
VACUUM ANALYZE streets;

-- One function per tile, as martin's and pg_tileserv's function sources: the rows whose box
-- meets the buffered tile, ST_AsMVTGeom (clip, snap to the 4096 grid), ST_AsMVT. Points below
-- zoom 16 (cluster_below above) are clustered as wardmap's are: 128-unit cells of the tile
-- proper, each one point at its members' mean position with a count.
CREATE FUNCTION tile_addresses(z integer, x integer, y integer) RETURNS bytea
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
DECLARE
  env geometry := ST_TileEnvelope(z, x, y);
  mvt bytea;
BEGIN
  IF z < 16 THEN
    SELECT ST_AsMVT(c, 'addresses', 4096, 'geom', 'id') INTO mvt FROM (
      SELECT min(p.uprn) AS id, count(*) AS count,
             ST_Point(round(avg(p.px)), round(avg(p.py))) AS geom
      FROM (SELECT a.uprn,
                   (ST_X(a.geom) - ST_XMin(env)) * 4096 / (ST_XMax(env) - ST_XMin(env)) AS px,
                   (ST_YMax(env) - ST_Y(a.geom)) * 4096 / (ST_YMax(env) - ST_YMin(env)) AS py
            FROM addresses a WHERE a.geom && env) p
      WHERE p.px >= 0 AND p.px < 4096 AND p.py >= 0 AND p.py < 4096
      GROUP BY floor(p.px / 128), floor(p.py / 128)) c;
  ELSE
    SELECT ST_AsMVT(q, 'addresses', 4096, 'geom', 'id') INTO mvt FROM (
      SELECT a.uprn AS id, a.uprn, a.address, a.postcode, a.house, a.classification,
             a.logical_status, a.parent_uprn, ST_AsMVTGeom(a.geom, env, 4096, 64, true) AS geom
      FROM addresses a WHERE a.geom && ST_TileEnvelope(z, x, y, margin => 64.0 / 4096)) q;
  END IF;
  RETURN coalesce(mvt, ''::bytea);
END $$;

CREATE FUNCTION tile_streets(z integer, x integer, y integer) RETURNS bytea
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
DECLARE
  env geometry := ST_TileEnvelope(z, x, y);
  mvt bytea;
BEGIN
  SELECT ST_AsMVT(q, 'streets', 4096, 'geom', 'id') INTO mvt FROM (
    SELECT s.usrn AS id, s.usrn, s.descriptor, s.locality, s.town, s.street_type, s.state,
           ST_AsMVTGeom(s.geom, env, 4096, 64, true) AS geom
    FROM streets s WHERE s.geom && ST_TileEnvelope(z, x, y, margin => 64.0 / 4096)) q
  WHERE q.geom IS NOT NULL;
  RETURN coalesce(mvt, ''::bytea);
END $$;
EOF
read -r pg_addresses pg_streets < <(psql_bench -At -F' ' -c \
  "SELECT (SELECT count(*) FROM addresses), (SELECT count(*) FROM streets)")
[ "$pg_addresses" = "$features" ] || die "PostGIS has $pg_addresses addresses, the store $features"
[ "$pg_streets" = "$streets" ] || die "PostGIS has $pg_streets streets, the store $streets"

# ---- 3. the tile set: at each zoom, the tiles of addresses picked evenly through the table ---
# (so tiles are drawn where people live, as a map's users ask for them), shuffled with the seed.
sqlite3 -separator ' ' "$work/store.sqlite" ".load mod_spatialite" "SELECT X(geom_wgs84),
  Y(geom_wgs84) FROM properties WHERE rowid % 97 = 0" >"$work/sample-points.txt"
awk -v zooms="$zooms" -v per_zoom="$per_zoom" -v seed="$seed" '
  BEGIN { pi = atan2(0, -1); nz = split(zooms, zs, " "); srand(seed) }
  {
    lon = $1; lat = $2 * pi / 180
    for (k = 1; k <= nz; k++) {
      z = zs[k]; n = 2 ^ z
      x = int((lon + 180) / 360 * n)
      y = int((1 - log(sin(lat) / cos(lat) + 1 / cos(lat)) / pi) / 2 * n)
      key = z " " x " " y
      if (!(key in seen)) { seen[key] = 1; tiles[z] = tiles[z] key "\n" }
    }
  }
  END {
    for (k = 1; k <= nz; k++) {
      z = zs[k]; m = split(tiles[z], list, "\n") - 1
      for (i = m; i > 1; i--) { j = int(rand() * i) + 1; t = list[i]; list[i] = list[j]; list[j] = t }
      for (i = 1; i <= m && i <= per_zoom; i++) print list[i]
    }
  }' "$work/sample-points.txt" >"$work/tiles.txt"
# One request per (collection, tile), shuffled: wrk cycles through the list, pgbench draws from
# it uniformly; both see the same mix.
awk '{ print "addresses", $0; print "streets", $0 }' "$work/tiles.txt" |
  awk -v seed="$seed" 'BEGIN { srand(seed + 1) } { l[NR] = $0 }
    END { for (i = NR; i > 1; i--) { j = int(rand() * i) + 1; t = l[i]; l[i] = l[j]; l[j] = t }
          for (i = 1; i <= NR; i++) print l[i] }' >"$work/requests.txt"
requests=$(wc -l <"$work/requests.txt")
awk '{ printf "/ogc/collections/%s/tiles/WebMercatorQuad/%s/%s/%s\n", $1, $2, $4, $3 }' \
  "$work/requests.txt" >"$work/paths-wardmap.txt"
awk '$1 == "addresses" { printf "/ogc/tiles/WebMercatorQuad/%s/%s/%s\n", $2, $4, $3 }' \
  "$work/requests.txt" >"$work/paths-basemap.txt"
awk '{ printf "%d\t%s\t%s\t%s\t%s\n", NR, $1, $2, $3, $4 }' "$work/requests.txt" |
  psql_bench -c "CREATE TABLE bench_tiles (i integer PRIMARY KEY, kind text, z integer,
    x integer, y integer); COPY bench_tiles FROM STDIN" || die "could not load the tile list"
cat >"$work/pgbench.sql" <<EOF
\set i random(1, $requests)
SELECT CASE t.kind WHEN 'addresses' THEN tile_addresses(t.z, t.x, t.y) ELSE tile_streets(t.z, t.x, t.y) END FROM bench_tiles t WHERE t.i = :i;
EOF
cp "$work/tiles.txt" "$work/requests.txt" "$work/paths-wardmap.txt" "$work/pgbench.sql" "$results/"

# ---- 4. wardmap: as deployed and with the page cache off ------------------------------------
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
  --workers "$workers" --page-cache-mb 0 >"$results/serve-uncached.log" 2>&1 &
pids+=($!)
uncached_port=$(wardmap_port serve-uncached.log $!)
"$wardmap" serve --db "$work/store.sqlite" --host 127.0.0.1 --port 0 --no-access-log \
  --workers "$workers" >"$results/serve.log" 2>&1 &
pids+=($!)
cached_port=$(wardmap_port serve.log $!)

# ---- 5. every tile of the set, from both: GDAL's MVT driver, counts against the store --------
echo "bench tiles: fetching and decoding the $requests tiles of the set from both servers"
mkdir -p "$work/wardmap" "$work/postgis"
while read -r kind z x y; do
  mkdir -p "$work/wardmap/$kind/$z/$x" "$work/postgis/$kind/$z/$x"
  # Time from connected to the first byte: the server's time for this one tile (and loopback).
  code=$(curl -s -o "$work/wardmap/$kind/$z/$x/$y.pbf" \
    -w '%{http_code} %{time_connect} %{time_starttransfer}' \
    --max-time 60 "http://127.0.0.1:$uncached_port/ogc/collections/$kind/tiles/WebMercatorQuad/$z/$y/$x")
  [ "${code%% *}" = 200 ] || die "wardmap answers HTTP $code to $kind $z/$y/$x"
  read -r _ pre start <<<"$code"
  echo "$kind $z $x $y $(awk -v a="$pre" -v b="$start" 'BEGIN { printf "%.3f", (b - a) * 1000 }')" \
    >>"$work/fetch-ms-wardmap.txt"
done <"$work/requests.txt"
# PostGIS's tiles, each timed inside the server (clock_timestamp around the call).
psql_bench -c "CREATE FUNCTION bench_timed(kind text, z integer, x integer, y integer,
    OUT ms float8, OUT tile bytea) LANGUAGE plpgsql AS \$\$
  DECLARE t0 timestamptz := clock_timestamp();
  BEGIN
    tile := CASE kind WHEN 'addresses' THEN tile_addresses(z, x, y) ELSE tile_streets(z, x, y) END;
    ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
  END \$\$" || die "could not create bench_timed"
psql_bench -At -F' ' -c "SELECT kind, z, x, y, round(t.ms::numeric, 3), encode(t.tile, 'hex')
    FROM bench_tiles, bench_timed(kind, z, x, y) t ORDER BY i" |
  while read -r kind z x y ms hex; do
    printf '%s' "$hex" | xxd -r -p >"$work/postgis/$kind/$z/$x/$y.pbf"
    echo "$kind $z $x $y $ms" >>"$work/fetch-ms-postgis.txt"
  done

# The store's count for each tile's box, the way wardmap's tile selects its rows: addresses
# whose WGS84 point lies in the buffered tile (from zoom $cluster_below), or in the tile proper
# (the clusters' counts below it); streets whose WGS84 line meets the buffered tile. The R*Tree on
# the EPSG:27700 point narrows the addresses (a 200 m margin covers PROJ's default transform).
awk -v extent=$extent -v buffer=$buffer -v cb=$cluster_below '
  function lon(x, n) { return x / n * 360 - 180 }
  function lat(y, n,   m) { m = atan2(0, -1) * (1 - 2 * y / n); return atan2(exp(m) - exp(-m), 2) * 180 / atan2(0, -1) }
  {
    kind = $1; z = $2; x = $3; y = $4; n = 2 ^ z
    b = (kind == "addresses" && z < cb) ? 0 : buffer / extent
    x0 = lon(x - b, n); x1 = lon(x + 1 + b, n); y0 = lat(y + 1 + b, n); y1 = lat(y - b, n)
    if (kind == "addresses") {
      printf "SELECT %s, count(*) FROM properties t, (SELECT ST_Transform(BuildMbr(%.12f, %.12f, %.12f, %.12f, 4326), 27700) AS g) e WHERE t.rowid IN (SELECT pkid FROM idx_properties_geom WHERE xmax >= MbrMinX(e.g) - 200 AND xmin <= MbrMaxX(e.g) + 200 AND ymax >= MbrMinY(e.g) - 200 AND ymin <= MbrMaxY(e.g) + 200) AND X(t.geom_wgs84) BETWEEN %.12f AND %.12f AND Y(t.geom_wgs84) BETWEEN %.12f AND %.12f;\n", \
        "'\''" kind " " z " " x " " y "'\''", x0, y0, x1, y1, x0, x1, y0, y1
    } else {
      printf "SELECT %s, count(*) FROM streets t WHERE t.rowid IN (SELECT pkid FROM idx_streets_geom_wgs84 WHERE xmax >= %.12f AND xmin <= %.12f AND ymax >= %.12f AND ymin <= %.12f) AND ST_Intersects(t.geom_wgs84, BuildMbr(%.12f, %.12f, %.12f, %.12f, 4326)) = 1;\n", \
        "'\''" kind " " z " " x " " y "'\''", x0, x1, y0, y1, x0, y0, x1, y1
    }
  }' "$work/requests.txt" >"$work/store-counts.sql"
sqlite3 -separator '|' "$work/store.sqlite" ".load mod_spatialite" ".read $work/store-counts.sql" \
  >"$work/store-counts.txt" || die "the store's counts failed"

# A tile's features as GDAL's MVT driver reads them (z/x/y from the file's path): the layer's
# feature count, and for clustered tiles the sum of the clusters' counts. "-" when GDAL
# cannot open it; an empty file is a tile with nothing in it (0).
mvt_count() { # file kind z
  local out n
  [ -s "$1" ] || { echo 0; return; }
  if [ "$2" = addresses ] && [ "$3" -lt $cluster_below ]; then
    out=$(ogrinfo -ro -q -sql 'SELECT SUM("count") AS n FROM addresses' "MVT:$1" 2>&1) || { echo -; return; }
    n=$(sed -n 's/^ *n (\(Integer\|Integer64\|Real\)) = \([0-9.]*\).*/\2/p' <<<"$out")
    printf '%s\n' "${n%.*}"
  else
    out=$(ogrinfo -ro -so -al "MVT:$1" 2>&1) || { echo -; return; }
    n=$(awk -v layer="$2" '/^Layer name:/ { on = ($3 == layer) } on && /^Feature Count:/ { print $3 }' <<<"$out")
    echo "${n:-0}"
  fi
}
: >"$work/checks.txt"
while IFS='|' read -r key store_n; do
  read -r kind z x y <<<"$key"
  ours=$(mvt_count "$work/wardmap/$kind/$z/$x/$y.pbf" "$kind" "$z")
  theirs=$(mvt_count "$work/postgis/$kind/$z/$x/$y.pbf" "$kind" "$z")
  echo "$kind $z $x $y $store_n $ours $theirs $(stat -c %s "$work/wardmap/$kind/$z/$x/$y.pbf") $(stat -c %s "$work/postgis/$kind/$z/$x/$y.pbf")" >>"$work/checks.txt"
done <"$work/store-counts.txt"
cp "$work/checks.txt" "$work/fetch-ms-wardmap.txt" "$work/fetch-ms-postgis.txt" "$results/"
(cd "$work" && tar czf "$results/tiles-sample.tar.gz" wardmap/addresses/16 wardmap/streets/14 2>/dev/null) || true

# ---- 6. throughput: the same set, the same concurrency ------------------------------------
parse_wrk() { # requests/s|p50 ms|p99 ms|errors
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
declare -A row
run_wrk() { # name port paths
  echo "bench tiles: $1, wrk -t$threads -c$connections -d${seconds}s"
  # --timeout 30s: a tile slower than wrk's default 2 s is a latency to count, not a socket
  # error to drop (pgbench waits for every call).
  timeout $((seconds + 60)) wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
    --timeout 30s -s "$root/bench/ogcapi_paths.lua" "http://127.0.0.1:$2" -- "$3" \
    >"$results/wrk-$1.txt" 2>&1 || true
  row[$1]=$(parse_wrk <"$results/wrk-$1.txt")
}
run_wrk uncached "$uncached_port" "$work/paths-wardmap.txt"

echo "bench tiles: PostGIS, pgbench -M prepared -c$connections -j$threads -T$seconds"
(cd "$work" && "$pgbin/pgbench" -n -M prepared -c "$connections" -j "$threads" -T "$seconds" \
  -l --log-prefix="$work/pgbench-log" -f "$work/pgbench.sql" -h 127.0.0.1 -p "$pg_port" \
  -U bench postgres >"$results/pgbench.txt" 2>&1) || true
pg_tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$results/pgbench.txt" | head -1)
pg_failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$results/pgbench.txt")
# Per-transaction log lines: client, transaction, latency in microseconds, ...
cat "$work"/pgbench-log* 2>/dev/null | awk '{ print $3 }' | sort -n >"$work/pg-latencies.txt"
pg_n=$(wc -l <"$work/pg-latencies.txt")
pct() { # sorted file, fraction -> ms
  awk -v f="$2" -v n="$(wc -l <"$1")" 'NR == (int(n * f) > 0 ? int(n * f) : 1) { printf "%.2f", $1 / 1000; exit }' "$1"
}
if [ -n "$pg_tps" ] && [ "$pg_n" -gt 0 ]; then
  row[postgis]="$(printf '%.0f' "$pg_tps")|$(pct "$work/pg-latencies.txt" 0.5)|$(pct "$work/pg-latencies.txt" 0.99)|${pg_failed:-0}"
else
  row[postgis]="-|-|-|pgbench failed"
fi

# For information: the page cache on (what a deployed server does once a tile was asked for),
# and the basemap (wards, cemeteries, streets, addresses at 16) of the same tiles.
run_wrk cached "$cached_port" "$work/paths-wardmap.txt"
run_wrk basemap "$uncached_port" "$work/paths-basemap.txt"

# ---- report --------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
met() { awk -v v="$1" -v g="$2" -v d="$3" 'BEGIN { if (v == "-") print "?"; else if ((d == ">=" && v >= g) || (d == "<=" && v <= g)) print "yes"; else print "NO" }'; }
{
  echo "wardmap tiles bench $(date -u +%Y-%m-%dT%H:%M:%SZ): $features addresses ($addresses" \
    "generated, seed $seed, plus the demo borough's), $streets streets; $(nproc) CPUs, load average $load_start at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end"
  echo "$("$wardmap" version 2>/dev/null | head -1); $("$pgbin/postgres" --version);" \
    "PostGIS $(psql_bench -At -c 'SELECT postgis_lib_version()'); $(ogrinfo --version)"
  echo "tile set: $(awk '{ c[$1]++ } END { for (z in c) printf "z%s %d, ", z, c[z] }' "$work/tiles.txt" | sed 's/, $//')" \
    "tiles; each of the addresses and streets collections: $requests requests, shuffled"
  echo "wardmap: --workers $workers, HTTP/1.1 keep-alive, wrk -t$threads -c$connections -d${seconds}s;" \
    "PostGIS: pgbench -M prepared -c$connections -j$threads -T$seconds, one SQL call per tile"
  echo
  echo "per zoom and collection: tiles checked, mean bytes (wardmap / PostGIS), features (wardmap / PostGIS / store)"
  echo "  and mean ms for one tile asked alone (wardmap: time to first byte; PostGIS: inside the server)"
  awk 'FILENAME ~ /fetch-ms-wardmap/ { om[$1 " z" $2] += $5; next }
    FILENAME ~ /fetch-ms-postgis/ { tm[$1 " z" $2] += $5; next }
    {
      k = $1 " z" $2; n[k]++; ob[k] += $8; tb[k] += $9
      if ($6 != "-") of[k] += $6; if ($7 != "-") tf[k] += $7; sf[k] += $5
    }
    END { for (k in n) printf "  %-14s %4d tiles %8.0f / %8.0f bytes %8d / %8d / %8d features %7.2f / %7.2f ms\n", k, n[k], ob[k] / n[k], tb[k] / n[k], of[k], tf[k], sf[k], om[k] / n[k], tm[k] / n[k] }' \
    "$work/fetch-ms-wardmap.txt" "$work/fetch-ms-postgis.txt" "$work/checks.txt" | sort
  nonempty=$(awk '$8 > 0' "$work/checks.txt" | wc -l)
  decoded=$(awk '$8 > 0 && $6 != "-"' "$work/checks.txt" | wc -l)
  matched=$(awk '$6 == $5' "$work/checks.txt" | wc -l)
  pg_matched=$(awk '$7 == $5' "$work/checks.txt" | wc -l)
  n_addr=$(awk '$1 == "addresses"' "$work/checks.txt" | wc -l)
  addr_matched=$(awk '$1 == "addresses" && $6 == $5' "$work/checks.txt" | wc -l)
  n_streets=$(awk '$1 == "streets"' "$work/checks.txt" | wc -l)
  streets_matched=$(awk '$1 == "streets" && $6 == $5' "$work/checks.txt" | wc -l)
  streets_over=$(awk '$1 == "streets" && $6 > $5' "$work/checks.txt" | wc -l)
  echo "GDAL MVT driver: decoded $decoded of the $nonempty wardmap tiles with content" \
    "($((requests - nonempty)) empty: 0 bytes); feature count equal to the store's for" \
    "$matched of $requests (PostGIS's tiles: $pg_matched)"
  echo "  addresses: $addr_matched of $n_addr equal (points: exact); streets: $streets_matched of" \
    "$n_streets equal, $streets_over with more features than the store; a line that reaches less" \
    "than a grid unit into the buffered tile meets the box but leaves nothing to draw once" \
    "clipped and snapped, so a street tile may hold fewer"
  awk '$6 != $5 { printf "  differs: %s z%s x%s y%s store %s wardmap %s PostGIS %s\n", $1, $2, $3, $4, $5, $6, $7 }' \
    "$work/checks.txt" | head -20
  echo
  printf '%-44s %10s %10s %10s %8s\n' "tiles, $connections connections" "tiles/s" "p50 ms" "p99 ms" errors
  for target in uncached postgis cached basemap; do
    IFS='|' read -r rps p50 p99 errors <<<"${row[$target]}"
    case $target in
      uncached) label="wardmap, page cache off (HTTP)" ;;
      postgis) label="PostGIS ST_AsMVT (SQL call, no HTTP)" ;;
      cached) label="wardmap, page cache on (information)" ;;
      basemap) label="wardmap basemap, cache off (information)" ;;
    esac
    printf '%-44s %10s %10s %10s %8s\n' "$label" "$rps" "$p50" "$p99" "$errors"
  done
  echo
  IFS='|' read -r ours_rps _ ours_p99 _ <<<"${row[uncached]}"
  IFS='|' read -r pg_rps _ <<<"${row[postgis]}"
  printf '%-44s %8s %8s  %s\n' goal value target met
  r=$(ratio "$ours_rps" "$pg_rps")
  printf '%-44s %8s %8s  %s\n' "tiles/s: wardmap uncached / PostGIS" "$r" ">= 2" "$(met "$r" 2 '>=')"
  printf '%-44s %8s %8s  %s\n' "p99 ms per uncached tile, $connections connections" "$ours_p99" "<= 20" "$(met "$ours_p99" 20 '<=')"
  printf '%-44s %8s %8s  %s\n' "tiles with content GDAL decodes" "$decoded" "$nonempty" "$(met "$decoded" "$nonempty" '>=')"
  printf '%-44s %8s %8s  %s\n' "address tiles whose count is the store's" "$addr_matched" "$n_addr" "$(met "$addr_matched" "$n_addr" '>=')"
  printf '%-44s %8s %8s  %s\n' "street tiles with more than the store's" "$streets_over" "0" "$(met "$streets_over" 0 '<=')"
} | tee "$results/table.txt"
echo
echo "bench tiles: logs, the tile list, per-tile checks and raw wrk/pgbench output in $results"
