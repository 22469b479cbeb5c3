# shellcheck shell=bash
# Throw-away PostgreSQL and Redis for the test suite (and anything else that
# needs them).  Source this file, then:
#
#   trap stop_services EXIT
#   start_postgres     # exports DATABASE_URL unless it is already set
#   start_redis        # exports REDIS_URL unless it is already set
#   ensure_chromium    # installs Debian's chromium when missing (root/sudo only)
#
# Every copy picks its own free TCP ports and its own temporary directories, so
# several copies can run side by side on one machine.  stop_services stops only
# what this copy started and removes only the directories it created.
#
# Knobs (environment):
#   PG_BINDIR   directory holding initdb/pg_ctl (default: newest /usr/lib/postgresql/*/bin, 15 preferred)
#   DATABASE_URL, REDIS_URL   when set, the corresponding service is not started.

_SVC_PG_DIR=""        # data + socket dir of the cluster we started
_SVC_PG_BINDIR=""
_SVC_PG_AS_POSTGRES=0 # 1 when the cluster runs as the `postgres` user (we are root)
_SVC_REDIS_DIR=""     # working dir of the redis-server we started
_SVC_REDIS_PORT=""

_svc_log() { echo "[services] $*" >&2; }
_svc_die() { echo "[services] ERROR: $*" >&2; return 1; }

# A TCP port that is free on 127.0.0.1 right now (the OS picks it).
_svc_free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# True when we may install Debian packages: root, or passwordless sudo.
_svc_can_install() {
    [ "$(id -u)" -eq 0 ] && return 0
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null
}

# apt-get install PACKAGE... (as root or via sudo -n), serialised between
# parallel copies, never starting the packaged system services.
_svc_apt_install() {
    local sudo="" lock=/var/lock/isotrack-apt.lock
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    _svc_log "installing $* with apt-get (Debian packages)…"
    # shellcheck disable=SC2016
    $sudo env DEBIAN_FRONTEND=noninteractive bash -c '
        set -e
        exec 9>"$1"; shift
        flock 9
        created_policy=0
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            # Do not let the package start its own system-wide daemon.
            printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d
            chmod +x /usr/sbin/policy-rc.d
            created_policy=1
        fi
        rc=0
        { apt-get -o DPkg::Lock::Timeout=600 update -qq &&
          apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@"; } || rc=$?
        [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
        exit "$rc"
    ' _ "$lock" "$@"
}

_svc_find_pg_bindir() {
    local d
    if [ -n "${PG_BINDIR:-}" ]; then
        echo "$PG_BINDIR"; return 0
    fi
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
        echo /usr/lib/postgresql/15/bin; return 0
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
    done
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir)"
        if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
    fi
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"; return 0
    fi
    return 1
}

# Run a command line (a single string) as the cluster owner.
_svc_pg_run() {
    if [ "$_SVC_PG_AS_POSTGRES" = 1 ]; then
        su postgres -s /bin/sh -c "$1"
    else
        sh -c "$1"
    fi
}

start_postgres() {
    if [ -n "${DATABASE_URL:-}" ]; then
        _svc_log "DATABASE_URL is set; using it (no PostgreSQL started)."
        return 0
    fi
    if [ -n "$_SVC_PG_DIR" ]; then
        _svc_log "PostgreSQL already started by this script."
        return 0
    fi
    local bindir dir port attempt started=0
    bindir="$(_svc_find_pg_bindir)" || {
        _svc_die "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them (Debian: apt-get install postgresql-15), set PG_BINDIR, or set DATABASE_URL=postgres://USER@HOST:PORT/DB to use an existing server."
        return 1
    }
    command -v psql >/dev/null 2>&1 || {
        _svc_die "psql not found (Debian: apt-get install postgresql-client)."
        return 1
    }
    _SVC_PG_BINDIR="$bindir"

    if [ "$(id -u)" -eq 0 ]; then
        # PostgreSQL refuses to run as root: run the cluster as `postgres`.
        id postgres >/dev/null 2>&1 || {
            _svc_die "running as root but there is no 'postgres' user to own the cluster; set DATABASE_URL instead."
            return 1
        }
        _SVC_PG_AS_POSTGRES=1
        # /tmp, not $TMPDIR: it must be reachable by `postgres`, and the
        # socket path must stay short.
        dir="$(mktemp -d /tmp/isotrack-pg.XXXXXXXX)" || return 1
        chown postgres: "$dir"
    else
        _SVC_PG_AS_POSTGRES=0
        dir="$(mktemp -d "${TMPDIR:-/tmp}/isotrack-pg.XXXXXXXX")" || return 1
    fi
    chmod 700 "$dir"
    _SVC_PG_DIR="$dir"

    _svc_log "initdb in $dir (using $bindir)…"
    if ! _svc_pg_run "'$bindir/initdb' -D '$dir/data' -A trust -U postgres -E UTF8 --no-locale --no-sync >'$dir/initdb.log' 2>&1"; then
        cat "$dir/initdb.log" >&2 || true
        _svc_die "initdb failed"
        return 1
    fi

    # The port is free when picked, but another process may grab it before
    # the server binds it: retry with a new port a few times.
    for attempt in 1 2 3 4 5; do
        port="$(_svc_free_port)" || return 1
        if _svc_pg_run "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/postgres.log' -w -t 60 \
                -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" \
                start >/dev/null 2>&1"; then
            started=1
            break
        fi
        _svc_log "PostgreSQL did not start on port $port (attempt $attempt); retrying…"
        _svc_pg_run "'$bindir/pg_ctl' -D '$dir/data' -m immediate stop >/dev/null 2>&1" || true
    done
    if [ "$started" != 1 ]; then
        tail -n 30 "$dir/postgres.log" >&2 || true
        _svc_die "could not start PostgreSQL (log above)."
        return 1
    fi

    if ! psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
            -c "CREATE DATABASE isotrack" >/dev/null; then
        _svc_die "could not create database isotrack"
        return 1
    fi
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/isotrack"
    _svc_log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') started: $DATABASE_URL (dir $dir)"
}

start_redis() {
    if [ -n "${REDIS_URL:-}" ]; then
        _svc_log "REDIS_URL is set; using it (no Redis started)."
        return 0
    fi
    if [ -n "$_SVC_REDIS_DIR" ]; then
        _svc_log "Redis already started by this script."
        return 0
    fi
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        if _svc_can_install; then
            _svc_apt_install redis-server || {
                _svc_die "installing redis-server failed. Install Redis yourself or set REDIS_URL=redis://HOST:PORT/0."
                return 1
            }
        else
            _svc_die "redis-server is not installed and we cannot install it (not root, no passwordless sudo). Install Redis (apt-get install redis-server) or set REDIS_URL=redis://HOST:PORT/0 to use an existing server."
            return 1
        fi
    fi

    local dir port attempt i started=0
    dir="$(mktemp -d "${TMPDIR:-/tmp}/isotrack-redis.XXXXXXXX")" || return 1
    _SVC_REDIS_DIR="$dir"
    for attempt in 1 2 3 4 5; do
        port="$(_svc_free_port)" || return 1
        rm -f "$dir/redis.pid"
        if redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
                --daemonize yes --pidfile "$dir/redis.pid" --dir "$dir" \
                --logfile "$dir/redis.log" >/dev/null 2>&1; then
            for i in $(seq 1 100); do
                if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
                    started=1
                    break
                fi
                # Gave up (e.g. port taken): the daemon exits.
                if [ "$i" -gt 5 ] && { [ ! -s "$dir/redis.pid" ] || ! kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; }; then
                    break
                fi
                sleep 0.1
            done
        fi
        [ "$started" = 1 ] && break
        _svc_log "Redis did not start on port $port (attempt $attempt); retrying…"
        if [ -s "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
    done
    if [ "$started" != 1 ]; then
        tail -n 20 "$dir/redis.log" >&2 || true
        _svc_die "could not start redis-server (log above)."
        return 1
    fi
    _SVC_REDIS_PORT="$port"
    export REDIS_URL="redis://127.0.0.1:$port/0"
    _svc_log "Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') started: $REDIS_URL (dir $dir)"
}

# Debian's Chromium at /usr/bin/chromium, for the Playwright browser tests.
ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then
        export CHROMIUM_PATH=/usr/bin/chromium
        return 0
    fi
    if _svc_can_install; then
        if _svc_apt_install chromium && [ -x /usr/bin/chromium ]; then
            export CHROMIUM_PATH=/usr/bin/chromium
            _svc_log "chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
            return 0
        fi
        _svc_log "NOTICE: installing chromium failed; browser tests will be skipped or fail."
    else
        _svc_log "NOTICE: /usr/bin/chromium is missing and we cannot install it (not root, no passwordless sudo); run 'apt-get install chromium' for the browser tests."
    fi
    return 0
}

# Stop what this script started; safe to call more than once (e.g. from a trap).
stop_services() {
    local rc=$? pid i
    if [ -n "$_SVC_REDIS_DIR" ]; then
        if [ -n "$_SVC_REDIS_PORT" ]; then
            redis-cli -h 127.0.0.1 -p "$_SVC_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
        fi
        if [ -s "$_SVC_REDIS_DIR/redis.pid" ]; then
            pid="$(cat "$_SVC_REDIS_DIR/redis.pid" 2>/dev/null || true)"
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                kill "$pid" 2>/dev/null || true
                for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                kill -9 "$pid" 2>/dev/null || true
            fi
        fi
        rm -rf "$_SVC_REDIS_DIR" || true
        _svc_log "Redis stopped."
        _SVC_REDIS_DIR=""
        _SVC_REDIS_PORT=""
    fi
    if [ -n "$_SVC_PG_DIR" ]; then
        if [ -f "$_SVC_PG_DIR/data/postmaster.pid" ]; then
            pid="$(head -n 1 "$_SVC_PG_DIR/data/postmaster.pid" 2>/dev/null || true)"
            _svc_pg_run "'$_SVC_PG_BINDIR/pg_ctl' -D '$_SVC_PG_DIR/data' -m fast -w -t 30 stop >/dev/null 2>&1" \
                || { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; } || true
        fi
        rm -rf "$_SVC_PG_DIR" || true
        _svc_log "PostgreSQL stopped."
        _SVC_PG_DIR=""
    fi
    return "$rc"
}

# axe-core (accessibility checks in the browser tests), from the npm registry into var/npm.
ensure_axe() {
    local target="var/npm/node_modules/axe-core/axe.min.js"
    if [ ! -f "$target" ]; then
        if command -v npm >/dev/null 2>&1; then
            echo "[services] installing axe-core from the npm registry into var/npm …"
            mkdir -p var/npm
            npm install --no-audit --no-fund --silent --prefix var/npm axe-core@4.11 >/dev/null
        else
            echo "[services] npm not found: the accessibility checks will fail (install Node.js and npm)." >&2
        fi
    fi
    if [ -f "$target" ]; then
        AXE_PATH="$(pwd)/$target"
        export AXE_PATH
    fi
}
