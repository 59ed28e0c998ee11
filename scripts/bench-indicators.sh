#!/usr/bin/env bash
# The indicator benchmark of issue 4. Prints figures; asserts nothing on wall-clock time.
#
#   scripts/bench-indicators.sh                # generate ~12,000,000 values on SQLite, measure, delete
#   scripts/bench-indicators.sh --dir DIR      # keep the data in DIR; a DIR generated before is
#                                              # measured again without generating (its load.txt)
#   scripts/bench-indicators.sh --small        # 3 months instead of 36 (a quick check of the script)
#
# `dxgov bench-indicators` fills a fresh SQLite database: 100 monthly indicators (10 ratios of
# sums on top) × every province and commune valid today (~3,355) × 36 months (2024-01 … 2026-12),
# and the national synthesis round of 2026 (the yearly report of every province written,
# submitted with its figures frozen and accepted). The time and the database size are printed.
# Then `dxgov serve --no-demo` (reminder jobs off) is measured on 127.0.0.1:
#   - the national roll-up of one indicator for the last whole year of the series
#     (GET /api/v1/indicators/{code}/rollup?period=2026&org=VN&structure=now): 200 sequential
#     timed curl requests (p50/p95/max), then wrk -c4; the same for a ratio of sums (it reads two
#     indicators) and for structure=then;
#   - the roll-up page /indicators/{code}?org=VN&period=2026 (the indicator's national dashboard:
#     the figure, the 34 provinces, targets) and the national dashboard /dashboard?org=VN&year=2026
#     (tasks, indicators against target, report completeness, registry compliance as SVG charts),
#     each with a session cookie under wrk -c16 and -c4;
#   - import throughput through POST /api/v1/dataValueSets (DHIS2 JSON): 200,000 values of the
#     month after the series (nothing stored there: every value is new) in 4 requests of 50,000
#     (each under the 11 MiB upload limit); values/s = rows / the requests' summed wall time;
#   - the national synthesis of 2026 (34 provinces) as DOCX and PDF
#     (GET /api/v1/report-synthesis/file/{docx|pdf}), 5 timed downloads each, min/median;
#   - server memory (VmRSS / VmHWM) after start and at the end.
#
# Goals (SQLite, 2 cores): roll-up < 100 ms; import > 100,000 values/s; DOCX < 1 s; PDF < 2 s.
#
# Environment: WRK_DURATION (15s), WRK_THREADS (2), ROLLUP_RUNS (200), FILE_RUNS (5).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
ROOT=$PWD

DIR=''
MONTHS=36
while [ $# -gt 0 ]; do
  case $1 in
    --dir) DIR=${2:?--dir needs a directory}; shift ;;
    --small) MONTHS=3 ;;
    -h | --help) sed -n '2,31p' "$0"; exit 0 ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; exit 2 ;;
  esac
  shift
done

WRK_DURATION=${WRK_DURATION:-15s}
WRK_THREADS=${WRK_THREADS:-2}
ROLLUP_RUNS=${ROLLUP_RUNS:-200}
FILE_RUNS=${FILE_RUNS:-5}
ADMIN_PASSWORD='bench-Passw0rd-2024'
BENCH_PASSWORD='bench-Tai-Thu-2024'


for tool in curl wrk awk sed sort; do
  command -v "$tool" >/dev/null || { log "$tool is required"; exit 1; }
done

log "building: cargo build --release -p dxgov"
cargo build --release -p dxgov >&2
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/dxgov
[ -x "$BIN" ] || { log "binary not found at $BIN"; exit 1; }

KEEP=1
if [ -z "$DIR" ]; then
  DIR=$(mktemp -d -t dxgov-bench-ind.XXXXXX)
  KEEP=0
fi
mkdir -p "$DIR"
WORK=$(mktemp -d -t dxgov-bench-ind-work.XXXXXX)
SERVER_PID=''
SUMMARY=$WORK/summary.txt
: >"$SUMMARY"
SUMMARY_PRINTED=0
print_summary() {
  SUMMARY_PRINTED=1
  echo
  echo "== summary (SQLite, $(nproc) cores, 127.0.0.1; latency in ms)"
  cat "$SUMMARY"
  echo
  echo "Goals (SQLite, 2 cores): national roll-up < 100 ms; import > 100,000 values/s; DOCX < 1 s; PDF < 2 s."
}
cleanup() {
  if [ "$SUMMARY_PRINTED" = 0 ]; then print_summary; fi
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  if [ "$KEEP" = 0 ]; then rm -rf "$DIR"; else log "kept: $DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

row() { printf '%-58s %s\n' "$1" "$2" | tee -a "$SUMMARY" >/dev/null; }





# p50/p95/max in ms of a file of seconds, one a line.
percentiles() {
  sort -g "$1" | awk '{ v[NR] = $1 * 1000 } END {
    i50 = int(NR * 0.50 + 0.5); if (i50 < 1) i50 = 1
    i95 = int(NR * 0.95 + 0.5); if (i95 < 1) i95 = 1
    printf "p50=%.1f p95=%.1f min=%.1f max=%.1f (n=%d)", v[i50], v[i95], v[1], v[NR], NR }'
}

# min/median in s of a file of seconds, one a line.
min_median() {
  sort -g "$1" | awk '{ v[NR] = $1 } END { printf "min=%.3f median=%.3f (n=%d)", v[1], v[int((NR + 1) / 2)], NR }'
}

wrk_lua "$WORK/auth.lua"

# wrk_run LABEL CONNS PATH token|cookie -> one summary row
wrk_run() {
  local label="$1 [c$2]" conns=$2 path=$3 auth=$4 out
  out=$WORK/wrk-$(printf '%s' "$label" | tr -c 'a-zA-Z0-9' '_').txt
  echo "== $label: wrk -t$WRK_THREADS -c$conns -d$WRK_DURATION GET $path"
  if [ "$auth" = cookie ]; then
    BENCH_TOKEN='' BENCH_COOKIE=$COOKIE wrk -t"$WRK_THREADS" -c"$conns" -d"$WRK_DURATION" --timeout 30s --latency \
      -s "$WORK/auth.lua" "http://127.0.0.1:$PORT$path" >"$out"
  else
    BENCH_TOKEN=$TOKEN BENCH_COOKIE='' wrk -t"$WRK_THREADS" -c"$conns" -d"$WRK_DURATION" --timeout 30s --latency \
      -s "$WORK/auth.lua" "http://127.0.0.1:$PORT$path" >"$out"
  fi
  sed 's/^/  /' "$out"
  row "$label" "$(awk '/^PCT/ { sub(/^PCT /, ""); print }' "$out") ms; $(awk '/^REQS/ { sub(/^REQS /, ""); print }' "$out"); load1=$(cut -d ' ' -f 1 /proc/loadavg)"
}

# sequential LABEL PATH -> ROLLUP_RUNS timed requests one after the other (after one warm-up)
sequential() {
  local label=$1 path=$2 probe times=$WORK/seq.txt i
  probe=$(curl -s -o "$WORK/probe.json" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT$path")
  echo "== $label: GET $path (first request: HTTP $probe s)"
  if [ "${probe%% *}" != 200 ]; then
    log "   unexpected answer: $(head -c 300 "$WORK/probe.json")"
    row "$label" "HTTP ${probe%% *} (not measured)"
    return 0
  fi
  # The figure and the inputs behind it, to compare runs (and versions) by.
  echo "  answer: $(grep -o '"value":[^,]*' "$WORK/probe.json" | head -n 1), $(grep -o '"inputs":[0-9]*' "$WORK/probe.json")"
  : >"$times"
  for ((i = 0; i < ROLLUP_RUNS; i++)); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path" >>"$times"
  done
  echo "  $(percentiles "$times") ms"
  row "$label [sequential]" "$(percentiles "$times") ms"
}

token_for() {
  curl -s -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/token" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}

# A session cookie for the pages: the login form with its CSRF token.
cookie_for() {
  local jar=$WORK/cookies.txt csrf
  rm -f "$jar"
  csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "username=$1" \
    --data-urlencode "password=$2" --data-urlencode "next=/" "http://127.0.0.1:$PORT/login"
  sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }'
}

# ----- data ------------------------------------------------------------------------------------
if [ -f "$DIR/load.txt" ] && [ -f "$DIR/dxgov.db" ]; then
  echo "######## reusing the data in $DIR (generated before)"
  sed 's/^/  /' "$DIR/load.txt" | grep -v '^  BENCH_' || true
else
  echo "######## dxgov bench-indicators --months $MONTHS (SQLite in $DIR)"
  t0=$(date +%s%3N)
  BENCH_PASSWORD=$BENCH_PASSWORD DXGOV_LOG=warn "$BIN" --data-dir "$DIR" bench-indicators --months "$MONTHS" \
    --unit-codes "$DIR/units.txt" | tee "$DIR/load.txt"
  t1=$(date +%s%3N)
  echo "BENCH_COMMAND_SECONDS=$(((t1 - t0) / 1000))" >>"$DIR/load.txt"
fi
LOAD=$DIR/load.txt
row "values generated (monthly + yearly report inputs)" "$(field "$LOAD" BENCH_VALUES) (units: $(field "$LOAD" BENCH_UNITS))"
row "bench-indicators time (monthly values / whole command)" "$(field "$LOAD" BENCH_VALUE_SECONDS) s / $(field "$LOAD" BENCH_COMMAND_SECONDS) s"
row "synthesis round (34 reports written, submitted, accepted)" "$(field "$LOAD" BENCH_ROUND_SECONDS) s"
row "database size (dxgov.db + WAL)" "$(du -ch "$DIR"/dxgov.db* | awk 'END { print $1 }')"

INDICATOR=$(field "$LOAD" BENCH_INDICATOR)
RATIO=$(field "$LOAD" BENCH_RATIO)
YEAR=$(field "$LOAD" BENCH_YEAR)
FRESH=$(field "$LOAD" BENCH_FRESH_PERIOD)
TEMPLATE=$(field "$LOAD" BENCH_TEMPLATE)
ROUND=$(field "$LOAD" BENCH_ROUND_PERIOD)
NATION=$(field "$LOAD" BENCH_ROOT)

# ----- server ----------------------------------------------------------------------------------
PORT=$(free_port)
DXGOV_ADMIN_PASSWORD=$ADMIN_PASSWORD DXGOV_LOGIN_PER_MINUTE=0 DXGOV_JOBS_INTERVAL_SECS=0 \
  "$BIN" --data-dir "$DIR" serve --port "$PORT" --no-demo >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
t0=$(date +%s%3N)
wait_healthz "$PORT" "$SERVER_PID" || { cat "$WORK/server.log" >&2; exit 1; }
t1=$(date +%s%3N)
sleep 1
row "server start until /healthz" "$((t1 - t0)) ms"
row "server memory after start (VmRSS)" "$(mem_mb "$SERVER_PID" VmRSS) MB"
TOKEN=$(token_for bench.dieuphoi "$BENCH_PASSWORD")
[ -n "$TOKEN" ] || { log "no token for bench.dieuphoi"; exit 1; }
ADMIN_TOKEN=$(token_for bench.admin "$BENCH_PASSWORD")
COOKIE=$(cookie_for bench.dieuphoi "$BENCH_PASSWORD")

# ----- roll-ups ----------------------------------------------------------------------------------
ROLLUP="/api/v1/indicators/$INDICATOR/rollup?period=$YEAR&org=$NATION&structure=now"
RATIO_ROLLUP="/api/v1/indicators/$RATIO/rollup?period=$YEAR&org=$NATION&structure=now"
THEN_ROLLUP="/api/v1/indicators/$INDICATOR/rollup?period=$YEAR&org=$NATION&structure=then"
sequential "roll-up $INDICATOR (sum) $YEAR VN now" "$ROLLUP"
wrk_run "roll-up $INDICATOR (sum) $YEAR VN now" 4 "$ROLLUP" token
sequential "roll-up $RATIO (ratio of sums) $YEAR VN now" "$RATIO_ROLLUP"
wrk_run "roll-up $RATIO (ratio of sums) $YEAR VN now" 4 "$RATIO_ROLLUP" token
sequential "roll-up $INDICATOR (sum) $YEAR VN then" "$THEN_ROLLUP"

# ----- the roll-up page under load ---------------------------------------------------------------------
PAGE="/indicators/$INDICATOR?org=$NATION&period=$YEAR"
probe=$(curl -s -o "$WORK/page.html" -w '%{http_code} %{size_download} %{time_total}' -H "Cookie: $COOKIE" \
  "http://127.0.0.1:$PORT$PAGE")
echo "== page $PAGE: HTTP $probe (status, bytes, s)"
if [ "${probe%% *}" = 200 ]; then
  wrk_run "PAGE /indicators/$INDICATOR (VN, $YEAR)" 16 "$PAGE" cookie
  wrk_run "PAGE /indicators/$INDICATOR (VN, $YEAR)" 4 "$PAGE" cookie
else
  row "PAGE /indicators/$INDICATOR (VN, $YEAR)" "HTTP ${probe%% *} (not measured)"
fi
# The national dashboard of the year: tasks, every indicator against its target, the report
# rounds' completeness and registry compliance, each drawn as an SVG chart.
DASHBOARD="/dashboard?org=$NATION&year=$YEAR"
probe=$(curl -s -o "$WORK/dashboard.html" -w '%{http_code} %{size_download} %{time_total}' -H "Cookie: $COOKIE" \
  "http://127.0.0.1:$PORT$DASHBOARD")
echo "== page $DASHBOARD: HTTP $probe (status, bytes, s); $(grep -c '<svg' "$WORK/dashboard.html") charts"
if [ "${probe%% *}" = 200 ]; then
  wrk_run "PAGE /dashboard (VN, $YEAR)" 16 "$DASHBOARD" cookie
  wrk_run "PAGE /dashboard (VN, $YEAR)" 4 "$DASHBOARD" cookie
else
  row "PAGE /dashboard (VN, $YEAR)" "HTTP ${probe%% *} (not measured)"
fi
row "server memory after the load runs (VmRSS / VmHWM)" "$(mem_mb "$SERVER_PID" VmRSS) / $(mem_mb "$SERVER_PID" VmHWM) MB"

# ----- import: 200,000 new values in 4 DHIS2 JSON requests -------------------------------------------------
# The first month from the one after the series on that has no value yet (a run before on the same
# data imported into the month after the series), so every value imported is new.
stored_in() {
  curl -s -H "Authorization: Bearer $ADMIN_TOKEN" \
    "http://127.0.0.1:$PORT/api/v1/dataValueSets?dataElement=THU_TAI_021&period=$1&orgUnit=$NATION&children=true" |
    grep -c '"dataElement"' || true
}
while [ "$(stored_in "$FRESH")" != 0 ]; do
  y=${FRESH:0:4} m=$((10#${FRESH:4:2} + 1))
  if [ "$m" -gt 12 ]; then y=$((y + 1)) m=1; fi
  FRESH=$(printf '%04d%02d' "$y" "$m")
done
# Indicators 021, 022, … (plain sums) × every unit, for that month.
awk -v fresh="$FRESH" -v dir="$WORK" 'BEGIN { n = 0; per = 50000; total = 200000 }
  { codes[NR] = $1 }
  END {
    for (ind = 21; n < total; ind++) {
      for (u = 1; u <= NR && n < total; u++) {
        f = int(n / per) + 1
        file = dir "/import-" f ".json"
        printf "%s{\"dataElement\":\"THU_TAI_%03d\",\"period\":\"%s\",\"orgUnit\":\"%s\",\"value\":\"%d\"}", \
          (n % per == 0 ? "{\"dataValues\":[" : ","), ind, fresh, codes[u], (n * 7919) % 1000 >file
        n++
        if (n % per == 0) { printf "]}" >file; close(file) }
      }
    }
  }' "$DIR/units.txt"
echo "== import into $FRESH"
total_s=0
for f in 1 2 3 4; do
  probe=$(curl -s -o "$WORK/import-$f.out" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' --data-binary "@$WORK/import-$f.json" "http://127.0.0.1:$PORT/api/v1/dataValueSets")
  echo "== import request $f (50,000 values, $(wc -c <"$WORK/import-$f.json") bytes): HTTP ${probe%% *} in ${probe#* } s: $(head -c 200 "$WORK/import-$f.out")"
  [ "${probe%% *}" = 200 ] || { row "import through POST /api/v1/dataValueSets" "HTTP ${probe%% *} (refused)"; break; }
  total_s=$(awk -v a="$total_s" -v b="${probe#* }" 'BEGIN { print a + b }')
  row "import request $f: 50,000 values" "${probe#* } s ($(awk -v t="${probe#* }" 'BEGIN { printf "%.0f", 50000 / t }') values/s)"
done
row "import of 200,000 values in 4 requests" "$total_s s: $(awk -v t="$total_s" 'BEGIN { printf "%.0f", (t > 0 ? 200000 / t : 0) }') values/s"

# ----- the national synthesis as DOCX and PDF -------------------------------------------------------------
for fmt in docx pdf; do
  path="/api/v1/report-synthesis/file/$fmt?template=$TEMPLATE&period=$ROUND&org=$NATION"
  : >"$WORK/times-$fmt.txt"
  for ((i = 1; i <= FILE_RUNS; i++)); do
    probe=$(curl -s -o "$WORK/synthesis.$fmt" -w '%{http_code} %{time_total} %{size_download}' \
      -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path")
    echo "== synthesis $fmt run $i: HTTP ${probe%% *}, ${probe#* } (s, bytes)"
    [ "${probe%% *}" = 200 ] || { log "   $(head -c 300 "$WORK/synthesis.$fmt")"; break; }
    echo "${probe#* }" | awk '{ print $1 }' >>"$WORK/times-$fmt.txt"
  done
  if [ -s "$WORK/times-$fmt.txt" ]; then
    pages=''
    if [ "$fmt" = pdf ] && command -v pdfinfo >/dev/null; then
      pages=", $(pdfinfo "$WORK/synthesis.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }') pages"
    fi
    row "national synthesis $ROUND as ${fmt^^} (34 provinces)" "$(min_median "$WORK/times-$fmt.txt") s; $(wc -c <"$WORK/synthesis.$fmt") bytes$pages"
  else
    row "national synthesis $ROUND as ${fmt^^}" "not measured"
  fi
done
row "server memory at the end (VmRSS / VmHWM)" "$(mem_mb "$SERVER_PID" VmRSS) / $(mem_mb "$SERVER_PID" VmHWM) MB"

print_summary
