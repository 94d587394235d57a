#!/usr/bin/env bash
# The container path of the tests on a machine with no image registry: makes sure a Docker engine
# answers (installs docker.io and starts dockerd when none runs, root only), builds the images the
# Testcontainers fixtures need from Debian's packages, and exports the variables that point the
# fixtures at them. Images are cached in the engine: a build is skipped when its tag exists, and
# the tag changes with the recipe (so an edited recipe or a new s3rver pin rebuilds).
#
#   local/imagededup-postgres:15-<recipe>  PostgreSQL 15 (debootstrap bookworm + postgresql-15), with
#                                          an entry point keeping the official postgres image's contract
#   local/imagededup-s3rver:<recipe>       Node.js (bookworm's nodejs) + the s3rver pinned in tools/s3rver
#
# An engine this script starts has the default bridge off ({"bridge": "none", "iptables": false}):
# containers use host networking and listen on loopback only, on ports the fixtures choose.
#
# Usage:
#   eval "$(scripts/container-images.sh)"        prints the export lines below (progress on stderr);
#                                                an engine it started keeps running
#   scripts/container-images.sh --engine-file F  the same, and writes "PID STATE_DIR" of an engine it
#                                                started to F as soon as it runs (test.sh stops it)
#   scripts/container-images.sh --stop F [RUN]   removes the containers labelled RUN, then stops the
#                                                engine F names, unless others' containers use it
# Exported: IMAGEDEDUP_TEST_POSTGRES_IMAGE, IMAGEDEDUP_TEST_S3RVER_IMAGE, DOCKER_API_VERSION (when
# the engine is older than Testcontainers expects), IMAGEDEDUP_TEST_CONTAINER_NETWORK=host, and
# IMAGEDEDUP_TEST_CONTAINER_RUN (kept when set: a label value on every container of the run, so
# --stop can remove what a crashed test process left).
set -uo pipefail

imagededup_images_log() { echo "containers: $*" >&2; }

# The Debian mirror this machine's apt uses (deb822 .sources or a one-line sources.list), so
# debootstrap fetches from the same place apt-get does.
imagededup_images_mirror() {
  local mirror=""
  mirror=$(awk '
    /^[[:space:]]*$/ { if (uri != "" && suite && main) { print uri; exit } uri = ""; suite = 0; main = 0; next }
    tolower($1) == "uris:" { uri = $2 }
    tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i ~ /^(bookworm|trixie|stable|bullseye)$/) suite = 1 }
    tolower($1) == "components:" { for (i = 2; i <= NF; i++) if ($i == "main") main = 1 }
    END { if (uri != "" && suite && main) print uri }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) !~ /-(security|updates|backports)$/) { print $i; exit } }')
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}

imagededup_images_apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq </dev/null >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" </dev/null >/dev/null
}

# Removes the containers labelled $2, then stops the engine that the file $1 names (written by
# --engine-file) unless containers someone else started still run on it.
imagededup_images_stop() {
  local file=$1 run=${2:-} pid="" state="" others i
  if [ -n "$run" ] && timeout 30 docker info >/dev/null 2>&1; then
    # A test process may have left a removal in progress: wait for it to finish (an engine stopped
    # mid-removal leaves a dead container behind), retrying what is still there.
    for i in $(seq 1 30); do
      [ -n "$(docker ps -aq --filter "label=org.imagededup.test-run=$run")" ] || break
      docker ps -aq --filter "label=org.imagededup.test-run=$run" | xargs -r docker rm -f >/dev/null 2>&1
      sleep 1
    done
  fi
  [ -s "$file" ] && read -r pid state <"$file"
  # Nothing started, or the pid is no longer that engine's.
  if [ -z "$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
    return 0
  fi
  others=$(docker ps -q 2>/dev/null | wc -l)
  if [ "$others" -gt 0 ]; then
    imagededup_images_log "leaving the Docker engine (pid $pid) running: $others container(s) not started by this run use it"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null
  rm -rf "$state"
  imagededup_images_log "stopped the Docker engine it started (pid $pid)"
}

# Uses the engine that answers; else (root only) installs docker.io and starts dockerd.
# Sets imagededup_images_engine_pid and imagededup_images_engine_state when it started one.
imagededup_images_engine() {
  imagededup_images_engine_pid=""
  imagededup_images_engine_state=""
  if timeout 30 docker info >/dev/null 2>&1; then
    imagededup_images_log "using the running Docker engine $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    imagededup_images_log "no Docker engine answers (docker info) and this is not root, so none can be started: start one, or run as root"
    return 1
  fi
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    imagededup_images_log "installing docker.io"
    imagededup_images_apt_install docker.io || { imagededup_images_log "apt-get install docker.io failed"; return 1; }
  fi

  local state config args=() pid i
  state=$(mktemp -d "${TMPDIR:-/tmp}/imagededup-dockerd.XXXXXX") || return 1
  config=/etc/docker/daemon.json
  if [ ! -e "$config" ]; then
    mkdir -p /etc/docker && printf '{"bridge": "none", "iptables": false}\n' >"$config"
  fi
  if ! grep -Eq '"bridge"[[:space:]]*:[[:space:]]*"none"' "$config" || ! grep -Eq '"iptables"[[:space:]]*:[[:space:]]*false' "$config"; then
    # Someone else's configuration: leave it alone and run this engine with ours.
    printf '{"bridge": "none", "iptables": false}\n' >"$state/daemon.json"
    args+=(--config-file "$state/daemon.json")
  fi
  # A pid file left by an engine that was killed makes dockerd refuse to start.
  if [ -e /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid 2>/dev/null)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi

  imagededup_images_log "starting dockerd (log in $state/dockerd.log)"
  setsid dockerd "${args[@]}" </dev/null >"$state/dockerd.log" 2>&1 &
  pid=$!
  for i in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      # Another engine that started at the same moment owns the pid file and stopped this one:
      # use it, but it is not ours to stop.
      if timeout 10 docker info >/dev/null 2>&1; then
        imagededup_images_log "another Docker engine started meanwhile; using it"
        rm -rf "$state"
        return 0
      fi
      break
    fi
    # The engine that answers is this one only if the pid file names it.
    if [ "$(cat /var/run/docker.pid 2>/dev/null)" = "$pid" ] && timeout 10 docker info >/dev/null 2>&1; then
      imagededup_images_engine_pid=$pid
      imagededup_images_engine_state=$state
      imagededup_images_log "Docker engine $(docker version --format '{{.Server.Version}}' 2>/dev/null) started (pid $pid)"
      return 0
    fi
    sleep 0.5
  done
  imagededup_images_log "the Docker engine did not start; the end of its log:"
  tail -n 25 "$state/dockerd.log" >&2
  kill -KILL "$pid" 2>/dev/null
  return 1
}

# debootstrap --variant=minbase bookworm into $1 with the packages $2 (comma-separated), then
# removes what an image does not need (downloaded packages, package lists, documentation).
imagededup_images_rootfs() {
  local dir=$1 packages=$2 mirror
  if ! command -v debootstrap >/dev/null 2>&1; then
    imagededup_images_log "installing debootstrap"
    imagededup_images_apt_install debootstrap debian-archive-keyring || { imagededup_images_log "apt-get install debootstrap failed"; return 1; }
  fi
  mirror=$(imagededup_images_mirror)
  imagededup_images_log "debootstrap bookworm ($packages) from $mirror"
  if ! debootstrap --variant=minbase --include="$packages" bookworm "$dir" "$mirror" >"$dir.log" 2>&1; then
    imagededup_images_log "debootstrap failed; the end of its log:"
    tail -n 25 "$dir.log" >&2
    return 1
  fi
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir.log"
}

# Imports $1 (a root file system) as the image $2 with the Dockerfile instructions that follow.
imagededup_images_import() {
  local dir=$1 image=$2 change changes=()
  shift 2
  for change in "$@"; do
    changes+=(--change "$change")
  done
  tar -C "$dir" -c . | docker import "${changes[@]}" - "$image" >/dev/null
}

imagededup_images_postgres_build() {
  local image=$1 work=$2 dir=$work/postgres
  imagededup_images_rootfs "$dir" postgresql-15 || return 1
  # The package's post-install made a cluster for a system service; the entry point makes its own.
  rm -rf "$dir"/var/lib/postgresql/15 "$dir"/etc/postgresql/15
  install -D -m 0755 scripts/container-images/postgres-entrypoint.sh "$dir/usr/local/bin/docker-entrypoint.sh"
  local uid gid
  uid=$(chroot "$dir" id -u postgres) && gid=$(chroot "$dir" id -g postgres) || return 1
  install -d -m 0700 -o "$uid" -g "$gid" "$dir/var/lib/postgresql/data"
  install -d -m 2775 -o "$uid" -g "$gid" "$dir/run/postgresql"
  imagededup_images_import "$dir" "$image" \
    "ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV PGDATA=/var/lib/postgresql/data" \
    "USER postgres" \
    "EXPOSE 5432" \
    'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    'CMD ["postgres"]'
}

imagededup_images_s3rver_build() {
  local image=$1 work=$2 dir=$work/s3rver app
  imagededup_images_rootfs "$dir" nodejs || return 1
  # s3rver and its dependencies as the lock file pins them, installed by this machine's npm.
  app=$work/s3rver-app
  mkdir -p "$app" && cp tools/s3rver/package.json tools/s3rver/package-lock.json tools/s3rver/start.js "$app"/ || return 1
  command -v npm >/dev/null 2>&1 || { imagededup_images_log "npm is required to install s3rver into the image"; return 1; }
  if ! (cd "$app" && npm ci --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error </dev/null >/dev/null); then
    imagededup_images_log "npm ci of tools/s3rver failed"
    return 1
  fi
  mkdir -p "$dir/opt" && cp -a "$app" "$dir/opt/s3rver" || return 1
  install -d -m 0755 -o 65534 -g 65534 "$dir/data"
  imagededup_images_import "$dir" "$image" \
    "USER 65534:65534" \
    "WORKDIR /opt/s3rver" \
    "EXPOSE 4568" \
    'ENTRYPOINT ["node", "/opt/s3rver/start.js"]' \
    'CMD ["--directory", "/data", "--address", "0.0.0.0", "--port", "4568", "--silent", "--no-vhost-buckets", "--configure-bucket", "imagededup-test"]'
}

# Testcontainers for .NET speaks Docker API 1.44 unless told otherwise, and an older engine refuses
# it ("client version 1.44 is too new"): Debian bookworm's docker.io speaks 1.41. Ask for the
# engine's own version then.
imagededup_images_api_version() {
  local api
  api=$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null)
  if [ -n "$api" ] && [ "$(printf '%s\n' "$api" 1.44 | sort -V | head -n 1)" != 1.44 ]; then
    imagededup_images_log "the engine speaks Docker API $api: DOCKER_API_VERSION=$api"
    echo "$api"
  fi
}

# Removes the build directory; first unmounts what an interrupted debootstrap left mounted in it.
imagededup_images_work=""
imagededup_images_discard_work() {
  [ -n "$imagededup_images_work" ] && [ -d "$imagededup_images_work" ] || return 0
  findmnt -rn -o TARGET | grep -F "$imagededup_images_work/" | sort -r | xargs -r -n 1 umount -l 2>/dev/null
  rm -rf --one-file-system "$imagededup_images_work"
  imagededup_images_work=""
}

# Builds image $2 with the function $1 unless the engine has it already.
imagededup_images_ensure() {
  local build=$1 image=$2 work started
  if docker image inspect "$image" >/dev/null 2>&1; then
    imagededup_images_log "$image is cached"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    imagededup_images_log "$image is missing and building it (debootstrap) needs root"
    return 1
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/imagededup-image.XXXXXX") || return 1
  imagededup_images_work=$work
  started=$SECONDS
  if ! "$build" "$image" "$work"; then
    imagededup_images_discard_work
    imagededup_images_log "building $image failed"
    return 1
  fi
  imagededup_images_discard_work
  imagededup_images_log "built $image in $((SECONDS - started)) s"
}

# A tag that changes with everything the image is made from: the build function's text and files.
imagededup_images_recipe() {
  { declare -f "$1" imagededup_images_rootfs imagededup_images_import; shift; cat "$@"; } | sha256sum | cut -c 1-12
}

imagededup_images_main() {
  local engine_file=${1:-} postgres s3rver
  cd "$(dirname "${BASH_SOURCE[0]}")/.." || return 1
  imagededup_images_engine || return 1
  if [ -n "$imagededup_images_engine_pid" ] && [ -n "$engine_file" ]; then
    # Hand the engine to the caller before anything else can fail.
    echo "$imagededup_images_engine_pid $imagededup_images_engine_state" >"$engine_file"
  fi
  # Containers of earlier runs that an engine stopped mid-removal left dead.
  docker ps -aq --filter label=org.imagededup.test --filter status=dead | xargs -r docker rm -f >/dev/null 2>&1
  postgres=local/imagededup-postgres:15-$(imagededup_images_recipe imagededup_images_postgres_build scripts/container-images/postgres-entrypoint.sh)
  s3rver=local/imagededup-s3rver:$(imagededup_images_recipe imagededup_images_s3rver_build tools/s3rver/package-lock.json tools/s3rver/start.js)
  imagededup_images_ensure imagededup_images_postgres_build "$postgres" || return 1
  imagededup_images_ensure imagededup_images_s3rver_build "$s3rver" || return 1

  local api
  api=$(imagededup_images_api_version)
  [ -z "$api" ] || printf 'export DOCKER_API_VERSION=%q\n' "$api"
  printf 'export IMAGEDEDUP_TEST_POSTGRES_IMAGE=%q\n' "$postgres"
  printf 'export IMAGEDEDUP_TEST_S3RVER_IMAGE=%q\n' "$s3rver"
  echo "export IMAGEDEDUP_TEST_CONTAINER_NETWORK=host"
  printf 'export IMAGEDEDUP_TEST_CONTAINER_RUN=%q\n' "${IMAGEDEDUP_TEST_CONTAINER_RUN:-manual-$(date +%s)-$$}"
}

# An interrupted build (test.sh stopping, Ctrl-C) still unmounts and removes its directory.
trap 'imagededup_images_discard_work' EXIT
trap 'exit 143' TERM INT

case "${1:-}" in
  --stop)
    [ "$#" -ge 2 ] || { echo "usage: $0 --stop ENGINE_FILE [RUN]" >&2; exit 2; }
    imagededup_images_stop "$2" "${3:-}"
    ;;
  --engine-file)
    [ "$#" -eq 2 ] || { echo "usage: $0 --engine-file FILE" >&2; exit 2; }
    imagededup_images_main "$2"
    ;;
  "")
    imagededup_images_main
    ;;
  *)
    echo "usage: $0 [--engine-file FILE] | --stop ENGINE_FILE [RUN]" >&2
    exit 2
    ;;
esac
