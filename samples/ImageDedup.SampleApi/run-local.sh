#!/usr/bin/env bash
# Runs the sample app against the throwaway servers of scripts/with-test-servers.sh (the ones the
# tests use), mapping their IMAGEDEDUP_TEST_* variables onto the app's configuration:
#   scripts/with-test-servers.sh samples/ImageDedup.SampleApi/run-local.sh [app arguments…]
# e.g. `… run-local.sh` for the web app on http://127.0.0.1:5080/, `… run-local.sh backfill`.
set -euo pipefail
: "${IMAGEDEDUP_TEST_POSTGRES:?run me through scripts/with-test-servers.sh}"
: "${IMAGEDEDUP_TEST_S3_URL:?run me through scripts/with-test-servers.sh}"
export ConnectionStrings__Postgres="$IMAGEDEDUP_TEST_POSTGRES"
export S3__ServiceUrl="$IMAGEDEDUP_TEST_S3_URL"
export S3__AccessKey="${IMAGEDEDUP_TEST_S3_ACCESS_KEY:-S3RVER}" S3__SecretKey="${IMAGEDEDUP_TEST_S3_SECRET_KEY:-S3RVER}"
export S3__Bucket="${IMAGEDEDUP_TEST_S3_BUCKET:-imagededup-test}"
# The /admin endpoints' token: yours if set, else a fresh one for this run, printed to use with curl.
if [ -z "${Admin__Token:-}" ]; then
  Admin__Token=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
  echo "run-local.sh: Admin__Token=$Admin__Token" >&2
fi
export Admin__Token
cd "$(dirname "$0")"
exec dotnet run -c Release -- "$@"
