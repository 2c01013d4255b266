# Transition: one command per job. `make help` lists them.
#
# `make install` is idempotent: stamp files inside .venv/ and node_modules/ record
# what was installed, so a re-run does nothing until requirements.lock or
# package-lock.json changes (or the folder is deleted).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed-requirements
NODE_STAMP := node_modules/.installed-package-lock

# A key for test runs only: settings refuse to start without one when DEBUG is off.
TEST_SECRET_KEY := test-only-not-a-secret-3b1f0c0e2d5a4f7e9c8b6a5d4e3f2a1b0c9d8e7f6a5b4c3d

.PHONY: help install run test lint lock bench

help:
	@echo "make install  create .venv and node_modules (skipped when up to date)"
	@echo "make run      migrate, load demo data, serve http://127.0.0.1:8000 with worker and beat"
	@echo "make test     run the whole test suite (honours DATABASE_URL and CELERY_BROKER_URL)"
	@echo "make lint     ruff check, ruff format --check, mypy, djlint, makemigrations --check"
	@echo "make lock     regenerate requirements.lock from pyproject.toml"
	@echo "make bench    page latency (p50/p95) and query counts at two data sizes"

install: $(PY_STAMP) $(NODE_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.lock
	@touch $@

# No prerequisite on package.json: a fresh clone's file times are arbitrary, and the
# lock file is committed. It is generated only when it is missing.
package-lock.json:
	npm install --package-lock-only --no-audit --no-fund

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# .env, when present, is read by honcho for every step (migrate, seed_demo and the
# three processes alike); `make test` does not read it.
run: install
	DEBUG=1 $(BIN)/honcho run $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/honcho run $(BIN)/python manage.py seed_demo
	@echo
	@echo "Transition is starting on http://127.0.0.1:8000 (web, worker and beat; Ctrl-C stops all three)"
	@echo
	DEBUG=1 PYTHONUNBUFFERED=1 $(BIN)/honcho -f Procfile.dev start

# The test run pins DEBUG off and a test-only SECRET_KEY; DATABASE_URL and
# CELERY_BROKER_URL pass through from the environment when set. Extra pytest
# arguments: make test ARGS="tests/core -k healthz".
test: install
	DEBUG=0 SECRET_KEY=$(TEST_SECRET_KEY) $(BIN)/pytest $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=0 SECRET_KEY=$(TEST_SECRET_KEY) $(BIN)/mypy
	$(BIN)/djlint templates --lint
	DEBUG=0 SECRET_KEY=$(TEST_SECRET_KEY) $(BIN)/python manage.py makemigrations --check --dry-run

lock: $(PY_STAMP)
	$(BIN)/pip-compile -q --extra dev --strip-extras --no-header --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

# Latency of the list and dashboard pages at two data sizes, on a fresh SQLite
# database (or an empty one named by BENCH_DATABASE_URL). BENCH_SIZES=20,200 and
# BENCH_REQUESTS=30 by default.
bench: install
	DEBUG=0 $(BIN)/python bench/pages.py
