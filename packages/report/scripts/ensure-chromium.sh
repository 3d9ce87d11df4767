#!/usr/bin/env bash
# Make sure Debian's Chromium is installed at /usr/bin/chromium (the report browser test
# drives it with playwright-core). Idempotent: does nothing when it is already there.
# Needs root (or sudo) and access to the Debian apt mirrors. Used by CI.
set -euo pipefail

CHROMIUM="${STRATA_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "ensure-chromium: found $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium by hand and set STRATA_CHROMIUM to its path." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "ensure-chromium: installing chromium needs root; rerun as root or install sudo." >&2
    exit 1
  fi
fi

echo "ensure-chromium: $CHROMIUM not found; installing Debian's chromium with apt-get"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
