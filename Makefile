# Baishitong — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= base

.PHONY: run test install test-browser lint fmt migrate seed messages check bench bench-large bench-imports clean backup restore

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Embedded mode: SQLite file, tasks in-process, demo data on first start.
run: export DEBUG ?= true
run: $(STAMP)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo --scale $(SCALE)
	@echo "Baishitong is at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite; DATABASE_URL / CELERY_BROKER_URL choose PostgreSQL and Redis when set, SQLite otherwise.
test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider

# Browser tests (Playwright in Debian's Chromium); .ci/run installs chromium when it is missing.
test-browser: $(STAMP)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -q -p no:cacheprovider -m browser

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: export DJANGO_SETTINGS_MODULE = config.settings.test
check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

messages: export DEBUG ?= true
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete -i '.venv/*' -i 'bench/*'
	$(PY) manage.py compilemessages -l zh_Hans -i '.venv'

# Benchmarks on PostgreSQL (never part of `make test`): DATABASE_URL defaults to a bench database on
# 127.0.0.1 (created when missing). ARGS passes options through, e.g. `make bench ARGS="--no-http"`.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/bst_bench
BENCH_LARGE_DB ?= postgres://postgres@127.0.0.1:5432/bst_bench_large

bench: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)} $(PY) -m bench.run --orders 50000 $(ARGS)

# Register import of a whole base (30,000 homes, 60,000 residents) from one .xlsx (bench/imports.py).
BENCH_IMPORTS_DB ?= postgres://postgres@127.0.0.1:5432/bst_bench_imports

bench-imports: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_IMPORTS_DB)} $(PY) -m bench.imports $(ARGS)

bench-large: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_LARGE_DB)} $(PY) -m bench.run --orders 1000000 $(ARGS)

# Backup and restore of the PostgreSQL database named by DATABASE_URL (README, "Backup and restore").
BACKUP ?= backups/baishitong-$(shell date +%Y%m%d-%H%M%S).dump
backup:
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL is not set"; exit 1; }
	@mkdir -p "$(dir $(BACKUP))"
	pg_dump --format=custom --no-owner --no-privileges --file="$(BACKUP)" "$$DATABASE_URL"
	@echo "backup written to $(BACKUP)"

# Into an EMPTY database (createdb first): every table, row, sequence and index of the dump, in one transaction.
restore:
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL is not set"; exit 1; }
	@test -f "$(BACKUP)" || { echo "BACKUP=path/to/file.dump is required"; exit 1; }
	pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$$DATABASE_URL" "$(BACKUP)"
	@echo "restored $(BACKUP)"

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache
