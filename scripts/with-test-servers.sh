#!/usr/bin/env bash
# Starts the same throwaway servers test.sh starts, runs one command with their IMAGEDEDUP_TEST_*
# variables, and stops them. For running a single test project while developing:
#   scripts/with-test-servers.sh dotnet test tests/ImageDedup.S3.Tests --filter FaultTests
set -uo pipefail
cd "$(dirname "$0")/.."
cleanup=()
trap 'for ((i = ${#cleanup[@]} - 1; i >= 0; i--)); do eval "${cleanup[$i]}" || true; done' EXIT
for starter in scripts/test-servers/*.sh; do
  # shellcheck source=/dev/null
  source "$starter" || exit 1
done
"$@"
