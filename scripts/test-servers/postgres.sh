# shellcheck shell=bash
# Sourced by test.sh (bash, `set -u`): starts a throw-away PostgreSQL for the tests, exports
# IMAGEDEDUP_TEST_POSTGRES (an Npgsql connection string) and IMAGEDEDUP_TEST_POSTGRES_CTL (its
# pg_ctl, data directory and log: append `stop -m fast -w` or `restart -w`, for a test that
# restarts a server of its own) and appends its stop command to `cleanup`.
# If IMAGEDEDUP_TEST_POSTGRES is already set, that server is used and nothing is started.
# Works unattended (CI=true, no stdin) and as root: initdb refuses root, so the server then runs as
# the unprivileged system user imagededup-pg.

imagededup_pg_start() {
  if [ -n "${IMAGEDEDUP_TEST_POSTGRES:-}" ]; then
    echo "postgres: using the server of IMAGEDEDUP_TEST_POSTGRES"
    return 0
  fi

  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "postgres: no server binaries under /usr/lib/postgresql and not root to install them" >&2
      return 1
    fi
    echo "postgres: installing the postgresql package"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null ||
      { echo "postgres: apt-get install postgresql failed" >&2; return 1; }
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$bin" ] || { echo "postgres: installed, but no binaries under /usr/lib/postgresql" >&2; return 1; }
  fi

  # As root, run every server command as an unprivileged user; otherwise as ourselves.
  local user="" run=() base="${TMPDIR:-/tmp}"
  if [ "$(id -u)" -eq 0 ]; then
    user=imagededup-pg
    if ! id -u "$user" >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
        { echo "postgres: could not create the system user $user" >&2; return 1; }
    fi
    run=(runuser -u "$user" --)
    base=/tmp # root's TMPDIR may be private; the server user must reach its directory
  fi

  local dir
  dir=$(mktemp -d "$base/imagededup-pg.XXXXXX") || return 1
  mkdir -p "$dir/data" "$dir/socket"
  local password
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s\n' "$password" >"$dir/pwfile"
  [ -z "$user" ] || chown -R "$user" "$dir"
  chmod 700 "$dir"

  if ! "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    # Older servers or images without the C.UTF-8 locale: plain C still stores UTF-8.
    rm -rf "${dir:?}/data" && mkdir "$dir/data" && { [ -z "$user" ] || chown "$user" "$dir/data"; }
    "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
      { echo "postgres: initdb failed:" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; return 1; }
  fi
  rm -f "$dir/pwfile"
  # Password over TCP on loopback only; the unix socket sits in the private directory.
  {
    echo "local all all trust"
    echo "host all all 127.0.0.1/32 scram-sha-256"
  } >"$dir/data/pg_hba.conf"

  # A free loopback port: try a few random ones; pg_ctl fails if another process took it meanwhile.
  # Below the kernel's ephemeral range, which outgoing connections take their local ports from: a test
  # that stops this server and starts it again on its port (DedicatedPostgres) once found the port
  # taken, with clients retrying against the stopped server all the while (a connect to a closed
  # loopback port in that range can even be given that port and connect to itself).
  local port attempt started=0 ephemeral_low ephemeral_high
  read -r ephemeral_low ephemeral_high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || ephemeral_low=32768
  [ "$ephemeral_low" -gt 11024 ] || { echo "postgres: the ephemeral port range starts at $ephemeral_low; no room below it" >&2; return 1; }
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((10000 + RANDOM % (ephemeral_low - 10000)))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue # something listens there
    fi
    # max_connections stays at the default (100), as on a stock server: the test pools are bounded
    # (PostgresDatabase) so the whole suite fits, and raising it here would hide a leak again.
    # A throw-away server for tests need not survive a power cut; IMAGEDEDUP_TEST_POSTGRES_DURABLE=1
    # keeps PostgreSQL's own durability settings, for measurements whose figures must include the disk.
    local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${IMAGEDEDUP_TEST_POSTGRES_DURABLE:-}" = 1 ] && durability=""
    if "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket $durability" \
        start >/dev/null 2>&1; then
      started=1
      break
    fi
  done
  if [ "$started" -ne 1 ]; then
    echo "postgres: the server did not start:" >&2
    tail -n 20 "$dir/server.log" >&2 2>/dev/null
    rm -rf "$dir"
    return 1
  fi
  # Stop first, then remove the directory (test.sh runs cleanup entries last-in first-out).
  cleanup+=("${run[*]} $bin/pg_ctl -D $dir/data -m fast -w stop >/dev/null 2>&1; rm -rf $dir")

  local ready=0
  for attempt in $(seq 1 60); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2; then
      ready=1
      break
    fi
    sleep 0.5
  done
  if [ "$ready" -ne 1 ]; then
    echo "postgres: the server on 127.0.0.1:$port never became ready" >&2
    return 1
  fi

  export IMAGEDEDUP_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres"
  # A restart with no options reuses those of this start (postmaster.opts): same port, same socket.
  export IMAGEDEDUP_TEST_POSTGRES_CTL="${run[*]} $bin/pg_ctl -D $dir/data -l $dir/server.log"
  echo "postgres: $("$bin/postgres" --version | awk '{print $3}') started on 127.0.0.1:$port (data in $dir)"
}

imagededup_pg_start
imagededup_pg_status=$?
unset -f imagededup_pg_start
# shellcheck disable=SC2248
return $imagededup_pg_status 2>/dev/null || exit $imagededup_pg_status
