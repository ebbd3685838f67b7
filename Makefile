# CVMS: `make run` starts everything with demo data; `make test` runs every check.
SHELL := /bin/bash
# A failing command in a pipe (seed_demo | tee) fails the recipe.
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# An empty variable counts as unset, as in the settings.
export CVMS_PG_PORT := $(or $(strip $(CVMS_PG_PORT)),5433)
export CVMS_REDIS_PORT := $(or $(strip $(CVMS_REDIS_PORT)),6380)
export DATABASE_URL := $(or $(strip $(DATABASE_URL)),postgres://cvms@127.0.0.1:$(CVMS_PG_PORT)/cvms)
export REDIS_URL := $(or $(strip $(REDIS_URL)),redis://127.0.0.1:$(CVMS_REDIS_PORT)/0)
export SITE_URL := $(or $(strip $(SITE_URL)),http://$(HOST):$(PORT))

.PHONY: help setup system-packages venv services services-stop migrate run test lint migrations-check bench messages messages-check clean

help:
	@echo "make run            install what is missing, start everything with demo data"
	@echo "make test           lint, migrations check and the whole test suite"
	@echo "make setup          install system packages and the virtualenv (idempotent)"
	@echo "make services       start local PostgreSQL and Redis (idempotent)"
	@echo "make services-stop  stop them"
	@echo "make clean          stop them and delete their data"
	@echo "make bench          run the benchmarks and print a table (BENCH=bench_reporting: just that one)"
	@echo "make lint           ruff"
	@echo "make messages       extract new strings into locale/es and compile the catalogue"
	@echo "make messages-check fail when a string has no Spanish translation (also run by make test)"

setup: system-packages venv

system-packages:
	@scripts/system-packages.sh

venv: $(VENV)/.installed

# Runtime and development requirements (the image installs only requirements.txt).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

services: system-packages
	@scripts/services.sh start

services-stop:
	@scripts/services.sh stop

migrate: setup services
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data

run: migrate
	@mkdir -p .var
	$(PY) manage.py seed_demo | tee .var/demo-logins.txt
	@scripts/run.sh $(HOST) $(PORT)

lint: venv
	$(VENV)/bin/ruff check .

migrations-check: setup services
	$(PY) manage.py makemigrations --check --dry-run

# Tests use Redis database 1, so a running `make run` (database 0) never sees their data or tasks.
# TEST_WORKERS test processes run side by side (pytest-xdist), each with its own test database,
# Redis database (1, 2, ...) and Celery queue (conftest.py); TEST_WORKERS=1 runs one. The tests
# start many Python processes (workers, servers, settings checks): they keep compiled bytecode.
TEST_WORKERS ?= 2
test: setup services lint migrations-check
	CVMS_ENV=test REDIS_URL=redis://127.0.0.1:$(CVMS_REDIS_PORT)/1 PYTHONDONTWRITEBYTECODE= \
		$(PY) -m pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist worksteal)

# BENCH names the benchmarks to run (e.g. BENCH=bench_reporting); all of them when empty.
bench: migrate
	CVMS_ENV=test $(PY) bench/run.py $(BENCH)

# The catalogue keeps no source locations and no obsolete entries, so it changes only when the
# strings do. tests/test_translations.py runs this same recipe on a copy of the tree.
messages: venv
	$(PY) manage.py makemessages -l es --no-location --no-obsolete --ignore=.venv --ignore=.var --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.var

# Every user-facing string has a Spanish translation that is not fuzzy, the compiled catalogue is
# current, and no module translates at import time.
messages-check: venv
	CVMS_ENV=test $(PY) -m pytest -q -p no:cacheprovider tests/test_translations.py

# Also deletes the PostgreSQL cluster, wherever it lives (outside the checkout when run as root).
clean:
	@scripts/services.sh destroy
	rm -rf .var staticfiles
