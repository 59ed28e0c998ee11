# shellcheck shell=bash
# Shared helpers of the benchmark scripts (sourced, not run): finding a port, waiting for a
# server, reading memory, and the Lua script that makes wrk print p50/p95/p99 and its counts.
# Every polling loop is bounded in count.

log() { printf '%s\n' "$*" >&2; }

# A port on 127.0.0.1 that nothing listens on (at most 100 tries).
free_port() {
  local i p
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  log "no free port found"
  return 1
}

# wait_healthz PORT PID [STEP] -> 0 when /healthz answered "ok" (polls every STEP seconds,
# 0.05 by default; gives up after 120 s or when PID is gone)
wait_healthz() {
  local port=$1 pid=$2 step=${3:-0.05} deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    if [ "$(curl -s --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null)" = ok ]; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep "$step"
  done
  return 1
}

# mem_mb PID VmRSS|VmHWM -> megabytes
mem_mb() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# The value of a `KEY=value` line of FILE.
field() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

# wrk_lua FILE [LUA…] -> the Lua script wrk runs: an Authorization or Cookie header from
# BENCH_TOKEN / BENCH_COOKIE, the extra Lua lines given (a method and body), and a done() that
# prints the percentiles wrk does not (p95) in milliseconds, and the counts:
#   PCT p50=… p95=… p99=… max=…
#   REQS n=… rps=… errors=… non2xx=…
wrk_lua() {
  local file=$1
  shift
  cat >"$file" <<'LUA'
local token = os.getenv("BENCH_TOKEN")
local cookie = os.getenv("BENCH_COOKIE")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
wrk.headers["Accept-Encoding"] = "gzip"

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("PCT p50=%.2f p95=%.2f p99=%.2f max=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("REQS n=%d rps=%.1f errors=%d non2xx=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), errors, summary.errors.status))
end
LUA
  printf '%s\n' "$@" >>"$file"
}
