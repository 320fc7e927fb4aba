# One workflow: what the README says, what CI runs, what a developer types.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# DEBUG is off unless DJANGO_DEBUG=1: the development targets turn it on.
DEV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

# The background worker (django-tasks' db_worker: long roster imports) starts
# beside the server in the same recipe and is stopped when the server stops.
WORKER := $(BIN)/python manage.py db_worker --no-reload -v0 & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM;

.PHONY: run test lint format migrate demo clean serve serve-nginx bench loadtest chaos \
	vendor-swagger-ui

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# The project's Chinese catalogues (locale/), compiled with polib whenever a .po
# is newer than its .mo: no GNU gettext needed on the machine.
MESSAGES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
$(MESSAGES): %.mo: %.po $(BIN)/.installed
	$(DEV) $(BIN)/python manage.py compile_catalogues
	touch $@

run: $(BIN)/.installed $(MESSAGES)
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo --if-empty
	$(DEV) sh -c '$(WORKER) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)'

# axe-core for the browser tests' accessibility audits, at the version
# package-lock.json pins, from the npm registry into node_modules/ (git-ignored,
# never served to visitors).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found (axe-core for tests/browser): apt-get install -y nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Swagger UI for the API's docs page (/api/v1/docs/), served from static/ and
# committed: the package swagger-ui-dist at this exact version, from the npm
# registry (npm pack checks its integrity). To update: change the version, run
# make vendor-swagger-ui, check the page (tests/browser/test_api_docs.py), commit.
# The CSS's source-map comment is dropped: the map is not vendored, and the
# production static storage refuses a reference to a missing file.
SWAGGER_UI_VERSION := 5.35.0
SWAGGER_UI := static/vendor/swagger-ui
vendor-swagger-ui:
	@command -v npm >/dev/null || { echo "npm not found: apt-get install -y nodejs npm"; exit 1; }
	rm -rf .vendor-tmp && mkdir -p .vendor-tmp $(SWAGGER_UI)
	cd .vendor-tmp && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) >/dev/null \
		&& tar xzf swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz
	cp .vendor-tmp/package/swagger-ui-bundle.js .vendor-tmp/package/swagger-ui-bundle.js.LICENSE.txt \
		.vendor-tmp/package/LICENSE .vendor-tmp/package/NOTICE $(SWAGGER_UI)/
	sed '/sourceMappingURL=/d' .vendor-tmp/package/swagger-ui.css > $(SWAGGER_UI)/swagger-ui.css
	echo "swagger-ui-dist $(SWAGGER_UI_VERSION) (npm), by make vendor-swagger-ui" > $(SWAGGER_UI)/VERSION
	rm -rf .vendor-tmp

# SQLite by default; PostgreSQL when DATABASE_URL names one. The tests run in
# TEST_WORKERS processes (pytest-xdist; each has its own test database and
# browser), a worker taking a waiting test when it has none: TEST_WORKERS=0
# runs them in this one process.
TEST_WORKERS ?= 2
test: $(BIN)/.installed $(MESSAGES) $(AXE)
	$(DEV) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(BIN)/.installed $(MESSAGES)
	$(DEV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV) $(BIN)/python manage.py load_demo

clean:
	rm -rf $(VENV) node_modules staticfiles .serve .pytest_cache .ruff_cache

# gunicorn with production settings on http://127.0.0.1:$(PORT): a local
# rehearsal of a deployment (plain http, so no HTTPS redirect; see docs/deploy.md).
serve: $(BIN)/.installed $(MESSAGES)
	DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0 \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} \
	sh -c 'set -e; $(BIN)/python manage.py migrate --noinput; \
	$(BIN)/python manage.py collectstatic --noinput -v0; \
	$(WORKER) $(BIN)/gunicorn aidportal.wsgi --bind 127.0.0.1:$(PORT) --workers $${WORKERS:-2} --access-logfile -'

# The same behind Debian's nginx (deploy/nginx/, docs/deploy.md): nginx on
# http://127.0.0.1:$(PORT) serves the static files and caches anonymous pages,
# gunicorn answers on 127.0.0.1:$(APP_PORT); nginx runs as the current user
# with its files in .serve/nginx/. Ctrl-C stops nginx, gunicorn and the worker.
NGINX ?= /usr/sbin/nginx
APP_PORT ?= $(shell echo $$(($(PORT) + 1)))
serve-nginx: $(BIN)/.installed $(MESSAGES)
	@test -x $(NGINX) || { echo "nginx not found: apt-get install -y --no-install-recommends nginx"; exit 1; }
	DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0 TRUSTED_PROXY_COUNT=1 \
	MEDIA_ACCEL_REDIRECT=/protected-media/ \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} \
	sh -c 'set -e; $(BIN)/python manage.py migrate --noinput; \
	$(BIN)/python manage.py collectstatic --noinput -v0; \
	$(BIN)/python manage.py nginx_config --prefix .serve/nginx --listen 127.0.0.1:$(PORT) \
		--upstream 127.0.0.1:$(APP_PORT) --access-log "/dev/stdout cache"; \
	$(WORKER) $(BIN)/gunicorn aidportal.wsgi --bind 127.0.0.1:$(APP_PORT) --workers $${WORKERS:-2} & app=$$!; \
	trap "kill $$worker $$app 2>/dev/null" EXIT INT TERM; \
	$(NGINX) -p .serve/nginx -c nginx.conf'

# Benchmark report at a million rows (PostgreSQL, Redis, wrk); writes bench/reports/.
bench: $(BIN)/.installed $(MESSAGES)
	@command -v wrk >/dev/null || echo "wrk not found: apt-get install -y wrk (throughput is skipped without it)"
	$(DEV) $(BIN)/python bench/run.py

# 60 s of mixed public traffic (pages, searches, exports, malformed URLs)
# against gunicorn with production settings on PostgreSQL; fails on any 5xx.
loadtest: $(BIN)/.installed $(MESSAGES)
	@command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk"; exit 1; }
	$(DEV) $(BIN)/python bench/loadtest.py

# 90 s of public traffic and staff saves against gunicorn (production settings)
# on a PostgreSQL and a Redis of its own, while Redis is stopped for 20 s and
# PostgreSQL restarted; per-phase report in bench/reports/; fails on any 500,
# a socket error, a wrong answer or a lost or half-written save.
chaos: $(BIN)/.installed $(MESSAGES)
	$(DEV) $(BIN)/python bench/chaos.py
