# Two commands: `make run` (demo site) and `make test` (the whole suite, SQLite then PostgreSQL).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Below the kernel's ephemeral range (32768-60999): a client socket in TIME-WAIT on the
# port would keep the server from binding it.
PG_PORT ?= 25329
PGDATA_DIR := /tmp/toolkit-pgdata-$(PG_PORT)

.PHONY: install demo run test test-sqlite test-postgres test-e2e lint format check system-deps bench clean

$(STAMP): pyproject.toml
	@# Debian's own python3 needs python3-venv for this; install it only if venv fails.
	test -x $(BIN)/pip || $(PYTHON) -m venv --clear $(VENV) || { \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && \
	  $(PYTHON) -m venv --clear $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo

run: demo
	$(MANAGE) runserver 127.0.0.1:8000

# Debian packages the tests need: PostgreSQL and Chromium (for the browser tests).
system-deps:
	@if ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
	   || ! command -v chromium >/dev/null; then \
	  $(SUDO) mkdir -p /etc/postgresql-common && \
	  { [ -e /etc/postgresql-common/createcluster.conf ] || \
	    echo "create_main_cluster = false" | $(SUDO) tee /etc/postgresql-common/createcluster.conf >/dev/null; } && \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confold \
	    postgresql chromium >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=toolkit.settings.production SECRET_KEY=check-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
	  ALLOWED_HOSTS=example.org TOOLKIT_DATA_KEY=$$($(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

test-sqlite: install
	$(BIN)/pytest -m "not e2e" -q -n 2
	$(BIN)/pytest -m e2e -q

# The throwaway server is stopped however the tests end (the trap is set before it starts).
test-postgres: install
	trap 'bash .ci/postgres stop $(PGDATA_DIR) $(PG_PORT)' EXIT; \
	bash .ci/postgres start $(PGDATA_DIR) $(PG_PORT) && \
	export DATABASE_URL=postgres://postgres@127.0.0.1:$(PG_PORT)/toolkit && \
	$(BIN)/pytest -m "not e2e" -q -n 2 && $(BIN)/pytest -m e2e -q

test: system-deps install lint check
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

# Benchmarks (not part of `make test`): matching and reports, the HTTP table against the
# baselines (SQLite, then PostgreSQL; needs wrk), then the load-and-fault run on PostgreSQL.
bench: system-deps install
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/run.py
	$(BIN)/python bench/http_bench.py
	$(BIN)/python bench/outage.py

clean:
	rm -rf $(VENV) var
