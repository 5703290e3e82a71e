#!/usr/bin/env bash
# Makes sure Debian's chromium (and a Chinese font, so screenshots show the Chinese text) is there for
# the browser tests: Playwright drives the system browser, nothing downloads a browser of its own.
# Installs what is missing when running as root, else says how.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif [ -x /usr/bin/chromium ]; then
  echo "note: without fonts-wqy-microhei, Chinese shows as boxes in the test screenshots" >&2
else
  echo "The browser tests need Debian's chromium: sudo apt-get install -y chromium fonts-wqy-microhei" >&2
  exit 1
fi
