#!/usr/bin/env bash
# Makes sure Debian's nginx is there for `make scale-test` (the router in front of the Rasa replicas and
# the action servers) and for the nginx config tests. Installs it when missing and running as root, else
# says how. Only the binary is used: the scale test runs it as its own child process with a config in a
# scratch folder; the package's system service is not started or enabled here.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing nginx-light for the scale test's router"
  # policy-rc.d 101: the package's postinst must not start the system nginx on port 80.
  cleanup() { rm -f /usr/sbin/policy-rc.d; }
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap cleanup EXIT
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
else
  echo "The scale test needs Debian's nginx: sudo apt-get install -y nginx-light" >&2
  exit 1
fi
