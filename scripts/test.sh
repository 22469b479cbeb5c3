#!/usr/bin/env bash
# Run the test suite against a throw-away PostgreSQL and Redis.
#
#   bash scripts/test.sh [pytest args…]
#   PYTEST_ARGS='-k "foo and not bar" -x' bash scripts/test.sh
#   make test PYTEST_ARGS='-k foo'
#
# DATABASE_URL / REDIS_URL, when already set, are used as they are.
# Exits with pytest's status; "no tests collected" (5) is a failure too.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/services.sh
source scripts/services.sh
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PY=.venv/bin/python
if [ ! -x "$PY" ]; then
    echo "[test] $PY not found: run 'make venv' (or 'make test')." >&2
    exit 1
fi

start_postgres
start_redis
ensure_chromium
ensure_axe

echo "[test] database: $DATABASE_URL"
echo "[test] redis:    $REDIS_URL"

# PYTEST_ARGS is split like a shell command line, so quotes work.
args=()
if [ -n "${PYTEST_ARGS:-}" ]; then
    eval "args=($PYTEST_ARGS)"
fi
args+=("$@")

echo "[test] $PY -m pytest ${args[*]:-}"
rc=0
"$PY" -m pytest ${args[@]+"${args[@]}"} || rc=$?

case "$rc" in
    0) echo "[test] OK" ;;
    5) echo "[test] FAILED: pytest collected no tests (exit 5); that is a failure." >&2 ;;
    *) echo "[test] FAILED: pytest exited with status $rc." >&2 ;;
esac
exit "$rc"
