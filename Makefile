# Finora: `make run` serves the app, `make test` runs the whole suite on every database.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per installed set, named for its requirements' checksum: `make run` installs the
# runtime set only; the development targets add requirements-dev.txt on top of it.
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(shell cksum < requirements.txt | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cksum < requirements-dev.txt | cut -d' ' -f1)
FLASK := $(BIN)/flask --app app
PYTEST := $(BIN)/python -m pytest
POSTGRES_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432
MARIADB_TEST_URL ?= mysql+pymysql://root@127.0.0.1:3306
LOCALES := pt en es
# Compiled bytecode is kept (__pycache__, ignored by git) even where the environment turns it
# off: the suite starts Python many times (gunicorn, migrations, updates), and each would
# compile Finora again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run install install-dev compile-translations translations migrate test test-sqlite test-postgres \
        test-mariadb test-e2e lint audit bench bench-load clean

run: install compile-translations migrate
	DEMO_MODE_ENABLED=$${DEMO_MODE_ENABLED:-1} $(BIN)/python app.py

# The runtime requirements (what `make run` and the Docker image need).
install: $(RUNTIME_STAMP)

# The test and development tools, on top of the runtime set.
install-dev: $(DEV_STAMP)

$(RUNTIME_STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Finora needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-runtime-* $(VENV)/.installed-[0-9]*
	touch $@

# Newer than the runtime stamp, so a change to requirements.txt reinstalls both sets.
$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-*
	touch $@

compile-translations: install
	@$(BIN)/pybabel compile -d translations 2>&1 | grep -v '^compiling' || true
	@test -f translations/pt/LC_MESSAGES/messages.mo

# Extract every string, merge into the pt/en/es catalogues, compile.
translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --project Finora .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d translations

migrate: install
	$(FLASK) db upgrade
	$(FLASK) finora bootstrap

# Style, mistakes and bandit's security checks (ruff), then the import contract in .importlinter: which layer may
# import which (docs/architecture.md, "Layers"), then the type check (mypy, pyproject.toml).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Known vulnerabilities in the pinned requirements (pip-audit); when the package index cannot
# be reached it says so in one line and passes (scripts/audit_dependencies.py). Not in lint:
# lint works offline.
audit: install-dev
	$(BIN)/python scripts/audit_dependencies.py

# The lint checks, the whole suite on SQLite, PostgreSQL and MariaDB and the browser tests
# (on SQLite) at the same time (each pass in its own database; each target's output is
# printed whole when it ends). Lint runs alongside the passes rather than before them (mypy
# alone takes ~17 s cold): a lint failure still fails `make test`, once the passes already
# running have ended. The browser tests are a pass of their own so that the SQLite pass,
# the longest, does not also carry them: the five end at about the same time.
test: install-dev compile-translations
	@$(MAKE) --no-print-directory -j5 --output-sync=target lint test-sqlite test-postgres test-mariadb test-e2e

# This pass also measures which lines of finora/ the suite runs (slipcover: it instruments
# finora's own byte-code and takes each probe out once its line has run, so a test costs
# about a quarter more instead of coverage.py's tracer's two thirds), prints each file short
# of 100 % and the total, and fails below 90 %; the other passes run the same tests
# unmeasured. The browser tests are `make test-e2e` (not measured).
test-sqlite: install-dev compile-translations
	FINORA_TEST_DATABASE_URL=sqlite $(BIN)/python -m slipcover --source finora --skip-covered --fail-under 90 -m pytest --durations=15 -m "not e2e"

test-postgres: install-dev compile-translations
	@status=0; $(BIN)/python tests/require_server.py "$(POSTGRES_TEST_URL)" || status=$$?; \
	if [ $$status -eq 0 ]; then FINORA_TEST_DATABASE_URL="$(POSTGRES_TEST_URL)" $(PYTEST) --durations=15 -m "not e2e"; \
	elif [ $$status -ne 2 ]; then exit $$status; fi

test-mariadb: install-dev compile-translations
	@status=0; $(BIN)/python tests/require_server.py "$(MARIADB_TEST_URL)" || status=$$?; \
	if [ $$status -eq 0 ]; then FINORA_TEST_DATABASE_URL="$(MARIADB_TEST_URL)" $(PYTEST) --durations=15 -m "not e2e"; \
	elif [ $$status -ne 2 ]; then exit $$status; fi

test-e2e: install-dev compile-translations
	FINORA_TEST_DATABASE_URL=sqlite $(PYTEST) --durations=5 -m e2e

# The forecast engine on 500 and 2,000 generated rules (tests/bench/engine.py), then
# server-side timings on 100,000 entries (SQLite; see tests/bench/run.py).
bench: install-dev compile-translations
	$(BIN)/python -m tests.bench.engine
	$(BIN)/python -m tests.bench.startup
	$(BIN)/python -m tests.bench.run

# The load test (docs/performance.md): gunicorn with 4 workers on PostgreSQL and Redis, the
# 100,000-entry household and ten of 10,000, 50 locust users for 3 minutes; prints req/s
# and p50/p95/p99 per page, fails on an error, a duplicate posting or a p95 over 300 ms.
# Not part of `make test` (the suite runs its script at a tiny size: tests/test_load_script.py).
bench-load: install-dev compile-translations
	$(BIN)/python -m tests.load.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
