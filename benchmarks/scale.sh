#!/usr/bin/env bash
# How each operation's cost grows with the store (issue 14). Fills a PostgreSQL and a SQLite
# catalogue in bulk by SQL at two sizes (default 10^4 and 10^6 originals, ~1.2 references each,
# ~1,000 Zipf-clustered scopes; blob-store calls only counted), times the p50 of each operation over
# up to 1,000 operations x 3 repetitions on each, and prints one line per figure, "NAME RATIO"
# (large / small; flat is 1.0). Details (absolute p50s, op counts, population time) go first, as
# lines starting with '#'.
#
#   benchmarks/scale.sh                     # 10^4 vs 10^6
#   benchmarks/scale.sh --size 10000000     # 10^4 vs 10^7, by hand (~8 GB of PostgreSQL, tens of minutes)
#   benchmarks/scale.sh --short             # 10^3 vs 10^4, fewer operations (./test.sh runs this)
#   benchmarks/scale.sh --stores sqlite     # one store only; also --small N --ops N --repetitions N
#   benchmarks/scale.sh --no-build ...      # use the Release build already there (the test suite does)
#
# PostgreSQL: the server of IMAGEDEDUP_TEST_POSTGRES, or a throw-away one started (and stopped) here
# by scripts/test-servers/postgres.sh. Asserts nothing about time; exits non-zero when the run fails.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build=1
args=()
for arg in "$@"; do
  if [ "$arg" = --no-build ]; then build=0; else args+=("$arg"); fi
done

configuration=${CONFIGURATION:-Release}
project=benchmarks/ImageDedup.Scale
if [ "$build" -eq 1 ]; then
  dotnet build "$project" -c "$configuration" -nologo -clp:ErrorsOnly >&2 || { echo "scale.sh: the build failed" >&2; exit 1; }
fi

cleanup=()
trap 'for ((i = ${#cleanup[@]} - 1; i >= 0; i--)); do eval "${cleanup[$i]}" || true; done' EXIT
# A server started here keeps fsync, synchronous_commit and full_page_writes on, as a real one does:
# the tests' throw-away settings would leave the disk out of PostgreSQL's figures and in SQLite's.
export IMAGEDEDUP_TEST_POSTGRES_DURABLE=1
# shellcheck source=scripts/test-servers/postgres.sh
source scripts/test-servers/postgres.sh >&2 || { echo "scale.sh: no PostgreSQL server" >&2; exit 1; }

dotnet "$project/bin/$configuration/net10.0/ImageDedup.Scale.dll" "${args[@]}"
