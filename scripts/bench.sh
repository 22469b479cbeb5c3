#!/usr/bin/env bash
# The national-scale benchmark (`make bench`).
#
#   bash scripts/bench.sh [bench.run options…]     e.g. --requests 50 --load-seconds 20
#   BENCH_ARGS='--no-write' make bench             the same through make
#
# 1. A PostgreSQL database of its own, `isotrack_bench`: on a throw-away server
#    (scripts/services.sh) unless DATABASE_URL is set, in which case isotrack_bench is
#    (re)created on that server (DROPPED first: never point this at a server whose
#    isotrack_bench database you want to keep). BENCH_REUSE=1 with DATABASE_URL keeps
#    an already built isotrack_bench and skips steps 2-3.
# 2. migrate, load_units, then `manage.py build_bench_data` (bench/dataset.py): the country of
#    2026 — every commune of the pre-2025 list enrolled and ended by the reorganisation, most of
#    today's communes enrolled in today's plans, review areas, money, users, history.
# 3. wrk for the load test (Debian's package, installed when missing and we may; else
#    Python threads), collectstatic (into ./staticfiles, ignored by git) as production serves it,
#    and Redis (a throw-away server unless REDIS_URL is set): the cache of the production settings.
# 4. `python -m bench.run`: gunicorn as production runs it (gunicorn.conf.py, production
#    settings) on 127.0.0.1, the measurements, the table; bench/results.json and README.md's
#    Benchmark section.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/services.sh
source scripts/services.sh
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[bench] $*" >&2; }

make -s venv
PY=.venv/bin/python

BENCH_DB=isotrack_bench
reuse=0
if [ -n "${DATABASE_URL:-}" ]; then
    log "DATABASE_URL is set: using its server, database $BENCH_DB."
    [ "${BENCH_REUSE:-0}" = 1 ] && reuse=1
else
    start_postgres
fi
# postgres://user@host:port/whatever -> the same server, database postgres / isotrack_bench
admin_url="$("$PY" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/postgres")))' "$DATABASE_URL")"
bench_url="$("$PY" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$BENCH_DB")"

if [ "$reuse" = 1 ] && psql -X -q -d "$bench_url" -tAc "SELECT count(*) FROM rollout_rolloutplan" >/dev/null 2>&1; then
    log "BENCH_REUSE=1: keeping the existing $BENCH_DB."
else
    reuse=0
    psql -X -q -d "$admin_url" -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null
    psql -X -q -d "$admin_url" -v ON_ERROR_STOP=1 -c "CREATE DATABASE $BENCH_DB" >/dev/null
fi

export DATABASE_URL="$bench_url"
export DJANGO_SETTINGS_MODULE=isotrack.settings.production
DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_BEHIND_TLS=false
# Redis: the production settings' cache, and the API's rate limits as in production (a throw-away
# one unless REDIS_URL is set); no task reaches it as a broker (the site sends none on GET, the
# driver runs tasks inline).
start_redis
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"

build_seconds=""
if [ "$reuse" = 0 ]; then
    log "migrate + load_units …"
    "$PY" manage.py migrate --noinput -v 0
    "$PY" manage.py load_units >/dev/null
    log "building the national dataset (bench/dataset.py) …"
    started=$(date +%s.%N)
    "$PY" manage.py build_bench_data
    build_seconds=$("$PY" -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$started" "$(date +%s.%N)")
    log "dataset built in ${build_seconds} s (migrate and load_units not included)"
fi

# wrk for the load test (Debian's package), else bench.run falls back to Python threads.
if ! command -v wrk >/dev/null 2>&1 && [ "${BENCH_LOAD_TOOL:-auto}" != python ]; then
    if _svc_can_install; then
        _svc_apt_install wrk || log "NOTICE: installing wrk failed; the load test uses Python threads."
    else
        log "NOTICE: wrk is missing and cannot be installed here; the load test uses Python threads."
    fi
fi

log "collectstatic …"
"$PY" manage.py collectstatic --noinput -v 0

args=()
if [ -n "${BENCH_ARGS:-}" ]; then
    eval "args=($BENCH_ARGS)"
fi
[ -n "$build_seconds" ] && args+=(--build-seconds "$build_seconds")
args+=("$@")

bench_tmp="$(mktemp -d "${TMPDIR:-/tmp}/isotrack-bench.XXXXXXXX")"
log "$PY -m bench.run ${args[*]:-}"
rc=0
DJANGO_SETTINGS_MODULE=bench.settings "$PY" -m bench.run --log-dir "$bench_tmp" ${args[@]+"${args[@]}"} || rc=$?
if [ "$rc" != 0 ]; then
    log "FAILED (status $rc); gunicorn log: $bench_tmp/gunicorn.log"
    tail -n 30 "$bench_tmp/gunicorn.log" >&2 2>/dev/null || true
else
    rm -rf "$bench_tmp"
fi
exit "$rc"
