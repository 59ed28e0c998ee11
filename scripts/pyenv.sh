#!/usr/bin/env bash
# The Python virtualenv that the tests' third-party validators run in (scripts/validators/):
# made at ${VALIDATORS_VENV:-$HOME/.cache/dxgov-venv} with `python3 -m venv`, filled with the pinned
# packages of scripts/validators/requirements.txt, and rebuilt from scratch only when that file
# changes (its SHA-256 is kept in the venv). Installs Debian's python3-venv when python3 has no
# venv/ensurepip. Fast when nothing changed; safe to run from several processes at once.
#
# The last line on stdout is the venv's python, everything else goes to stderr:
#   export VALIDATORS_PYTHON=$(scripts/pyenv.sh | tail -1)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
requirements="$here/validators/requirements.txt"
venv="${VALIDATORS_VENV:-$HOME/.cache/dxgov-venv}"
python="$venv/bin/python"
stamp="$venv/.dxgov-requirements.sha256"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"

ready() {
  [[ -x "$python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && "$python" -c '' 2>/dev/null
}

if ready; then
  echo "$python"
  exit 0
fi

# From here on only the final path goes to stdout.
exec 3>&1 1>&2

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if ready; then # another process built it while this one waited
  echo "$python" >&3
  exit 0
fi

has_venv() { command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' >/dev/null 2>&1; }
if ! has_venv; then
  sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "pyenv: python3 -m venv is unavailable and installing python3-venv needs root (or sudo)"
      exit 1
    fi
  fi
  echo "pyenv: installing python3 python3-venv"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
  has_venv || { echo "pyenv: python3 -m venv is still unavailable"; exit 1; }
fi

echo "pyenv: making $venv from $(python3 --version 2>&1) with scripts/validators/requirements.txt"
rm -f "$stamp"
python3 -m venv --clear "$venv"
pip=("$python" -m pip --disable-pip-version-check --no-input --quiet)
PIP_REQUIRE_VIRTUALENV=1 "${pip[@]}" install --no-deps -r "$requirements"
"${pip[@]}" check
"$python" -c 'import icalendar, feedparser'
echo "$want" >"$stamp"
echo "pyenv: ready"
echo "$python" >&3
