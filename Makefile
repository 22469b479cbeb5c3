SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Re-install only when pyproject.toml or requirements/data.txt changed.
PYPROJECT_SHA := $(shell cat pyproject.toml requirements/data.txt 2>/dev/null | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(PYPROJECT_SHA)

# `make test PYTEST_ARGS='-k "foo and not bar" -x'`; reaches scripts/test.sh
# through the environment (split there with shell quoting rules).
PYTEST_ARGS ?=
export PYTEST_ARGS

.PHONY: help venv messages translations run lint test bench backup restore clean

help: ## Show this help
	@echo "isotrack — make targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo
	@echo "  make test PYTEST_ARGS='-k foo -x'   pass arguments to pytest"
	@echo "  DATABASE_URL / REDIS_URL set?       make test uses them instead of throw-away servers"

venv: $(STAMP) ## Create .venv and install the project (only when pyproject.toml changed)

$(STAMP):
	@if [ ! -x $(PY) ]; then \
		echo ">> creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(PY) -m pip install --disable-pip-version-check -q -e ".[test]"
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -r requirements/data.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

# English catalogue: compiled from locale/en/LC_MESSAGES/django.po (msgfmt, Debian's gettext).
translations: venv
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore '.venv' -v0; \
	else echo "!! msgfmt (Debian package gettext) not found: the English interface stays Vietnamese." >&2; fi

messages: venv ## Extract translatable strings into locale/en/LC_MESSAGES/django.po
	$(PY) manage.py makemessages -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --no-obsolete

run: venv translations ## Quick start: SQLite + Celery (filesystem broker) + runserver on http://127.0.0.1:8000/
	@mkdir -p var/celery/in var/celery/out var/celery/processed
	@if ! $(PY) -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(sys.argv[2])))' $(HOST) $(PORT) 2>/dev/null; then \
		echo "!! $(HOST):$(PORT) is already in use (is 'make run' running elsewhere?). Stop it or use 'make run PORT=8001'." >&2; \
		exit 1; \
	fi
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_units
	$(PY) manage.py load_demo
	@set -euo pipefail; \
	$(VENV)/bin/celery -A isotrack worker -B --pool=solo -l info -s var/celerybeat-schedule >>var/celery.log 2>&1 & \
	celery_pid=$$!; \
	stop_celery() { \
		if kill -0 $$celery_pid 2>/dev/null; then \
			echo ">> stopping the Celery worker (pid $$celery_pid)"; \
			kill -TERM $$celery_pid 2>/dev/null || true; \
			for i in $$(seq 1 100); do kill -0 $$celery_pid 2>/dev/null || break; sleep 0.1; done; \
			kill -KILL $$celery_pid 2>/dev/null || true; \
		fi; \
		wait $$celery_pid 2>/dev/null || true; \
	}; \
	trap stop_celery EXIT; \
	trap 'exit 130' INT; \
	trap 'exit 143' TERM; \
	echo; \
	echo "================================================================"; \
	echo "  isotrack is running:  http://$(HOST):$(PORT)/"; \
	echo "  demo accounts/password: printed by load_demo above"; \
	echo "  Celery worker + beat (pid $$celery_pid), log: var/celery.log"; \
	echo "  Ctrl-C stops both."; \
	echo "================================================================"; \
	echo; \
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: venv ## ruff: the linter's rules and the formatter's layout (pyproject.toml), as CI checks them
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: venv translations lint ## Lint, then run the tests on throw-away PostgreSQL + Redis (PYTEST_ARGS='...')
	bash scripts/test.sh

bench: ## Run the benchmarks (scripts/bench.sh)
	bash scripts/bench.sh

backup: ## Back up the database of DATABASE_URL and MEDIA_ROOT into one archive in var/backups
	bash scripts/backup.sh

restore: ## Restore ARCHIVE=… into DATABASE_URL and MEDIA_ROOT (RESTORE_ARGS=--clean replaces what is there)
	@if [ -z "$(ARCHIVE)" ]; then echo "usage: make restore ARCHIVE=var/backups/isotrack-….tar [RESTORE_ARGS=--clean]" >&2; exit 2; fi
	bash scripts/restore.sh $(RESTORE_ARGS) "$(ARCHIVE)"

clean: ## Remove var/ (SQLite DB, Celery folders, logs) and .venv
	rm -rf var $(VENV)
