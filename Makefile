# The whole set-up: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run demo test bench fuzz lint format messages clean cluster-up cluster-down cluster-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.installed

# Compiled catalogs are built here, never committed.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
%.mo: %.po
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: apt-get install gettext" >&2; exit 1; }
	msgfmt --check -o $@ $<

# The task worker (mail, daily digests and clean-up) runs beside the server
# and stops with it; background jobs ignore Ctrl-C, hence the trap.
run: $(VENV)/.installed $(CATALOGS)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed
	$(BIN)/python manage.py schedule_tasks
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Demo fans, votes, threads and news in the local database (the command seeds
# first); `manage.py demo --remove` takes them out again.
demo: $(VENV)/.installed $(CATALOGS)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo

# The Nu Html Checker, run by tests/test_html_valid.py with the machine's Java
# (so the package's own Java download is skipped).
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: apt-get install nodejs npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

test: $(VENV)/.installed-test $(CATALOGS) $(VNU_JAR)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# The site's pages, votes (tallies checked after), memory, and with SCALE=1 a
# database of a million votes, each as a ratio to a reference page served by
# the same gunicorn; PostgreSQL, Redis and wrk (bench/run.py has the knobs).
# It builds its own databases (bench/fixtures.py) and needs nothing outside
# this repository. Ends by itself and stops its servers on any way out; the
# table also goes to bench/results/ (BENCH_RESULTS).
bench: $(VENV)/.installed $(CATALOGS)
	BENCH_SCALE=$(or $(SCALE),$(BENCH_SCALE)) $(BIN)/python bench/run.py

# The quick one, in-process through Django's test client: median and worst time
# and queries of the home and concern pages (SQLite unless DATABASE_URL is set).
.PHONY: bench-pages
bench-pages: $(VENV)/.installed $(CATALOGS)
	$(BIN)/python bench/pages.py

# Hostile requests at every URL, form and admin page, then schemathesis on the
# JSON API (fuzz/__init__.py has the knobs); exits 1 on any 5xx.
fuzz: $(VENV)/.installed-test $(CATALOGS)
	$(BIN)/python -m fuzz

# PostgreSQL backups with pg_dump's custom format; `make restore FILE=…` puts
# one back over the database in DATABASE_URL, in one transaction.
.PHONY: backup restore
BACKUP_DIR ?= backups
backup:
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
	  *) echo "make backup needs DATABASE_URL=postgres://… (the SQLite default is the file db.sqlite3: copy it while the site is stopped)" >&2; exit 2;; esac
	@mkdir -p "$(BACKUP_DIR)"
	pg_dump --format=custom --no-owner --no-privileges \
		--file="$(BACKUP_DIR)/aouad-$$(date -u +%Y%m%dT%H%M%SZ).dump" "$$DATABASE_URL"
	@ls -1t "$(BACKUP_DIR)"/aouad-*.dump | head -n 1

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/aouad-<time>.dump" >&2; exit 2; }
	@test -f "$(FILE)" || { echo "$(FILE): no such file" >&2; exit 2; }
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
	  *) echo "make restore needs DATABASE_URL=postgres://…" >&2; exit 2;; esac
	pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
		--exit-on-error --dbname="$$DATABASE_URL" "$(FILE)"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Re-extract every translatable string into the Korean catalog.
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l ko --no-obsolete \
		--ignore="tests/*" --ignore="bench/*" --ignore="staticfiles/*" --ignore="test-artifacts/*" \
		--ignore="node_modules/*"

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache staticfiles test-artifacts $(CATALOGS)

# A production-like cluster on this machine, loopback only: nginx on
# CLUSTER_PORT (8080), two gunicorn nodes with production settings, the task
# worker, a PostgreSQL primary with a streaming replica and a Redis of its own,
# all under var/cluster/ (deploy/cluster/up.sh has the ports and options).
# `make cluster-down` stops exactly those, by their PID files.
cluster-up: $(VENV)/.installed $(CATALOGS)
	deploy/cluster/up.sh

cluster-down:
	deploy/cluster/down.sh

# The cluster's promises under abuse and failure (deploy/cluster/test.py):
# slowloris, spoofed X-Forwarded-For, a node killed, Redis stopped, the
# primary restarted. Brings the cluster up if it is not (and down again after).
cluster-test: $(VENV)/.installed $(CATALOGS)
	$(BIN)/python deploy/cluster/test.py
