# Kompra: `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run test lint format check-python clean messages

help:
	@echo "make run    set up .venv, migrate, load demo data, serve http://$(HOST):$(PORT) with a task worker and the tick"
	@echo "make test   the same set-up, then the whole test suite"
	@echo "make lint   ruff check, ruff format --check, makemigrations --check"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "Kompra needs Python 3.12 or later; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.13 (pyenv reads .python-version) or run: make PYTHON=python3.13 ..."; \
	  exit 1; }

# The venv is rebuilt whenever the pins change.
$(VENV)/.installed: requirements.txt requirements-dev.txt | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

setup: check-python $(VENV)/.installed
	@mkdir -p var

run: export DJANGO_DEBUG ?= true
run: export KOMPRA_BASE_URL ?= http://$(HOST):$(PORT)
# The web server, a task worker (emails, digests) and the notice tick (reminders), together;
# Ctrl+C reaches the web server; the shell then stops its whole process group (the worker
# and the tick, which a non-interactive shell starts deaf to Ctrl+C).
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py search_rebuild
	@echo "Serving Kompra at http://$(HOST):$(PORT), with a task worker (db_worker: emails and digests)"
	@echo "and the notice tick every 60 s (reminders). Ctrl+C stops all three."
	@trap 'trap - INT TERM EXIT; kill -TERM 0' INT TERM EXIT; \
	  $(PY) manage.py db_worker --no-reload --interval 2 --verbosity 0 & \
	  $(PY) manage.py notices_tick --every 60 & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs on every core (pytest-xdist), a test file per process, so a file's shared
# servers (the topology, Redis) start once; TEST_PROCESSES=0 runs it in one process.
TEST_PROCESSES ?= auto
test: setup
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

lint: export DJANGO_DEBUG ?= true
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerates and compiles the translations; the compiled .mo files are committed.
messages: export DJANGO_DEBUG ?= true
messages: setup
	$(PY) manage.py makemessages -l id -l en --ignore=.venv --ignore=var --no-obsolete --no-location
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/cache
