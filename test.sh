#!/usr/bin/env bash
# The whole test suite on a fresh machine: restores, starts the servers the tests need (and stops
# them afterwards, also on failure), runs every test project, and ends with one line
# "N passed, N failed" summed over all of them. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

configuration=${CONFIGURATION:-Release}
results=$(mktemp -d "${TMPDIR:-/tmp}/imagededup-tests.XXXXXX")
cleanup=()
on_exit() {
  for ((i = ${#cleanup[@]} - 1; i >= 0; i--)); do eval "${cleanup[$i]}" || true; done
  rm -rf "$results"
}
trap on_exit EXIT

# Real images for the truncation tests: Debian's icon and wallpaper packages.
# shellcheck source=scripts/real-images.sh
source scripts/real-images.sh
install_real_images || { echo "test.sh: the real-image packages could not be installed" >&2; echo "0 passed, 1 failed"; exit 1; }

# Debian's chromium, which the sample app's page test drives through Playwright.
# shellcheck source=scripts/chromium.sh
source scripts/chromium.sh
install_chromium || { echo "test.sh: chromium could not be installed" >&2; echo "0 passed, 1 failed"; exit 1; }

# Servers: each script prints the environment its tests need and registers how to stop it.
for starter in scripts/test-servers/*.sh; do
  [ -e "$starter" ] || continue
  # shellcheck source=/dev/null
  source "$starter" || { echo "test.sh: $starter could not start its server" >&2; echo "0 passed, 1 failed"; exit 1; }
done

# The container pass (IMAGEDEDUP_TEST_CONTAINERS=1; .ci/run sets it) runs the PostgreSQL and S3
# conformance suites (the engine matrix's pairs included) once more, against servers the Testcontainers fixtures start from the images
# scripts/container-images.sh builds or finds (starting a Docker engine when none runs). It starts
# now, in its own process group, so a first build of the images overlaps the solution's build.
container_projects=()
if [ "${IMAGEDEDUP_TEST_CONTAINERS:-}" = 1 ]; then
  container_projects=(tests/ImageDedup.Postgres.Tests tests/ImageDedup.S3.Tests tests/ImageDedup.Matrix.Tests)
  export IMAGEDEDUP_TEST_CONTAINER_RUN="test-sh-$(date +%s)-$$"
  setsid -w scripts/container-images.sh --engine-file "$results/engine" \
    >"$results/containers.env" 2>"$results/containers.log" </dev/null &
  container_images=$!
  cleanup+=("kill -TERM -- -$container_images 2>/dev/null; wait $container_images 2>/dev/null; scripts/container-images.sh --stop $results/engine $IMAGEDEDUP_TEST_CONTAINER_RUN")
fi

if ! dotnet build ImageDedup.sln -c "$configuration" -nologo -clp:ErrorsOnly; then
  echo "test.sh: the build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

status=0
dotnet test ImageDedup.sln -c "$configuration" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" --blame-hang-timeout 10m || status=$?

if [ "${#container_projects[@]}" -gt 0 ]; then
  container_started=$SECONDS
  wait "$container_images"
  container_status=$?
  cat "$results/containers.log" >&2
  echo "test.sh: waited $((SECONDS - container_started)) s for the container engine and images"
  if [ "$container_status" -eq 0 ] && source "$results/containers.env"; then
    # The servers started above are hidden from this pass.
    for project in "${container_projects[@]}"; do
      env -u IMAGEDEDUP_TEST_POSTGRES -u IMAGEDEDUP_TEST_S3_URL -u IMAGEDEDUP_TEST_S3_ACCESS_KEY -u IMAGEDEDUP_TEST_S3_SECRET_KEY \
        -u IMAGEDEDUP_TEST_S3_BUCKET -u IMAGEDEDUP_TEST_S3_DIRECTORY \
        dotnet test "$project" -c "$configuration" --no-build -nologo \
        --filter "FullyQualifiedName~ConformanceTests|FullyQualifiedName~ServerFixtureTests" \
        --logger "trx;LogFileName=$(basename "$project").trx" --logger "console;verbosity=minimal" \
        --results-directory "$results/containers" --blame-hang-timeout 10m || status=$?
    done
  else
    echo "test.sh: IMAGEDEDUP_TEST_CONTAINERS=1, but no Docker engine or images could be had (the reason is above)" >&2
  fi
  echo "test.sh: the container pass took $((SECONDS - container_started)) s after the other tests"
fi

passed=0
failed=0
reports=0
for trx in "$results"/*.trx "$results"/containers/*.trx; do
  [ -e "$trx" ] || continue
  reports=$((reports + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
  # A test host that crashed mid-run (a stack overflow, say) leaves a report whose counters look
  # clean but whose outcome is not "Completed": that must never read as green.
  outcome=$(grep -o '<ResultSummary outcome="[A-Za-z]*"' "$trx" | head -n 1 | sed 's/.*outcome="\([A-Za-z]*\)"/\1/')
  if [ "$outcome" != "Completed" ] && [ "${f:-0}" -eq 0 ] && [ "${e:-0}" -eq 0 ]; then
    echo "test.sh: $(basename "$trx") ended with outcome '$outcome'" >&2
    failed=$((failed + 1))
  fi
done

# A test project that crashed writes no report; count it as a failure rather than lose it. The
# container pass writes one report per project it runs, under its own names.
projects=$(($(find tests -name '*.Tests.csproj' | wc -l) + ${#container_projects[@]}))
if [ "$reports" -lt "$projects" ]; then
  echo "test.sh: only $reports of $projects test runs reported results" >&2
  failed=$((failed + projects - reports))
fi
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then
  status=1
fi

echo "$passed passed, $failed failed"
exit "$status"
