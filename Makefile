# Two commands matter: `make run` (set up and serve on SQLite) and `make test` (install and run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
SAMPLE_DIRECTORY := data/sample_directory.json

.PHONY: run test install system-deps translations translations-update test-sqlite test-postgres fuzz sample bench clean load

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[dev,prod]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need: Chromium for the browser tests, pg_dump for backups.
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v pg_dump >/dev/null 2>&1 || { \
	  echo "Installing Debian packages (chromium, postgresql-client)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql-client >/dev/null; }

translations: install
	$(BIN)/python scripts/catalog.py compile

translations-update: install
	$(BIN)/python scripts/catalog.py update
	$(BIN)/python scripts/catalog.py missing || true

# The project's own invented sample directory (deterministic: same seed, same file).
$(SAMPLE_DIRECTORY): directory_import/sample.py | install
	$(BIN)/python -m directory_import.sample $(SAMPLE_DIRECTORY)

sample: $(SAMPLE_DIRECTORY)

bench: install
	for bench in bench/bench_*.py; do $(BIN)/python $$bench || exit 1; done

run: install translations $(SAMPLE_DIRECTORY)
	$(BIN)/helpdesk db upgrade
	$(BIN)/helpdesk demo seed
	@if $(BIN)/helpdesk directory --help >/dev/null 2>&1 && [ -f $(SAMPLE_DIRECTORY) ]; then \
	  $(BIN)/helpdesk directory import $(SAMPLE_DIRECTORY) --quiet; fi
	@if $(BIN)/helpdesk index --help >/dev/null 2>&1; then $(BIN)/helpdesk index rebuild --quiet; fi
	@echo ""
	@echo "  Helpdesk running at http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	@echo "  Demo logins: see above, password demo-password-2026"
	@echo ""
	HELPDESK_SESSION_COOKIE_SECURE=false $(BIN)/helpdesk run --host $(HOST) --port $(PORT)

# The same Hypothesis examples every run ("ci" profile, see tests/conftest.py): a failure is a real one.
test-sqlite: install translations
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

test-postgres: install translations
	HYPOTHESIS_PROFILE=ci TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

# The long randomised run of the property and fuzz tests, not part of `make test`. It prints its seed;
# `make fuzz SEED=<seed>` runs the same examples again. FUZZ_EXAMPLES scales the readers' examples.
ifndef SEED
SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
FUZZ_EXAMPLES ?= 50000
FUZZ_TESTS := tests/test_import_readers_properties.py tests/test_security_fuzz.py tests/test_api_schema.py \
	tests/test_reports_suppression.py
fuzz: install translations
	@echo "make fuzz: hypothesis seed $(SEED)"
	HYPOTHESIS_PROFILE=fuzz HELPDESK_READER_EXAMPLES=$(FUZZ_EXAMPLES) HELPDESK_FUZZ_EXAMPLES=200 \
	  HELPDESK_SCHEMA_EXAMPLES=500 $(BIN)/python -m pytest -n 2 -p no:cacheprovider \
	  --hypothesis-seed=$(SEED) --hypothesis-show-statistics $(FUZZ_TESTS) $(PYTEST_ARGS) \
	  || { echo "make fuzz FAILED with seed $(SEED): reproduce with make fuzz SEED=$(SEED)"; exit 1; }
	@echo "make fuzz passed with seed $(SEED)"

# Runs the suite on SQLite, then on PostgreSQL when a server answers at 127.0.0.1:5432.
test: system-deps install translations
	$(BIN)/python scripts/security_audit.py
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "No PostgreSQL at 127.0.0.1:5432: PostgreSQL run skipped"; fi

# The load run, not part of `make test`: 50 operators for 5 minutes against gunicorn on PostgreSQL (loopback).
load: install translations
	test -x .venv-load/bin/locust || { $(PYTHON) -m venv .venv-load && .venv-load/bin/pip install --quiet locust; }
	$(BIN)/python bench/load/run.py --locust .venv-load/bin/locust

clean:
	rm -rf $(VENV) instance .pytest_cache
