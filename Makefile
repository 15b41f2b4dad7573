# CSE Tracker: `make run` to try it, `make test` to check it. Every target is safe to repeat:
# stamp files (and make's own timestamps) mean a second run only redoes what changed.

VENV ?= .venv
PY ?= python3.11
NPM ?= npm
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 5000

BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app tracker
# `make run` is the development server: development settings, whatever the shell exports.
DEV_FLASK := TRACKER_ENV=development $(FLASK)
SASS := node_modules/.bin/sass
GOVUK := node_modules/govuk-frontend/dist/govuk
CSS := static/build/app.css
SCSS := $(wildcard static/scss/*.scss)
PIP_STAMP := $(VENV)/.stamp-pip
NPM_STAMP := node_modules/.stamp-npm
BENCHES := $(sort $(wildcard bench/bench_*.py))

.DEFAULT_GOAL := help
.PHONY: help install run test chromium lint format bench clean distclean

# List the targets.
help:
	@echo "make run        set everything up and serve the demo project at http://$(HOST):$(PORT)"
	@echo "make test       set everything up, lint, and run every test (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)"
	@echo "make install    create $(VENV), install the Python and npm packages, build $(CSS)"
	@echo "make lint       ruff check, ruff format --check, and the code's shape (largest files, long functions)"
	@echo "make format     sort imports and format the code with ruff"
	@echo "make bench      run each bench/*.py in turn"
	@echo "make clean      remove built files and caches (make distclean also removes $(VENV) and node_modules)"

# Python virtualenv, Python packages (with the test extras), npm packages, compiled stylesheet.
install: $(PIP_STAMP) $(NPM_STAMP) $(CSS)

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(PIP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[test]"
	touch $@

$(NPM_STAMP): package.json package-lock.json
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	@test -f $(GOVUK)/govuk-frontend.min.js || { echo "$(GOVUK)/govuk-frontend.min.js is missing" >&2; exit 1; }
	@test -d $(GOVUK)/assets || { echo "$(GOVUK)/assets/ is missing" >&2; exit 1; }
	touch $@

# The stylesheet must not carry GDS Transport (the service is not on GOV.UK).
$(CSS): $(SCSS) $(NPM_STAMP)
	@mkdir -p $(dir $@)
	$(SASS) --no-source-map --load-path=node_modules --style=compressed static/scss/app.scss $@
	@if grep -q "GDS Transport" $@; then rm -f $@; echo "$@ includes GDS Transport: check static/scss/app.scss" >&2; exit 1; fi

# Development server on SQLite (or DATABASE_URL) with the demo project; never use this in production.
run: install
	@case "$${TRACKER_ENV:-development}" in development) ;; \
	  *) echo "make run is for development only: unset TRACKER_ENV (it is '$$TRACKER_ENV')" >&2; exit 1;; esac
	$(DEV_FLASK) db upgrade
	$(DEV_FLASK) seed
	$(DEV_FLASK) demo-logins
	$(DEV_FLASK) run --host $(HOST) --port $(PORT)

# Lint, then every test on SQLite, then again on PostgreSQL if TEST_DATABASE_URL is set.
test: install chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@echo "== pytest on SQLite"
	env -u TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	  echo "== pytest on PostgreSQL (TEST_DATABASE_URL)"; \
	  echo "$(BIN)/pytest"; \
	  $(BIN)/pytest; \
	fi

# Chromium for the browser tests: installed by apt when we are root; required under CI, optional otherwise.
chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
	    || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } \
	    || true; \
	fi; \
	if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$${CI:-}" = true ]; then \
	  echo "$(CHROMIUM) is missing: the browser tests need it under CI (apt-get install chromium)" >&2; exit 1; \
	fi; \
	echo "Note: $(CHROMIUM) is missing, so the browser tests will be skipped (apt-get install chromium)."

# Check the code without changing it, then print its shape: the largest files and the
# functions over 80 lines (issue 12's bar: no file in tracker/ over 600 lines).
lint: $(PIP_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python bench/code_shape.py tracker tests

# Sort imports and format the code in place.
format: $(PIP_STAMP)
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

# Run each benchmark script in turn; they print their own figures.
bench: install
	@if [ -z "$(BENCHES)" ]; then echo "No benchmarks in bench/"; fi
	@set -e; for f in $(BENCHES); do echo "== $$f"; $(BIN)/python $$f; done

# Remove built files, stamps and caches (keeps $(VENV), node_modules and instance/).
clean:
	rm -rf static/build .pytest_cache .ruff_cache test-results *.egg-info $(PIP_STAMP) $(NPM_STAMP)
	find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +

# Also remove the virtualenv and node_modules.
distclean: clean
	rm -rf $(VENV) node_modules
