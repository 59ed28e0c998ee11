#!/usr/bin/env bash
# The source information benchmark of issue 6. Prints figures; asserts nothing on wall-clock time.
#
#   scripts/bench-bulletins.sh
#
# 1. Fan-out: `dxgov bench-bulletins --runs $RUNS` on a fresh SQLite data directory (and, when
#    DXGOV_BENCH_PG_URL is set, on that PostgreSQL, in a fresh schema dropped afterwards): a
#    national bulletin (target: the whole country) is written and submitted, then its approval —
#    which publishes it and inserts one delivery per receiving unit in the same transaction — is
#    timed, RUNS times on the current structure (34 provinces + 3,321 communes = 3,355 units)
#    and RUNS times on the old one (a clock on 16 June 2025: 63 provinces + 696 districts +
#    10,035 communes = 10,794 units); the deliveries are counted against the org directory.
#    Per variant: targets, median and max ms, targets/s.
# 2. The public portal: `dxgov serve` with demo data on 127.0.0.1 (fresh SQLite data directory,
#    reminder jobs off), then wrk with the same threads, connections and duration (and
#    `Accept-Encoding: gzip`, as a browser sends) against /healthz (the baseline of this run),
#    the national portal /p, the province portal /p/51 (Quảng Ngãi) and a bulletin page
#    /p/tin/1: requests/s and p50/p99 each, the ratio of each portal page's requests/s to
#    /healthz's, and each portal page's size (uncompressed and gzip, measured with curl).
#
# Goals (2 cores): each portal page > 5,000 requests/s and < 100 KB.
#
# Environment: WRK_DURATION (10s), WRK_THREADS (2), WRK_CONNS (32), RUNS (5);
# DXGOV_BENCH_PG_URL (postgres://…) adds the fan-out on PostgreSQL; BENCH_BIN measures that
# binary instead of building this tree (e.g. an older build, for a before/after comparison).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
ROOT=$PWD

while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; exit 2 ;;
  esac
done

WRK_DURATION=${WRK_DURATION:-10s}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-32}
RUNS=${RUNS:-5}
PG_URL=${DXGOV_BENCH_PG_URL:-}
# dxgov reads every DXGOV_* variable as configuration and refuses one it does not know.
unset DXGOV_BENCH_PG_URL
# Neither password contains a user name (the demo accounts' or admin's).
ADMIN_PASSWORD='bench-Passw0rd-2024'
DEMO_PASSWORD='bench-Tai-Thu-2024'
for tool in curl wrk awk sed; do
  command -v "$tool" >/dev/null || { log "$tool is required"; exit 1; }
done

if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN
else
  log "building: cargo build --release -p dxgov"
  cargo build --release -p dxgov >&2
  BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/dxgov
fi
[ -x "$BIN" ] || { log "binary not found at $BIN"; exit 1; }

WORK=$(mktemp -d -t dxgov-bench-bulletins.XXXXXX)
SERVER_PID=''
PG_SCHEMA=''
SUMMARY=$WORK/summary.txt
: >"$SUMMARY"
SUMMARY_PRINTED=0
print_summary() {
  SUMMARY_PRINTED=1
  echo
  echo "== summary ($(nproc) cores, 127.0.0.1; latency in ms)"
  cat "$SUMMARY"
  echo
  echo "Goals (2 cores): each portal page > 5,000 requests/s and < 100 KB."
}
cleanup() {
  # A run that failed half-way still shows what was measured before it.
  if [ "$SUMMARY_PRINTED" = 0 ]; then print_summary; fi
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$PG_SCHEMA" ]; then
    psql -q "$PG_URL" -c "DROP SCHEMA IF EXISTS \"$PG_SCHEMA\" CASCADE" >/dev/null 2>&1 ||
      log "could not drop the schema $PG_SCHEMA of $PG_URL (psql missing?): drop it by hand"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

row() { printf '%-50s %s\n' "$1" "$2" | tee -a "$SUMMARY" >/dev/null; }

# ----- 1. fan-out ----------------------------------------------------------------------------------
# fanout NAME [DATABASE_URL] -> runs bench-bulletins, prints its output, adds summary rows
fanout() {
  local name=$1 url=${2:-} out=$WORK/fanout-$1.txt key label
  local -a db_args=(--data-dir "$WORK/data-$name")
  if [ -n "$url" ]; then
    db_args+=(--database-url "$url")
    PG_SCHEMA="bench_bulletins_$$"
    export DXGOV_DATABASE_SCHEMA=$PG_SCHEMA
  else
    unset DXGOV_DATABASE_SCHEMA
  fi
  echo
  echo "######## fan-out on $name: dxgov bench-bulletins --runs $RUNS${url:+ (schema $PG_SCHEMA)}"
  BENCH_PASSWORD=$DEMO_PASSWORD DXGOV_LOG=warn "$BIN" "${db_args[@]}" bench-bulletins --runs "$RUNS" | tee "$out"
  unset DXGOV_DATABASE_SCHEMA
  for key in NOW OLD; do
    if [ "$key" = NOW ]; then label="current structure (today)"; else label="old structure ($(field "$out" BENCH_OLD_DAY))"; fi
    row "fan-out $name, $label" "$(field "$out" "BENCH_${key}_TARGETS") targets ($(field "$out" "BENCH_${key}_COMMUNES") communes): median $(field "$out" "BENCH_${key}_MEDIAN_MS") ms, max $(field "$out" "BENCH_${key}_MAX_MS") ms, $(field "$out" "BENCH_${key}_TARGETS_PER_S") targets/s (n=$RUNS)"
  done
}

fanout sqlite
if [ -n "$PG_URL" ]; then
  command -v psql >/dev/null || log "psql not found: the schema made on $PG_URL will not be dropped afterwards"
  fanout postgres "$PG_URL"
fi

# ----- 2. the public portal -------------------------------------------------------------------------
PORT=$(free_port)
DXGOV_ADMIN_PASSWORD=$ADMIN_PASSWORD DXGOV_DEMO_PASSWORD=$DEMO_PASSWORD \
  DXGOV_LOGIN_PER_MINUTE=0 DXGOV_JOBS_INTERVAL_SECS=0 DXGOV_LOG=warn \
  "$BIN" serve --data-dir "$WORK/data-serve" --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
echo
echo "######## the public portal: dxgov serve (demo data, SQLite) on 127.0.0.1:$PORT"
wait_healthz "$PORT" "$SERVER_PID" || { log "server did not start:"; tail -n 30 "$WORK/server.log" >&2; exit 1; }
row "server memory after start (VmRSS)" "$(mem_mb "$SERVER_PID" VmRSS) MB"

wrk_lua "$WORK/get.lua"
pct() { awk '/^PCT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' k="$2" "$1"; }
reqs() { awk '/^REQS/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' k="$2" "$1"; }
out_of() { printf '%s/wrk-%s.txt' "$WORK" "$(printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_')"; }

# measure PATH -> wrk against it; a row with requests/s and p50/p99
measure() {
  local path=$1 out
  out=$(out_of "$path")
  echo "== $path: wrk -t$WRK_THREADS -c$WRK_CONNS -d$WRK_DURATION"
  BENCH_TOKEN='' BENCH_COOKIE='' wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$WRK_DURATION" --timeout 30s --latency \
    -s "$WORK/get.lua" "http://127.0.0.1:$PORT$path" >"$out"
  sed 's/^/  /' "$out"
  row "GET $path [c$WRK_CONNS]" "$(reqs "$out" rps) requests/s; p50 $(pct "$out" p50) ms, p99 $(pct "$out" p99) ms (errors $(reqs "$out" errors), non-2xx $(reqs "$out" non2xx)); load1=$(cut -d ' ' -f 1 /proc/loadavg)"
}

PAGES=(/p /p/51 /p/tin/1)
# Every page must answer 200 before it is measured.
for path in "${PAGES[@]}"; do
  code=$(curl -s -o "$WORK/probe.html" -w '%{http_code}' "http://127.0.0.1:$PORT$path")
  [ "$code" = 200 ] || { log "GET $path answered $code: $(head -c 300 "$WORK/probe.html")"; exit 1; }
done

measure /healthz
for path in "${PAGES[@]}"; do
  measure "$path"
done
healthz_rps=$(reqs "$(out_of /healthz)" rps)
for path in "${PAGES[@]}"; do
  rps=$(reqs "$(out_of "$path")" rps)
  row "  GET $path ÷ /healthz (requests/s)" "$(awk -v a="$rps" -v b="$healthz_rps" 'BEGIN { printf "%.3f", a / b }')"
done

# Sizes: the body as sent without and with gzip (curl does not decompress: -H, not --compressed).
for path in "${PAGES[@]}"; do
  plain=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT$path")
  gz=$(curl -s -o /dev/null -D "$WORK/headers.txt" -w '%{size_download}' -H 'Accept-Encoding: gzip' \
    "http://127.0.0.1:$PORT$path")
  enc=$(awk 'tolower($1) == "content-encoding:" { gsub(/\r/, ""); print $2 }' "$WORK/headers.txt")
  row "  size of GET $path" "$plain bytes uncompressed; $gz bytes with Accept-Encoding: gzip (Content-Encoding: ${enc:-none})"
done

for path in "${PAGES[@]}"; do
  rps=$(reqs "$(out_of "$path")" rps)
  plain=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT$path")
  row "goal GET $path > 5,000 requests/s, < 100 KB" "$(awk -v r="$rps" -v s="$plain" 'BEGIN {
    printf "%s, %s (uncompressed, 100 KB = 100,000 bytes)", (r > 5000) ? "met" : "NOT met", (s < 100000) ? "met" : "NOT met" }')"
done
row "server memory at the end (VmRSS / VmHWM)" "$(mem_mb "$SERVER_PID" VmRSS) / $(mem_mb "$SERVER_PID" VmHWM) MB"

print_summary
