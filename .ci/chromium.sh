#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver for the web pages' browser test
# (tests/test_pages_browser.py). Best effort: where they cannot be installed, say so and the test
# skips with its reason; everything else still runs.
set -u
log=/tmp/briefbot-ci-chromium.log
command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 && exit 0
{
  command -v apt-get >/dev/null 2>&1 || exit 1
  timeout 300 apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq chromium chromium-driver
} >"$log" 2>&1 || echo "chromium unavailable (see $log): the browser test will skip" >&2
exit 0
