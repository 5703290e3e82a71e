#!/usr/bin/env bash
# Makes sure Debian's chromium is there for the browser tests (Playwright drives the system browser;
# nothing downloads a browser of its own). Installs it when running as root, else says how.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "The browser tests need Debian's chromium: sudo apt-get install -y chromium" >&2
  exit 1
fi
