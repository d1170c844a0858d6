#!/usr/bin/env bash
# Install Debian's Chromium for the dashboard's browser test, when it is missing and this
# machine can: Debian or Ubuntu, as root. Elsewhere the test skips and says why.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: no chromium, and no root apt-get to install it; the browser test will skip" >&2
    exit 0
fi
echo "install_browser: installing Debian's chromium (once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium >/dev/null
