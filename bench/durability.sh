#!/usr/bin/env bash
# Open311 creates/s with `wardmap serve --durability full` (group commit: each create answered
# once its commit is fsynced) against the default `--durability normal` (fsync at checkpoints),
# on this machine's disk, from a temporary directory removed at the end. Each mode gets its own
# copy of the demo borough and the same wrk run (form-encoded POST requests.json as
# bench/open311.sh sends them); the script prints creates/s, latency and full/normal as a ratio.
#
#   bench/durability.sh                       16 connections, 10 s per mode
#   DUR_CONNECTIONS="4 16" DUR_SECONDS=20 bench/durability.sh
#
# Settings (environment): DUR_SECONDS (10), DUR_CONNECTIONS ("16"), DUR_THREADS (2),
# DUR_WORKERS (empty: the server's default, which is at least 16 with --durability full),
# BENCH_BUILD_DIR (build/), BENCH_RESULTS (bench/results/<time>/durability/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${DUR_SECONDS:-10}
connections=${DUR_CONNECTIONS:-16}
threads=${DUR_THREADS:-2}
workers=${DUR_WORKERS:-}
build=${BENCH_BUILD_DIR:-$root/build}
results=${BENCH_RESULTS:-$root/bench/results/$(date +%Y%m%d-%H%M%S)/durability}
wardmap=$build/server/cli/wardmap
catalogue=$root/data/services/default.json
client_key=demo-client-key

die() { echo "bench durability: $*" >&2; exit 1; }
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "DUR_SECONDS must be a positive whole number"
for c in $connections; do [[ $c =~ ^[1-9][0-9]*$ ]] || die "DUR_CONNECTIONS: '$c'"; done
for tool in sqlite3 wrk curl jq; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup installs it)"
done
[ -x "$wardmap" ] || die "no $wardmap: build first (scripts/build)"

work=$(mktemp -d "${TMPDIR:-$root/bench}/wardmap-bench-durability.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$results"

start_server() { # STORE LOG MODE
  local extra=()
  [ -z "$workers" ] || extra=(--workers "$workers")
  "$wardmap" serve --db "$1" --host 127.0.0.1 --port 0 --no-access-log --durability "$3" \
    --services "$catalogue" --web-root "$root/web-client" "${extra[@]}" >"$2" 2>&1 &
  server_pid=$!
  port=
  for _ in $(seq 600); do
    port=$(sed -n 's|.*serving http://[^:]*:\([0-9]*\)/.*|\1|p' "$2")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || die "wardmap serve did not start: $(tail -3 "$2")"
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

echo "bench durability: generating the demo borough in $work (on the disk measured)"
"$wardmap" demo-data --db "$work/normal.sqlite" >"$results/demo-data.log" 2>&1 ||
  die "demo-data failed: $(cat "$results/demo-data.log")"
sqlite3 "$work/normal.sqlite" ".backup '$work/full.sqlite'"
# The bodies bench/open311.sh sends: public services in turn with their required attributes,
# at 5,000 properties of the store.
jq -r '.services[] | select(.private != true) | [.code, ([.attributes[]? | select(.required) |
    "attribute%5B" + .code + "%5D=" + (if (.values // [] | length) > 0
      then (.values[0].key | @uri) else "Bench" end)] | join("&"))] | join("|")' \
  "$catalogue" >"$work/services.txt"
sqlite3 -separator '|' "$work/normal.sqlite" "SELECT printf('%.6f', lat), printf('%.6f', lon)
    FROM properties ORDER BY random() LIMIT 5000" |
  awk -F'|' -v services="$work/services.txt" -v key="$client_key" '
    BEGIN { while ((getline line < services) > 0) { n++; split(line, f, "|"); code[n] = f[1]; attrs[n] = f[2] } }
    {
      i = (NR - 1) % n + 1
      body = "api_key=" key "&service_code=" code[i] "&lat=" $1 "&long=" $2 \
        "&description=Bench+report+" NR "&email=resident" (NR % 997) "%40example.org"
      if (attrs[i] != "") body = body "&" attrs[i]
      print body
    }' >"$work/bodies.txt"

rps() { sed -n 's/^Requests\/sec: *//p' "$1"; }
latency() { awk '$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } END { print p50 " / " p99 }' "$1"; }
declare -A created
for mode in normal full; do
  start_server "$work/$mode.sqlite" "$results/serve-$mode.log" "$mode"
  for c in $connections; do
    echo "bench durability: --durability $mode, wrk -t$threads -c$c -d${seconds}s"
    wrk -t"$threads" -c"$c" -d"${seconds}s" --latency -s "$root/bench/open311_create.lua" \
      "http://127.0.0.1:$port" -- "$work/bodies.txt" >"$results/wrk-$mode-c$c.txt" 2>&1 || true
    created[$mode-$c]=$(rps "$results/wrk-$mode-c$c.txt")
    other=$(sed -n 's/^open311 other statuses: //p' "$results/wrk-$mode-c$c.txt")
    echo "  creates/s ${created[$mode-$c]}, p50 / p99 $(latency "$results/wrk-$mode-c$c.txt"), non-2xx ${other:-?}"
  done
  if [ "$mode" = full ]; then
    # How well commits were grouped: commits per WAL fsync over all the full runs.
    curl -s "http://127.0.0.1:$port/metrics" >"$results/metrics-full.txt" || true
    grouping=$(awk '$1 == "wardmap_group_commit_commits_total" { c = $2 }
      $1 == "wardmap_group_commit_fsyncs_total" { f = $2 }
      END { if (f > 0) printf "%d commits in %d fsyncs, %.1f commits per fsync", c, f, c / f; else print "no metrics" }' \
      "$results/metrics-full.txt")
    echo "  group commit: $grouping"
  fi
  stop_server
done

{
  echo "Open311 creates/s, --durability full (group commit) vs normal, ${seconds} s per run"
  echo "disk: $(df -h "$work" | awk 'NR == 2 { print $1 " mounted on " $6 }'); load at end: $(uptime | sed 's/.*load average: //')"
  echo "group commit (full, all runs): ${grouping:-?}"
  for c in $connections; do
    n=${created[normal-$c]:-0}; f=${created[full-$c]:-0}
    awk -v c="$c" -v n="$n" -v f="$f" 'BEGIN {
      printf "  -c%-3s normal %8.0f/s   full %8.0f/s   full/normal %.2f   goal full >= 500/s: %s\n",
        c, n, f, (n > 0 ? f / n : 0), (f >= 500 ? "yes" : "no") }'
  done
} | tee "$results/summary.txt"
