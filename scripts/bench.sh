#!/usr/bin/env bash
# Foundation benchmarks for dxgov. Prints figures; asserts nothing on wall-clock time.
#
#   scripts/bench.sh            # everything
#   BENCH_SKIP_CRITERION=1 scripts/bench.sh   # server-level figures only
#
# Figures: cold start of `dxgov serve` on an empty data directory until /healthz answers
# (5 runs, median), resident memory after start (idle) and after load, /healthz throughput and
# login throughput with wrk, and the criterion benchmark `foundation` (subtree of the country).
# All load goes to 127.0.0.1 only; every load run is bounded in time (wrk -d) and every polling
# loop is bounded in count.
#
# Goals (2-core machine): cold start < 2 s including reference data, idle RSS < 60 MB,
# /healthz > 20,000 requests/s.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
ROOT=$PWD

COLD_RUNS=${COLD_RUNS:-5}
WRK_DURATION=${WRK_DURATION:-10s}
ADMIN_PASSWORD='bench-Passw0rd-2024'


# --- tools -----------------------------------------------------------------------------------
command -v curl >/dev/null || { log "curl is required"; exit 1; }
if ! command -v wrk >/dev/null; then
  command -v apt-get >/dev/null || { log "wrk is required (and apt-get is not available to install it)"; exit 1; }
  log "wrk not found; installing it with apt-get"
  if [ "$(id -u)" = 0 ]; then APT=(apt-get); else APT=(sudo apt-get); fi
  "${APT[@]}" update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq wrk >/dev/null || { log "apt-get install wrk failed"; exit 1; }
fi
command -v wrk >/dev/null || { log "wrk is required"; exit 1; }

log "building: cargo build --release -p dxgov"
cargo build --release -p dxgov >&2
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/dxgov
[ -x "$BIN" ] || { log "binary not found at $BIN"; exit 1; }

# --- bookkeeping: every server and temp dir is removed on exit ---------------------------------
WORK=$(mktemp -d -t dxgov-bench.XXXXXX)
SERVER_PIDS=()
cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }


# start_server DATA_DIR PORT LOGFILE -> sets SERVER_PID
start_server() {
  local dir=$1 port=$2 logfile=$3
  DXGOV_ADMIN_PASSWORD=$ADMIN_PASSWORD DXGOV_LOGIN_PER_MINUTE=0 \
    "$BIN" serve --data-dir "$dir" --port "$port" --no-demo >"$logfile" 2>&1 &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
}

stop_server() {
  local pid=$1 p rest=()
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${SERVER_PIDS[@]}"; do
    [ "$p" = "$pid" ] || rest+=("$p")
  done
  SERVER_PIDS=("${rest[@]}")
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# wrk prints "Requests/sec:  12345.67"
wrk_rps() { awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1"; }
# wrk --latency prints "     50%    1.23ms"
wrk_pct() { awk -v p="$2" '$1 == p { print $2 }' "$1"; }

# --- a) cold start ----------------------------------------------------------------------------
echo "== cold start: dxgov serve --no-demo on an empty data dir until /healthz answers ($COLD_RUNS runs)"
COLD=()
for ((run = 1; run <= COLD_RUNS; run++)); do
  dir=$WORK/cold-$run
  port=$(free_port)
  t0=$(now_ms)
  start_server "$dir" "$port" "$WORK/cold-$run.log"
  # Polled every 10 ms: the cold start is timed by it.
  if ! wait_healthz "$port" "$SERVER_PID" 0.01; then
    log "server did not answer /healthz; its log:"
    cat "$WORK/cold-$run.log" >&2
    exit 1
  fi
  t1=$(now_ms)
  ms=$((t1 - t0))
  COLD+=("$ms")
  printf '  run %d: %d ms\n' "$run" "$ms"
  stop_server "$SERVER_PID"
  rm -rf "$dir"
done
COLD_MEDIAN=$(printf '%s\n' "${COLD[@]}" | median)
echo "  median: $COLD_MEDIAN ms"

# --- b) resident memory, c) /healthz throughput, d) login throughput --------------------------
echo "== one server for memory and throughput"
dir=$WORK/load
port=$(free_port)
start_server "$dir" "$port" "$WORK/load.log"
PID=$SERVER_PID
wait_healthz "$port" "$PID" || { cat "$WORK/load.log" >&2; exit 1; }
sleep 2
RSS_IDLE=$(mem_mb "$PID" VmRSS)
echo "  resident memory after start (idle 2 s): $RSS_IDLE MB"

echo "== /healthz throughput: wrk -t2 -c64 -d$WRK_DURATION http://127.0.0.1:$port/healthz"
wrk -t2 -c64 -d"$WRK_DURATION" --latency "http://127.0.0.1:$port/healthz" >"$WORK/healthz.txt"
sed 's/^/  /' "$WORK/healthz.txt"
HEALTHZ_RPS=$(wrk_rps "$WORK/healthz.txt")
echo "  /healthz: $HEALTHZ_RPS requests/s"
RSS_AFTER_HEALTHZ=$(mem_mb "$PID" VmRSS)
echo "  resident memory after /healthz load: $RSS_AFTER_HEALTHZ MB"

cat >"$WORK/login.lua" <<LUA
wrk.method = "POST"
wrk.path = "/api/v1/auth/token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"admin","password":"$ADMIN_PASSWORD"}'

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  ok = 0
  bad = 0
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local total_ok, total_bad = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_bad = total_bad + t:get("bad")
  end
  io.write(string.format("STATUS ok=%d non200=%d\n", total_ok, total_bad))
end
LUA

# One request first so a wrong password or a disabled endpoint shows plainly.
code=$(curl -s -o "$WORK/login-probe.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "http://127.0.0.1:$port/api/v1/auth/token")
echo "== login probe: HTTP $code"
[ "$code" = 200 ] || { log "login probe failed: $(cat "$WORK/login-probe.json")"; }

echo "== login throughput: wrk -t2 -c8 -d$WRK_DURATION -s login.lua http://127.0.0.1:$port"
wrk -t2 -c8 -d"$WRK_DURATION" --latency -s "$WORK/login.lua" "http://127.0.0.1:$port" >"$WORK/login.txt"
sed 's/^/  /' "$WORK/login.txt"
LOGIN_RPS=$(awk '/^Requests\/sec:/ { printf "%.1f", $2 }' "$WORK/login.txt")
LOGIN_P50=$(wrk_pct "$WORK/login.txt" 50%)
LOGIN_P99=$(wrk_pct "$WORK/login.txt" 99%)
LOGIN_STATUS=$(awk '/^STATUS/ { print $2, $3 }' "$WORK/login.txt")
echo "  login: $LOGIN_RPS requests/s, p50 $LOGIN_P50, p99 $LOGIN_P99, responses: $LOGIN_STATUS"
RSS_AFTER_LOGIN=$(mem_mb "$PID" VmRSS)
echo "  resident memory after login load: $RSS_AFTER_LOGIN MB"
stop_server "$PID"

# --- e) criterion: subtree of the country -----------------------------------------------------
SUBTREE="(skipped)"
SUBTREE_ALL="(skipped)"
SEARCH="(skipped)"
if [ -z "${BENCH_SKIP_CRITERION:-}" ]; then
  echo "== cargo bench -p dxgov --bench foundation"
  cargo bench -p dxgov --bench foundation 2>&1 | tee "$WORK/criterion.txt" | sed 's/^/  /'
  # criterion prints "foundation/NAME\n   time:   [low mid high]" (name and time may share a line)
  crit() {
    awk -v name="foundation/$1" '
      index($0, name) { found = 1 }
      found && /time:/ { sub(/.*time:[ \t]*\[/, ""); split($0, a, " "); print a[3], a[4]; exit }
    ' "$WORK/criterion.txt"
  }
  SUBTREE=$(crit subtree_of_country)
  SUBTREE_ALL=$(crit subtree_all_history)
  SEARCH=$(crit org_search_quang_ngai)
fi

# --- summary ----------------------------------------------------------------------------------
met() { if awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN { exit !(op == "<" ? v < g : v > g) }'; then echo met; else echo "NOT met"; fi; }
echo
echo "== summary"
printf '%-40s %-26s %-14s %s\n' figure value goal status
printf '%-40s %-26s %-14s %s\n' "cold start to /healthz (median of $COLD_RUNS)" "$COLD_MEDIAN ms" "< 2000 ms" "$(met "$COLD_MEDIAN" 2000 '<')"
printf '%-40s %-26s %-14s %s\n' "resident memory, idle after start" "$RSS_IDLE MB" "< 60 MB" "$(met "$RSS_IDLE" 60 '<')"
printf '%-40s %-26s %-14s %s\n' "resident memory after /healthz load" "$RSS_AFTER_HEALTHZ MB" "-" "-"
printf '%-40s %-26s %-14s %s\n' "resident memory after login load" "$RSS_AFTER_LOGIN MB" "-" "-"
printf '%-40s %-26s %-14s %s\n' "/healthz throughput (wrk -t2 -c64)" "$HEALTHZ_RPS req/s" "> 20000 req/s" "$(met "$HEALTHZ_RPS" 20000 '>')"
printf '%-40s %-26s %-14s %s\n' "login throughput (wrk -t2 -c8)" "$LOGIN_RPS req/s" "-" "-"
printf '%-40s %-26s %-14s %s\n' "login latency p50 / p99" "$LOGIN_P50 / $LOGIN_P99" "-" "-"
printf '%-40s %-26s %-14s %s\n' "login responses" "$LOGIN_STATUS" "all 200" "$(case "$LOGIN_STATUS" in *non200=0) echo met ;; *) echo "NOT met" ;; esac)"
printf '%-40s %-26s %-14s %s\n' "subtree of country, today (criterion)" "$SUBTREE" "-" "-"
printf '%-40s %-26s %-14s %s\n' "subtree, all history (criterion)" "$SUBTREE_ALL" "-" "-"
printf '%-40s %-26s %-14s %s\n' "org search \"quang ngai\" (criterion)" "$SEARCH" "-" "-"
