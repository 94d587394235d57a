#!/usr/bin/env bash
# Installs Debian's chromium for the sample app's page test (tests/ImageDedup.SampleApi.Tests:
# Microsoft.Playwright drives /usr/bin/chromium by its path; Playwright's own browser downloads
# cannot run here). Sourced or run by test.sh; quiet, and fails loudly when it is missing and
# cannot be installed.
install_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium: /usr/bin/chromium missing; install it (as root: apt-get install chromium)" >&2
    return 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium </dev/null >/dev/null ||
    { echo "chromium: apt-get install chromium failed" >&2; return 1; }
  [ -x /usr/bin/chromium ] || { echo "chromium: installed, but no /usr/bin/chromium" >&2; return 1; }
}
if [ "${BASH_SOURCE[0]}" = "$0" ]; then install_chromium; fi
