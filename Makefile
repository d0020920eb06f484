# Kindred: `make run` to try it, `make test` to check it. Only Python 3.12+ is needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run install install-dev migrate messages seed test lint format assets check-python e2e-browser clean prod-check

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "Kindred needs Python 3.12 or newer (Django 6); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install 3.12+ or run: make PYTHON=python3.12 ..."; exit 1; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled with Babel, so no GNU gettext is needed on the machine.
messages: install
	set -o pipefail; $(BIN)/pybabel compile --domain django --directory locale --use-fuzzy --statistics 2>&1 | tail -n 1

# Development defaults: SQLite and a file broker under var/, console e-mail. DATABASE_URL and
# REDIS_URL from the environment take precedence.
run: export DEBUG ?= true
# honcho gives each process a PORT of its own, so links are fixed to the web server's port here.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install messages
	@mkdir -p var/broker/queue var/broker/processed var/broker/control
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Kindred is starting on http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo "  E-mails it sends, readable:  http://127.0.0.1:$(PORT)/dev/outbox/"
	@echo
	KINDRED_PORT=$(PORT) $(BIN)/honcho -f Procfile.dev start

test: install-dev messages
	@mkdir -p var
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kindred} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(BIN)/pytest $(PYTEST_ARGS)

# Kindred as on a server: gunicorn, worker, beat, nginx, PostgreSQL, Redis, SMTP, and a smoke through
# nginx (config/deploy/prod-check.sh; needs nginx and openssl, and drops/creates SMOKE_DATABASE_URL).
prod-check: install-dev
	bash config/deploy/prod-check.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Maintainers only (needs npm): refresh static/vendor/ from the versions pinned in package.json.
assets:
	npm ci --no-audit --no-fund
	rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
	cp node_modules/bootstrap/LICENSE static/vendor/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	cp node_modules/bootstrap-icons/LICENSE static/vendor/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
	mkdir -p static/vendor/chartjs && cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	@# Source maps are not shipped: a file naming a missing map breaks collectstatic's manifest storage.
	find static/vendor -name '*.js' -o -name '*.css' | xargs sed -i '/sourceMappingURL=/d'

clean:
	rm -rf $(VENV) var node_modules
