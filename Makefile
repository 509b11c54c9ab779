# Athenas: `make run` serves the portal, `make test` proves it. Everything a target needs
# is installed by the target itself (virtualenv, pinned packages, Debian packages).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
SANDBOX_PORT ?= 8099
ATHENAS_SANDBOX_BANK_URL ?= http://127.0.0.1:$(SANDBOX_PORT)
export PORT ATHENAS_SANDBOX_BANK_URL

.PHONY: run worker test test-sqlite test-postgres test-browser test-browser-prod lint install system-deps browser-deps seed clean release deploy bench-load

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) system-deps

# WeasyPrint needs Pango; tests read PDFs with pdftotext; backups run restic and, on
# PostgreSQL, pg_dump/pg_restore. Installed with apt when missing.
system-deps:
	@missing=""; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v restic >/dev/null || missing="$$missing restic"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	if [ -n "$$missing" ]; then \
	  echo "Instalando pacotes do sistema:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

run: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed-demo --if-empty
	$(BIN)/flask --app wsgi serve --port $(PORT) --with-sandbox

# Production job worker (needs REDIS_URL); -B also runs the beat scheduler in this
# process: use it for a single worker, and run `celery -A portal.worker beat` apart when N > 1.
worker: install
	@test -n "$$REDIS_URL" || { echo "Defina REDIS_URL (ex.: redis://127.0.0.1:6379/0) para rodar o worker."; exit 1; }
	$(BIN)/celery -A portal.worker worker --loglevel=INFO -B

seed: install
	$(BIN)/flask --app wsgi seed-demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	npx -y npm-groovy-lint@14 --files Jenkinsfile --failon warning --noserver

test-sqlite: install
	ATHENAS_TEST_BACKEND=sqlite $(BIN)/pytest -m "not e2e" -q -n 2

test-postgres: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  ATHENAS_TEST_BACKEND=postgresql $(BIN)/pytest -m "not e2e" -q -n 2; \
	else echo "TEST_DATABASE_URL não definida: suíte no PostgreSQL não executada."; fi

test-browser: install
	@if [ "$$ATHENAS_REQUIRE_BROWSER" = 1 ]; then $(MAKE) --no-print-directory browser-deps; fi
	ATHENAS_TEST_BACKEND=sqlite $(BIN)/pytest -m e2e -q

# The main browser flows (MFA login, client search, board move, finance ledger, a job) once
# more against the production shape: Gunicorn + PostgreSQL + Redis + a Celery worker.
test-browser-prod: install
	@if [ -n "$$TEST_DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then \
	  if [ "$$ATHENAS_REQUIRE_BROWSER" = 1 ]; then $(MAKE) --no-print-directory browser-deps; fi; \
	  ATHENAS_E2E_SHAPE=production $(BIN)/pytest -m "e2e and production_shape" -q; \
	elif [ "$$ATHENAS_REQUIRE_BROWSER" = 1 ]; then \
	  echo "TEST_DATABASE_URL e REDIS_URL são obrigatórias com ATHENAS_REQUIRE_BROWSER=1."; exit 1; \
	else echo "TEST_DATABASE_URL/REDIS_URL não definidas: fluxos no formato de produção não executados."; fi

test: test-sqlite test-postgres test-browser test-browser-prod

# Load suite: Locust (optional group "bench", installed here) against Gunicorn + PostgreSQL +
# Redis + a Celery worker + the sandbox bank on 127.0.0.1, 50 users of mixed roles for 60 s;
# writes bench/results/load.md, exits 1 on any error. Works on copies of the generated
# databases when they exist, else on the demo alone; ATHENAS_LOAD_* options in
# bench/load/run.py and the README (e.g. ATHENAS_LOAD_TEMPLATE=none for the demo only).
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench-load: $(BENCH_STAMP) system-deps
	$(BIN)/python bench/load/run.py

# A release tarball in dist/: the application files plus the wheels of its pinned dependencies.
release:
	deploy/build-release.sh

# Build a release and deploy it (Jenkins' Deploy stage, branch main): DEPLOY_TARGET is
# usuario@servidor:/srv/athenas or a local directory; DEPLOY_OPTIONS go to deploy/deploy.sh.
deploy:
	@test -n "$$DEPLOY_TARGET" || { echo "Defina DEPLOY_TARGET (usuario@servidor:/srv/athenas ou um diretório)."; exit 1; }
	eval "deploy/ship.sh \"$$DEPLOY_TARGET\" $$DEPLOY_OPTIONS"

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
