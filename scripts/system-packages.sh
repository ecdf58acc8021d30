#!/usr/bin/env bash
# Install the Debian packages the playground needs, only those that are missing.
# Usage: scripts/system-packages.sh [--browser]
set -euo pipefail

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v msgfmt >/dev/null || need+=(gettext)
command -v dot >/dev/null || need+=(graphviz)
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
if [ "${1:-}" = "--browser" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  # The multi-host test (tests/hosts/) balances its two Daphne with deploy/haproxy/haproxy.cfg.
  command -v haproxy >/dev/null || need+=(haproxy)
  # Japanese text in screenshots needs a CJK font.
  dpkg -s fonts-ipafont-gothic >/dev/null 2>&1 || dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
    || need+=(fonts-ipafont-gothic)
fi
[ ${#need[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -q
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
else
  echo "Missing Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
