#!/usr/bin/env bash
# Benchmarks of plans and tasks at national scale (issue 3). Prints figures; asserts nothing on
# wall-clock time.
#
#   scripts/bench-work.sh                 # the ~77,000-task variant on SQLite
#   scripts/bench-work.sh --million       # and the ~1,000,000-task variant on SQLite
#   scripts/bench-work.sh --pg URL        # and the ~77,000-task variant on PostgreSQL at URL
#                                         # (a throw-away schema, dropped at the end)
#   scripts/bench-work.sh --pg local      # the same on a throw-away PostgreSQL server started
#                                         # here (Debian's postgresql package, default settings)
#
# Per variant: `dxgov bench-data` fills a fresh database (every province and ministry valid today
# with plans of 200 tasks adopted from the frameworks, every commune with plans of 20 tasks;
# --multiplier 13 for the million), then `dxgov serve --no-demo` (reminder jobs off, so nothing
# runs beside the load) is measured with wrk (-t2 -c16 by default) on 127.0.0.1:
#   - the task list API of the national coordinator, no filter and with a filter;
#   - the task list API of a province officer (scope restricted to the province);
#   - the task list page /tasks with a session cookie, when that page exists;
#   - the national view API, whole country and drilled down to one province;
# the goal endpoints again under a lighter load (-c4); then, timed with curl: the XLSX export of about 10,000 tasks and the import of a CSV of 10,000
# rows into an empty draft plan. Server memory (VmRSS, VmHWM) and the database size are printed.
#
# Goals (SQLite, 2 cores, 1,000,000 tasks): task list p95 < 50 ms, national view p95 < 200 ms;
# import of 10,000 rows < 2 s.
#
# Environment: WRK_DURATION (15s), WRK_THREADS (2), WRK_CONNECTIONS (16), BENCH_KEEP=1 keeps the
# data directories (their path is printed), BENCH_MULTIPLIER_MILLION (13).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
ROOT=$PWD

MILLION=0
PG_URL=${BENCH_PG_URL:-}
while [ $# -gt 0 ]; do
  case $1 in
    --million) MILLION=1 ;;
    --pg) PG_URL=${2:?--pg needs a postgres:// URL}; shift ;;
    -h | --help) sed -n '2,29p' "$0"; exit 0 ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; exit 2 ;;
  esac
  shift
done

WRK_DURATION=${WRK_DURATION:-15s}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-16}
# The goal endpoints (task list, national view) are also measured under this lighter load.
WRK_LIGHT_CONNECTIONS=${WRK_LIGHT_CONNECTIONS:-4}
CONNS=$WRK_CONNECTIONS
MILLION_MULTIPLIER=${BENCH_MULTIPLIER_MILLION:-13}
ADMIN_PASSWORD='bench-Passw0rd-2024'
BENCH_PASSWORD='bench-Tai-Thu-2024'


for tool in curl wrk awk sed; do
  command -v "$tool" >/dev/null || { log "$tool is required"; exit 1; }
done

log "building: cargo build --release -p dxgov"
cargo build --release -p dxgov >&2
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/dxgov
[ -x "$BIN" ] || { log "binary not found at $BIN"; exit 1; }

WORK=$(mktemp -d -t dxgov-bench-work.XXXXXX)
SERVER_PIDS=()
PG_SCHEMAS=()
PG_LOCAL_DIR=''
PG_BIN=''
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
SUMMARY_PRINTED=0
cleanup() {
  local pid s
  # A variant that failed half-way still shows what was measured before it.
  if [ "$SUMMARY_PRINTED" = 0 ] && declare -F print_summary >/dev/null; then print_summary; fi
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for s in "${PG_SCHEMAS[@]}"; do
    psql -q "$PG_URL" -c "DROP SCHEMA IF EXISTS \"$s\" CASCADE" >/dev/null 2>&1 || true
  done
  if [ -n "$PG_LOCAL_DIR" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_LOCAL_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_LOCAL_DIR"
  fi
  if [ -n "${BENCH_KEEP:-}" ]; then
    log "kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM





wrk_lua "$WORK/auth.lua"

SUMMARY=$WORK/summary.txt
: >"$SUMMARY"
print_summary() {
  SUMMARY_PRINTED=1
  echo
  echo "== summary (wrk -t$WRK_THREADS -d$WRK_DURATION on 127.0.0.1, [cN] = N connections; latency in ms)"
  cat "$SUMMARY"
  echo
  echo "Goals (SQLite, 2 cores, 1,000,000 tasks): task list p95 < 50 ms; national view p95 < 200 ms;"
  echo "import of 10,000 rows < 2 s. Compare with the sqlite-1m rows above (run with --million)."
}
row() { printf '%-12s %-52s %s\n' "$1" "$2" "$3" | tee -a "$SUMMARY" >/dev/null; }

# measure VARIANT LABEL PATH [token|cookie] -> runs wrk, prints its output and one summary row
measure() {
  local variant=$1 label=$2 path=$3 auth=${4:-token} out probe code
  label="$label [c$CONNS]"
  out=$WORK/$variant-$(printf '%s' "$label" | tr -c 'a-zA-Z0-9' '_').txt
  # One request first: its status and size, so a wrong URL or a refusal shows plainly.
  if [ "$auth" = cookie ]; then
    probe=$(curl -s -o "$out.body" -w '%{http_code} %{size_download} %{time_total}' -H "Cookie: $COOKIE" \
      "http://127.0.0.1:$PORT$path")
  else
    probe=$(curl -s -o "$out.body" -w '%{http_code} %{size_download} %{time_total}' -H "Authorization: Bearer $TOKEN" \
      "http://127.0.0.1:$PORT$path")
  fi
  code=${probe%% *}
  echo "== $label: GET $path (single request: HTTP $probe s)"
  if [ "$code" != 200 ]; then
    log "   unexpected HTTP $code: $(head -c 300 "$out.body")"
    row "$variant" "$label" "HTTP $code (not measured)"
    return 0
  fi
  if [ "$auth" = cookie ]; then
    BENCH_TOKEN='' BENCH_COOKIE=$COOKIE wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WRK_DURATION" --timeout 10s --latency \
      -s "$WORK/auth.lua" "http://127.0.0.1:$PORT$path" >"$out"
  else
    BENCH_TOKEN=$TOKEN BENCH_COOKIE='' wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WRK_DURATION" --timeout 10s --latency \
      -s "$WORK/auth.lua" "http://127.0.0.1:$PORT$path" >"$out"
  fi
  sed 's/^/  /' "$out"
  local pct reqs load
  pct=$(awk '/^PCT/ { sub(/^PCT /, ""); print }' "$out")
  reqs=$(awk '/^REQS/ { sub(/^REQS /, ""); print }' "$out")
  # The machine's 1-minute load average after the run: other work on the 2 cores shows here.
  load=$(cut -d ' ' -f 1 /proc/loadavg)
  echo "  load average (1 min) after the run: $load"
  row "$variant" "$label" "$pct ms; $reqs; load1=$load"
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
  # HttpOnly cookies are written as "#HttpOnly_host …" lines.
  sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }'
}

# The import file: 10,000 valid rows for the draft plan of unit $1, assigned to $2.
write_csv() {
  local org=$1 who=$2 file=$3
  {
    printf 'Số thứ tự,Tên nhiệm vụ,Mô tả,Đơn vị chủ trì,Đơn vị phối hợp,Người thực hiện,Ngày bắt đầu,Hạn hoàn thành\n'
    awk -v org="$org" -v who="$who" 'BEGIN {
      for (i = 1; i <= 10000; i++) {
        m = 1 + (i % 12); d = 1 + (i % 28)
        printf "NK.%d,Nhiệm vụ nhập thử số %d về số hóa hồ sơ,Mô tả nhiệm vụ %d,%s,,%s,01/01/2027,%02d/%02d/2027\n", i, i, i, org, who, d, m
      }
    }'
  } >"$file"
}

# run_variant NAME MULTIPLIER [PG_URL]
run_variant() {
  local name=$1 multiplier=$2 pg=${3:-} dir schema=''
  local -a db_args=()
  dir=$WORK/$name
  mkdir -p "$dir"
  if [ -n "$pg" ]; then
    schema="bench_work_$$_$name"
    PG_SCHEMAS+=("$schema")
    db_args=(--database-url "$pg")
    export DXGOV_DATABASE_SCHEMA=$schema
  else
    unset DXGOV_DATABASE_SCHEMA
  fi

  echo
  echo "######## $name: dxgov bench-data --multiplier $multiplier ${pg:+(PostgreSQL, schema $schema)}"
  local t0 t1
  t0=$(date +%s%3N)
  BENCH_PASSWORD=$BENCH_PASSWORD "$BIN" --data-dir "$dir" "${db_args[@]}" bench-data --multiplier "$multiplier" | tee "$dir/load.txt"
  t1=$(date +%s%3N)
  local tasks load_s db_size
  tasks=$(field "$dir/load.txt" BENCH_TASKS)
  load_s=$(field "$dir/load.txt" BENCH_SECONDS)
  if [ -n "$pg" ]; then
    db_size=$(psql -At "$pg" -c "SELECT pg_size_pretty(SUM(pg_total_relation_size(c.oid))) FROM pg_class c \
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$schema' AND c.relkind = 'r'" 2>/dev/null || echo '?')
  else
    db_size=$(du -ch "$dir"/dxgov.db* | awk 'END { print $1 }')
  fi
  row "$name" "tasks loaded" "$tasks"
  row "$name" "bench-data time (load / whole command)" "$load_s s / $(((t1 - t0) / 1000)) s"
  row "$name" "database size" "$db_size"

  PORT=$(free_port)
  DXGOV_ADMIN_PASSWORD=$ADMIN_PASSWORD DXGOV_LOGIN_PER_MINUTE=0 DXGOV_JOBS_INTERVAL_SECS=0 \
    "$BIN" --data-dir "$dir" "${db_args[@]}" serve --port "$PORT" --no-demo >"$dir/server.log" 2>&1 &
  local pid=$!
  SERVER_PIDS+=("$pid")
  t0=$(date +%s%3N)
  wait_healthz "$PORT" "$pid" || { cat "$dir/server.log" >&2; exit 1; }
  t1=$(date +%s%3N)
  sleep 1
  row "$name" "server start until /healthz" "$((t1 - t0)) ms"
  row "$name" "server memory after start (VmRSS)" "$(mem_mb "$pid" VmRSS) MB"

  TOKEN=$(token_for bench.dieuphoi "$BENCH_PASSWORD")
  [ -n "$TOKEN" ] || { log "no token for bench.dieuphoi"; exit 1; }
  local fw org
  fw=$(field "$dir/load.txt" BENCH_FRAMEWORK_ID)
  org=$(field "$dir/load.txt" BENCH_IMPORT_ORG)

  measure "$name" "task list API, national, no filter" "/api/v1/tasks?limit=50"
  measure "$name" "task list API, national, org=$org&status=overdue" "/api/v1/tasks?org=$org&status=overdue&limit=50"
  measure "$name" "task list API, national, q=du lieu" "/api/v1/tasks?q=du%20lieu&limit=50"
  local national_token=$TOKEN
  TOKEN=$(token_for "bench.$org.1" "$BENCH_PASSWORD")
  measure "$name" "task list API, province officer ($org)" "/api/v1/tasks?limit=50"
  TOKEN=$national_token
  COOKIE=$(cookie_for bench.dieuphoi "$BENCH_PASSWORD")
  measure "$name" "task list PAGE /tasks, national" "/tasks" cookie
  measure "$name" "national view API, country" "/api/v1/national/$fw"
  measure "$name" "national view API, org=$org" "/api/v1/national/$fw?org=$org"
  CONNS=$WRK_LIGHT_CONNECTIONS
  measure "$name" "task list API, national, no filter" "/api/v1/tasks?limit=50"
  measure "$name" "task list API, national, org=$org&status=overdue" "/api/v1/tasks?org=$org&status=overdue&limit=50"
  measure "$name" "task list API, national, q=du lieu" "/api/v1/tasks?q=du%20lieu&limit=50"
  measure "$name" "task list PAGE /tasks, national" "/tasks" cookie
  measure "$name" "national view API, country" "/api/v1/national/$fw"
  measure "$name" "national view API, org=$org" "/api/v1/national/$fw?org=$org"
  TOKEN=$(token_for "bench.$org.1" "$BENCH_PASSWORD")
  measure "$name" "task list API, province officer ($org)" "/api/v1/tasks?limit=50"
  measure "$name" "task list API, province officer, status=overdue" "/api/v1/tasks?status=overdue&limit=50"
  TOKEN=$national_token
  CONNS=$WRK_CONNECTIONS
  row "$name" "server memory after the load runs (VmRSS / VmHWM)" "$(mem_mb "$pid" VmRSS) / $(mem_mb "$pid" VmHWM) MB"

  # --- export of about 10,000 tasks: a deadline window sized from the total (deadlines spread
  # evenly over 2024-2027), then corrected by the count the list reports (which stops at 10,000:
  # a capped count halves the window) -----------------------------------------------------------
  local days total_hit capped filter probe body
  days=$(awk -v t="$tasks" 'BEGIN { d = int(365 * 10000 / (t / 4)); if (d < 1) d = 1; if (d > 365) d = 365; print d }')
  for _ in 1 2 3 4 5 6 7 8; do
    filter="from=2025-03-01&to=$(date -d "2025-03-01 + $((days - 1)) days" +%Y-%m-%d)"
    body=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/tasks?$filter&limit=1")
    total_hit=$(printf '%s' "$body" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
    capped=$(printf '%s' "$body" | sed -n 's/.*"total_capped":\(true\|false\).*/\1/p')
    [ -n "$total_hit" ] || break
    if [ "$capped" = true ]; then
      days=$(((days + 1) / 2))
    elif [ "$total_hit" -eq 0 ]; then
      days=$((days * 2))
    elif [ "$total_hit" -ge 9000 ] || [ "$days" -le 1 ]; then
      break
    else
      days=$(awk -v d="$days" -v n="$total_hit" 'BEGIN { x = int(d * 9500 / n); if (x < 1) x = 1; print x }')
    fi
  done
  echo "== XLSX export: GET /api/v1/tasks/export.xlsx?$filter ($total_hit tasks), 3 runs"
  local times=()
  for run in 1 2 3; do
    probe=$(curl -s -o "$dir/export.xlsx" -w '%{http_code} %{time_total} %{size_download}' \
      -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/tasks/export.xlsx?$filter")
    echo "  run $run: HTTP ${probe%% *}, ${probe#* } (seconds, bytes)"
    times+=("$(echo "$probe" | awk '{ print $2 }')")
  done
  row "$name" "XLSX export of $total_hit tasks (3 runs, s)" "${times[*]}"
  row "$name" "server memory after export (VmRSS / VmHWM)" "$(mem_mb "$pid" VmRSS) / $(mem_mb "$pid" VmHWM) MB"

  # --- import of 10,000 rows into the empty draft plan ------------------------------------------
  local plan admin_token
  plan=$(field "$dir/load.txt" BENCH_IMPORT_PLAN_ID)
  admin_token=$(token_for bench.admin "$BENCH_PASSWORD")
  write_csv "$org" "bench.$org.1" "$dir/import.csv"
  echo "== import: POST /api/v1/plans/$plan/tasks/import (10,000 rows, $(wc -c <"$dir/import.csv") bytes)"
  probe=$(curl -s -o "$dir/import.json" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $admin_token" \
    -H 'Content-Type: text/csv' --data-binary "@$dir/import.csv" "http://127.0.0.1:$PORT/api/v1/plans/$plan/tasks/import")
  echo "  HTTP ${probe%% *} in ${probe#* } s: $(head -c 300 "$dir/import.json")"
  if [ "${probe%% *}" = 200 ]; then
    row "$name" "import of 10,000 CSV rows" "${probe#* } s"
  else
    row "$name" "import of 10,000 CSV rows" "HTTP ${probe%% *} after ${probe#* } s (refused)"
    # The file in two halves (header + 5,000 rows each), so the import path is still measured.
    head -n 5001 "$dir/import.csv" >"$dir/import-1.csv"
    { head -n 1 "$dir/import.csv"; tail -n 5000 "$dir/import.csv"; } >"$dir/import-2.csv"
    local half halves=()
    for half in 1 2; do
      probe=$(curl -s -o "$dir/import-$half.json" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $admin_token" \
        -H 'Content-Type: text/csv' --data-binary "@$dir/import-$half.csv" \
        "http://127.0.0.1:$PORT/api/v1/plans/$plan/tasks/import")
      echo "  half $half (5,000 rows): HTTP ${probe%% *} in ${probe#* } s"
      halves+=("HTTP ${probe%% *} ${probe#* } s")
    done
    row "$name" "import of 2 x 5,000 CSV rows" "${halves[*]}"
  fi
  row "$name" "server memory at the end (VmRSS / VmHWM)" "$(mem_mb "$pid" VmRSS) / $(mem_mb "$pid" VmHWM) MB"

  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local p rest=()
  for p in "${SERVER_PIDS[@]}"; do
    [ "$p" = "$pid" ] || rest+=("$p")
  done
  SERVER_PIDS=("${rest[@]}")
  if [ -z "$pg" ] && [ -z "${BENCH_KEEP:-}" ]; then
    rm -rf "$dir"
  fi
}

run_variant sqlite-77k 1
if [ "$MILLION" = 1 ]; then
  run_variant sqlite-1m "$MILLION_MULTIPLIER"
fi
if [ "$PG_URL" = local ]; then
  # A throw-away server like scripts/test.sh starts, but with the default durability settings.
  PG_BIN=$(dirname "$(find /usr/lib/postgresql -path '*/bin/initdb' | sort -V | tail -n 1)")
  [ -x "$PG_BIN/initdb" ] || { log "--pg local needs PostgreSQL (apt-get install postgresql)"; exit 1; }
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  PG_LOCAL_DIR=$(mktemp -d /tmp/dxgov-bench-pg.XXXXXX)
  chown postgres "$PG_LOCAL_DIR"
  pg_port=$(free_port)
  as_pg "$PG_BIN/initdb" -D "$PG_LOCAL_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$PG_LOCAL_DIR/data" -l "$PG_LOCAL_DIR/log" -w \
    -o "-p $pg_port -k $PG_LOCAL_DIR -c listen_addresses=127.0.0.1" start >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
  echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$pg_port"
fi
if [ -n "$PG_URL" ]; then
  command -v psql >/dev/null || { log "psql is required for --pg"; exit 1; }
  run_variant pg-77k 1 "$PG_URL"
fi

print_summary
