#!/usr/bin/env bash
# The whole test suite, as README.md gives it: installs what the tests need (PostgreSQL server,
# Chromium + ChromeDriver from Debian, a Python virtualenv with third-party validators), starts a throw-away PostgreSQL on a loopback port, and
# runs every test twice: on SQLite, then on PostgreSQL (TEST_DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dxgov-target}"
export CARGO_TERM_COLOR=never

# 1. System packages the tests use.
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# Independent checkers of the DOCX and PDF documents (crates/documents tests).
[ -x /usr/bin/pdftotext ] || missing+=(poppler-utils)
[ -x /usr/bin/soffice ] || missing+=(libreoffice-writer-nogui)
# Times New Roman's widths for LibreOffice (without it, the wider DejaVu breaks the header lines).
[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || missing+=(fonts-liberation2)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 1b. Python virtualenv with the third-party validators (scripts/validators/requirements.txt).
VALIDATORS_PYTHON=$(scripts/pyenv.sh | tail -n 1)
export VALIDATORS_PYTHON

# 2. A PostgreSQL server of our own, in a temp dir, on a free loopback port.
pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
pguser=postgres
id "$pguser" >/dev/null 2>&1 || useradd --system --no-create-home "$pguser"
pgdata=$(mktemp -d /tmp/dxgov-pg.XXXXXX)
chown "$pguser" "$pgdata"
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$pguser" -- "$@"; else "$@"; fi; }
as_pg "$pgbin/initdb" -D "$pgdata/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdata/data" -l "$pgdata/log" -w \
  -o "-p $pgport -k $pgdata -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
cleanup() { as_pg "$pgbin/pg_ctl" -D "$pgdata/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdata"; }
trap cleanup EXIT
echo "== PostgreSQL on 127.0.0.1:$pgport"

# 3. The suite on each backend (unit and integration tests; there are no doc tests).
log=$(mktemp /tmp/dxgov-test.XXXXXX)
echo "== format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
status=0
echo "== tests on SQLite"
cargo test --workspace --lib --bins --tests --no-fail-fast 2>&1 | tee -a "$log" || status=1
echo "== tests on PostgreSQL"
TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/postgres" \
  cargo test --workspace --lib --bins --tests --no-fail-fast 2>&1 | tee -a "$log" || status=1
passed=$(grep -oE '^test result: .* ([0-9]+) passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE '^test result: .*; ([0-9]+) failed' "$log" | grep -oE '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
rm -f "$log"
[ "$failed" = 0 ] || status=1
echo "both backends: $passed passed, $failed failed"
exit "$status"
