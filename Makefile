# Two commands matter: `make run` (set up and serve on SQLite) and `make test` (install and run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# `make test` checks that the tree is formatted with `ruff format`; RUFF_FORMAT_CHECK=0 skips that one check.
RUFF_FORMAT_CHECK ?= 1
# What ruff checks and formats (ruff also reads .gitignore); mypy's packages are in pyproject.toml.
RUFF_PATHS := helpdesk search_index directory_import tests bench scripts migrations config.py
SAMPLE_DIRECTORY := data/sample_directory.json

.PHONY: run test install system-deps translations translations-update test-sqlite test-postgres test-fast fuzz sample \
	bench clean load lint fmt types types-baseline docs-screenshots axe

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[dev,prod]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need: Chromium for the browser tests, pg_dump for backups, pango and the DejaVu
# fonts for the report's PDF (WeasyPrint), poppler-utils (pdftotext, pdftoppm) to read the PDF back in the tests.
SYSTEM_PACKAGES := chromium postgresql-client libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v pg_dump >/dev/null 2>&1 \
	  && command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
	  && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
	  && ldconfig -p | grep -q libpangoft2-1.0 || { \
	  echo "Installing Debian packages ($(SYSTEM_PACKAGES))"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; }

# axe-core, the accessibility checker the browser tests inject into each page (tests/browser/test_small_screens.py):
# the npm package at a pinned version, its tarball checked against a SHA-256, unpacked into a git-ignored folder.
# Fetched here, at set-up time; the tests read the file and never the network. Bumping AXE_VERSION fetches again.
AXE_VERSION := 4.14.1
AXE_SHA256 := e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
AXE_DIR := tests/browser/vendor
axe:
	@if [ "$$(cat $(AXE_DIR)/axe.version 2>/dev/null)" != "$(AXE_VERSION)" ]; then \
	  command -v npm >/dev/null 2>&1 || { echo "Installing npm"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }; \
	  echo "Fetching axe-core $(AXE_VERSION) into $(AXE_DIR)"; \
	  tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd "$$tmp" && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null) && \
	  echo "$(AXE_SHA256)  $$tmp/axe-core-$(AXE_VERSION).tgz" | sha256sum --check --quiet && \
	  tar -xzf "$$tmp/axe-core-$(AXE_VERSION).tgz" -C "$$tmp" package/axe.min.js && \
	  mkdir -p $(AXE_DIR) && mv "$$tmp/package/axe.min.js" $(AXE_DIR)/axe.min.js && \
	  echo "$(AXE_VERSION)" > $(AXE_DIR)/axe.version; \
	fi

translations: install
	$(BIN)/python scripts/catalog.py compile

translations-update: install
	$(BIN)/python scripts/catalog.py update
	$(BIN)/python scripts/catalog.py missing || true

# The project's own invented sample directory (deterministic: same seed, same file).
$(SAMPLE_DIRECTORY): directory_import/sample.py | install
	$(BIN)/python -m directory_import.sample --format socialbrussels $(SAMPLE_DIRECTORY)

sample: $(SAMPLE_DIRECTORY)

bench: install
	for bench in bench/bench_*.py; do $(BIN)/python $$bench || exit 1; done

# The sample directory is imported before `demo seed`: the demo's year of activity leads to its organisations.
run: install translations $(SAMPLE_DIRECTORY)
	$(BIN)/helpdesk db upgrade
	@if $(BIN)/helpdesk directory --help >/dev/null 2>&1 && [ -f $(SAMPLE_DIRECTORY) ]; then \
	  $(BIN)/helpdesk directory import $(SAMPLE_DIRECTORY) --quiet; fi
	$(BIN)/helpdesk demo seed
	@if $(BIN)/helpdesk index --help >/dev/null 2>&1; then $(BIN)/helpdesk index rebuild --quiet; fi
	@echo ""
	@echo "  Helpdesk running at http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	@echo "  Demo logins: see above, password demo-password-2026"
	@echo ""
	HELPDESK_SESSION_COOKIE_SECURE=false $(BIN)/helpdesk run --host $(HOST) --port $(PORT)

# The same Hypothesis examples every run ("ci" profile, see tests/conftest.py): a failure is a real one.
test-sqlite: install translations axe
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

test-postgres: install translations axe
	HYPOTHESIS_PROFILE=ci TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

# The long randomised run of the property and fuzz tests, not part of `make test`. It prints its seed;
# `make fuzz SEED=<seed>` runs the same examples again. FUZZ_EXAMPLES scales the readers' examples.
ifndef SEED
SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
FUZZ_EXAMPLES ?= 50000
FUZZ_TESTS := tests/test_import_readers_properties.py tests/test_security_fuzz.py tests/test_api_schema.py \
	tests/test_reports_suppression.py tests/test_reliability_killed_import.py
fuzz: install translations
	@echo "make fuzz: hypothesis seed $(SEED)"
	HYPOTHESIS_PROFILE=fuzz HELPDESK_READER_EXAMPLES=$(FUZZ_EXAMPLES) HELPDESK_FUZZ_EXAMPLES=200 \
	  HELPDESK_SCHEMA_EXAMPLES=500 HELPDESK_IMPORT_KILLS=40 HELPDESK_KILL_SEED=$(SEED) $(BIN)/python -m pytest -n 2 -p no:cacheprovider \
	  --hypothesis-seed=$(SEED) --hypothesis-show-statistics $(FUZZ_TESTS) $(PYTEST_ARGS) \
	  || { echo "make fuzz FAILED with seed $(SEED): reproduce with make fuzz SEED=$(SEED)"; exit 1; }
	@echo "make fuzz passed with seed $(SEED)"

# Lint (ruff), types (mypy against its baseline), the security audit, then the suite on SQLite, then on
# PostgreSQL when a server answers at 127.0.0.1:5432.
test: system-deps install translations
	$(MAKE) --no-print-directory lint types
	$(BIN)/python scripts/security_audit.py
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "No PostgreSQL at 127.0.0.1:5432: PostgreSQL run skipped"; fi

# The suite without the tests marked slow (a quick run while working; `make test` runs everything).
test-fast: install translations axe
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider -m "not slow" $(PYTEST_ARGS)

# ruff's lint rules and, unless RUFF_FORMAT_CHECK=0, the formatter's check (pyproject.toml [tool.ruff]).
lint: install
	$(BIN)/ruff check $(RUFF_PATHS)
	@if [ "$(RUFF_FORMAT_CHECK)" = "1" ]; then $(BIN)/ruff format --check $(RUFF_PATHS); \
	else echo "ruff format --check skipped (RUFF_FORMAT_CHECK=$(RUFF_FORMAT_CHECK))"; fi

# Format the tree and apply ruff's safe fixes (import order...).
fmt: install
	$(BIN)/ruff format $(RUFF_PATHS)
	$(BIN)/ruff check --fix $(RUFF_PATHS)

# mypy over helpdesk/, search_index/, directory_import/: fails on an error mypy-baseline.txt does not list.
types: install
	$(BIN)/python scripts/mypy_baseline.py check

# Rewrite mypy-baseline.txt with today's errors (it refuses to grow; see scripts/mypy_baseline.py).
types-baseline: install
	$(BIN)/python scripts/mypy_baseline.py update

# The user guide's screenshots: the browser tests sign in as the demo roles and write docs/images/*.png.
docs-screenshots: system-deps install translations
	DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest -p no:cacheprovider -q tests/browser/test_docs_screenshots.py

# The load run, not part of `make test`: 50 operators for 5 minutes against gunicorn on PostgreSQL (loopback).
load: install translations
	test -x .venv-load/bin/locust || { $(PYTHON) -m venv .venv-load && .venv-load/bin/pip install --quiet locust; }
	$(BIN)/python bench/load/run.py --locust .venv-load/bin/locust

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
