#!/usr/bin/env bash
# Makes sure the real-browser test (crates/dxgov/tests/it/browser.rs) can run: Debian's
# chromium at /usr/bin/chromium and its chromedriver at /usr/bin/chromedriver.
# Idempotent: does nothing when both are already there. Needs root (or sudo) to install.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
    echo "browser-deps: $CHROMIUM and $CHROMEDRIVER already installed"
else
    SUDO=()
    if [[ "$(id -u)" -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "browser-deps: need root (or sudo) to install chromium and chromium-driver" >&2
            exit 1
        fi
    fi
    echo "browser-deps: installing chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
fi

for bin in "$CHROMIUM" "$CHROMEDRIVER"; do
    if [[ ! -x "$bin" ]]; then
        echo "browser-deps: $bin is still missing after the install" >&2
        exit 1
    fi
done
"$CHROMIUM" --version 2>/dev/null || true
"$CHROMEDRIVER" --version 2>/dev/null || true
