# shellcheck shell=bash
# Sourced by test.sh (bash, set -u): provides the S3-compatible server the ImageDedup.S3 tests use.
# With IMAGEDEDUP_TEST_S3_URL already set, that server is used and nothing is started. Otherwise
# s3rver (pinned in tools/s3rver) runs on a free loopback port over a temp directory, with the
# test bucket created at start, and its stop command is appended to test.sh's `cleanup` array.
# Exports IMAGEDEDUP_TEST_S3_URL, _ACCESS_KEY, _SECRET_KEY, _BUCKET and _DIRECTORY (where s3rver
# keeps the objects, so tests can corrupt one on disk).

imagededup_start_s3rver() {
  if [ -n "${IMAGEDEDUP_TEST_S3_URL:-}" ]; then
    echo "s3.sh: using the S3 server at $IMAGEDEDUP_TEST_S3_URL" >&2
    return 0
  fi

  local tools root dir port bucket pid log tries
  root=$(pwd)
  tools="$root/tools/s3rver"
  bucket=imagededup-test
  command -v node >/dev/null 2>&1 || { echo "s3.sh: node is required to run s3rver" >&2; return 1; }
  command -v npm >/dev/null 2>&1 || { echo "s3.sh: npm is required to install s3rver" >&2; return 1; }

  if ! (cd "$tools" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error </dev/null >/dev/null); then
    echo "s3.sh: npm ci in tools/s3rver failed" >&2
    return 1
  fi

  dir=$(mktemp -d "${TMPDIR:-/tmp}/imagededup-s3rver.XXXXXX")
  log="$dir.log"
  port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});")
  # start.js runs s3rver without its directory clean-up, which races with concurrent PUTs.
  node "$tools/start.js" \
    --directory "$dir" --address 127.0.0.1 --port "$port" --silent --no-vhost-buckets \
    --configure-bucket "$bucket" </dev/null >"$log" 2>&1 &
  pid=$!
  cleanup+=("kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf '$dir' '$log'")

  tries=0
  until node -e "require('http').get('http://127.0.0.1:$port/$bucket',r=>process.exit(r.statusCode<500?0:1)).on('error',()=>process.exit(1));" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "s3.sh: s3rver did not answer on 127.0.0.1:$port" >&2
      cat "$log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done

  export IMAGEDEDUP_TEST_S3_URL="http://127.0.0.1:$port"
  export IMAGEDEDUP_TEST_S3_ACCESS_KEY=S3RVER
  export IMAGEDEDUP_TEST_S3_SECRET_KEY=S3RVER
  export IMAGEDEDUP_TEST_S3_BUCKET="$bucket"
  export IMAGEDEDUP_TEST_S3_DIRECTORY="$dir"
  echo "s3.sh: s3rver $IMAGEDEDUP_TEST_S3_URL (pid $pid) storing into $dir" >&2
}

imagededup_start_s3rver
