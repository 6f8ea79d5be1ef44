# Resource Map: `make run` serves the site with sample data, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install install-prod run serve serve-prod migrate sample-data test test-fast \
        test-postgres lint format check-migrations messages lock bench clean

help:
	@echo "make run    - install, migrate, load sample data and serve at http://$(HOST):$(PORT)/"
	@echo "make serve-prod - production: collectstatic, migrate, gunicorn (docs/deploy.md)"
	@echo "make test   - run the whole test suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint   - ruff check and format check"
	@echo "make bench  - search benchmark (prints a table; not part of the tests)"

# The virtualenv is rebuilt whenever the lock file changes.
$(VENV)/.installed: requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

# Production installs the runtime lock only.
$(VENV)/.installed-prod: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

install-prod: $(VENV)/.installed-prod

migrate: install
	$(PY) manage.py migrate --noinput

sample-data: migrate
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_sample_data

run: sample-data
	@echo ""
	@echo "  Resource Map is running at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production command: hashed static files, migrations, then gunicorn with
# WEB_CONCURRENCY workers (default 2) on $(HOST):$(PORT). The environment must give
# DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL (docs/deploy.md).
serve-prod: export DJANGO_ENV = production
serve-prod: install-prod
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	exec $(VENV)/bin/gunicorn directory.wsgi --config deploy/gunicorn.conf.py \
		--bind $(HOST):$(PORT)

test: install
	$(PY) -m pytest -n 2 --dist loadfile -p no:cacheprovider

test-fast: install
	$(PY) -m pytest -n 2 --dist loadfile -p no:cacheprovider -m "not browser"

test-postgres: install
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/resource_map_ci $(MAKE) test

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

# Every language in settings.LANGUAGES but English (locale names: zh_Hans, not zh-hans).
LOCALES := es zh_Hans zh_Hant vi ko tl ru ar ht pt fr
MAKEMESSAGES := ../$(PY) ../manage.py makemessages $(addprefix -l ,$(LOCALES)) --no-obsolete --no-wrap

# The vocabularies' texts first (fixtures/ -> directory/vocabulary_msgids.py), then each app's
# catalogs; tests/test_catalogs.py fails while a catalog misses a public string.
messages: install
	$(PY) tools/write_vocabulary_msgids.py
	cd directory && $(MAKEMESSAGES)
	cd referrals && $(MAKEMESSAGES)
	cd directory && ../$(PY) ../manage.py compilemessages
	cd referrals && ../$(PY) ../manage.py compilemessages

# Re-pin every dependency (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock
	uv pip compile pyproject.toml --group dev --group build --generate-hashes \
		--python-version 3.11 -o requirements-dev.lock

bench: install
	$(PY) bench/search.py

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache
