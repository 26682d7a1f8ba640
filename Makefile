# The README's commands. Each installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SEEDS ?= ../shared/seeds
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-k import -x"
PYTEST_ARGS ?=

.PHONY: install run demo test lint format check ci-checks browser-deps front-cache-deps clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Install, migrate, load the publication's content (or the demo set), print an editor login, serve.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo --seeds "$(SEEDS)" --url http://$(HOST):$(PORT)/admin/
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Install and run the whole test suite (browser and front cache tests included: see browser-deps,
# front-cache-deps).
test: install browser-deps front-cache-deps
	ENV_FILE= SECRET_KEY=$${SECRET_KEY:-test-only-insecure-key} $(PY) -m pytest $(PYTEST_ARGS)

# Debian's Chromium for the browser tests, axe-core (npm) for the accessibility checks, and the
# Nu HTML checker (npm vnu-jar) with Debian's Java for the HTML checks.
# Installed when missing and this machine can (root with apt-get; npm); otherwise those tests
# are skipped with a message saying why.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@if ! command -v java >/dev/null && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	fi
	@if [ -f package.json ] && [ ! -d node_modules ] && command -v npm >/dev/null; then \
		npm ci --silent --no-audit --no-fund; \
	fi

# Debian's Varnish and vmod xkey for the front cache (deploy/varnish/) and its test. Installed
# when missing and this machine can (root with apt-get); otherwise tests/socialleaders/
# test_front_cache.py is skipped with a message saying why (failed with REQUIRE_FRONT_CACHE=1).
front-cache-deps:
	@if [ -x /usr/sbin/varnishd ] && ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1; then \
		:; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules >/dev/null; \
	else \
		echo "front-cache-deps: skipped (needs root and apt-get: apt-get install varnish varnish-modules)"; \
	fi

# ruff, and the import contracts in pyproject.toml (which app may import which).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles node_modules
