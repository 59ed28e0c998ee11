#!/usr/bin/env bash
# Benchmark of citizen feedback (issue 5). Prints figures; asserts nothing on wall-clock time.
#
#   scripts/bench-feedback.sh [--skip-classifier]
#
# Figures, on one release server on SQLite in a fresh data directory (demo data loaded: the
# categories, routing rules and the demo Open311 key), all load on 127.0.0.1:
#   - /healthz throughput under wrk (the baseline of this run);
#   - intake: POST /open311/v2/requests.json (form-encoded, api_key, a Vietnamese description,
#     location, category) under wrk with the same connections: requests/s, p50/p95/p99; every
#     answered report is committed and synced to disk before its answer (WAL, synchronous=FULL:
#     survives a power cut; reports arriving together share one commit) — checked after the run
#     by counting the stored rows against wrk's 2xx count;
#   - the ratio intake ÷ /healthz;
#   - then scripts/bench-classify.sh (classifier throughput, training time, accuracy and
#     macro-F1 beside scikit-learn's TF-IDF + LinearSVC on the VNTC split), unless skipped.
#
# Goals (2 cores): ≥ 2,000 durable reports/s; the classifier ≥ 10× the baseline's texts/s with
# macro-F1 not below it.
#
# Environment: WRK_DURATION (10s), WRK_THREADS (2), WRK_CONNS (32); BENCH_BIN measures that
# binary instead of building this tree (e.g. an older build, for a before/after comparison).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
ROOT=$PWD

SKIP_CLASSIFIER=0
while [ $# -gt 0 ]; do
  case $1 in
    --skip-classifier) SKIP_CLASSIFIER=1 ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; exit 2 ;;
  esac
  shift
done

WRK_DURATION=${WRK_DURATION:-10s}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-32}
for tool in curl wrk awk sed python3 sqlite3; do
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

WORK=$(mktemp -d -t dxgov-bench-feedback.XXXXXX)
SERVER_PID=''
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(free_port)
DXGOV_ADMIN_PASSWORD='bench-Passw0rd-2024' DXGOV_DEMO_PASSWORD='bench-Tai-Thu-2024' \
  DXGOV_LOGIN_PER_MINUTE=0 DXGOV_FEEDBACK_PER_MINUTE=0 DXGOV_JOBS_INTERVAL_SECS=0 DXGOV_LOG=warn \
  "$BIN" serve --data-dir "$WORK/data" --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_healthz "$PORT" "$SERVER_PID" || { log "server did not start:"; tail -n 30 "$WORK/server.log" >&2; exit 1; }
START_RSS=$(mem_mb "$SERVER_PID" VmRSS)
KEY=$(sed -n 's/.*api_key mẫu: \([^)]*\)).*/\1/p' "$WORK/server.log" | tail -n 1)
[ -n "$KEY" ] || { log "no demo Open311 key in the server's output"; exit 1; }
DB=$WORK/data/dxgov.db
stored() { sqlite3 "$DB" "SELECT COUNT(*) FROM feedback WHERE source = 'open311'"; }

BODY=$(KEY=$KEY python3 -c '
import os, urllib.parse
print(urllib.parse.urlencode({
    "api_key": os.environ["KEY"], "jurisdiction_id": "21025", "service_code": "moi-truong",
    "lat": "15.1205", "long": "108.7923", "address_string": "Bờ sông Trà Khúc, tổ 5, phường Cẩm Thành",
    "description": "Rác thải sinh hoạt bị đổ trộm ven bờ sông, bốc mùi hôi thối, ruồi nhặng nhiều; đề nghị thu gom.",
    "email": "nguoidan@example.vn", "attribute[pham_vi]": "cong_dong",
}))')
# The body must be accepted before it is measured.
probe=$(curl -s -o "$WORK/probe.json" -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' \
  --data "$BODY" "http://127.0.0.1:$PORT/open311/v2/requests.json")
[ "$probe" = 200 ] || { log "POST requests.json answered $probe: $(head -c 300 "$WORK/probe.json")"; exit 1; }

wrk_lua "$WORK/get.lua"
wrk_lua "$WORK/post.lua" 'wrk.method = "POST"' \
  'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"' \
  "wrk.body = \"$BODY\""

SUMMARY=$WORK/summary.txt
: >"$SUMMARY"
row() { printf '%-46s %s\n' "$1" "$2" | tee -a "$SUMMARY" >/dev/null; }
pct() { awk '/^PCT/ { sub(/^PCT /, ""); print }' "$1"; }
reqs() { awk -v k="$2" '/^REQS/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"; }

run() { # run LABEL LUA PATH OUT
  echo "== $1: wrk -t$WRK_THREADS -c$WRK_CONNS -d$WRK_DURATION $3"
  wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$WRK_DURATION" --timeout 30s --latency -s "$2" \
    "http://127.0.0.1:$PORT$3" >"$4"
  sed 's/^/  /' "$4"
}

run "/healthz" "$WORK/get.lua" /healthz "$WORK/healthz.txt"
before=$(stored)
run "intake" "$WORK/post.lua" /open311/v2/requests.json "$WORK/intake.txt"
after=$(stored)
n=$(reqs "$WORK/intake.txt" n)
non2xx=$(reqs "$WORK/intake.txt" non2xx)
errors=$(reqs "$WORK/intake.txt" errors)
healthz_rps=$(reqs "$WORK/healthz.txt" rps)
intake_rps=$(reqs "$WORK/intake.txt" rps)
row "/healthz [c$WRK_CONNS]" "$healthz_rps requests/s; $(pct "$WORK/healthz.txt") ms"
row "POST /open311/v2/requests.json [c$WRK_CONNS]" "$intake_rps reports/s; $(pct "$WORK/intake.txt") ms"
row "  answered 2xx / stored in the database" "$((n - non2xx)) / $((after - before)) (errors $errors, non-2xx $non2xx)"
row "  intake ÷ /healthz" "$(awk -v a="$intake_rps" -v b="$healthz_rps" 'BEGIN { printf "%.3f", a / b }')"
row "server memory after start / at the end" "$START_RSS / $(mem_mb "$SERVER_PID" VmRSS) MB VmRSS (peak $(mem_mb "$SERVER_PID" VmHWM) MB; includes SQLite's memory-mapped file pages)"
row "database file after the run" "$(du -m "$DB" | cut -f1) MB (+ WAL $(du -m "$DB-wal" 2>/dev/null | cut -f1 || echo 0) MB)"
row "goal ≥ 2,000 durable reports/s" "$(awk -v a="$intake_rps" 'BEGIN { print (a >= 2000) ? "met" : "NOT met" }')"

echo
echo "== summary (SQLite, $(nproc) cores, 127.0.0.1)"
cat "$SUMMARY"

if [ "$SKIP_CLASSIFIER" = 0 ]; then
  echo
  scripts/bench-classify.sh
fi
