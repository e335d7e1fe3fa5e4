# `make run` serves the register locally; `make test` runs every check. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PORT ?= 8000
HOST ?= 127.0.0.1
# `make test` needs a key but no secret: this one only ever signs test data.
TEST_ENV := SECRET_KEY=make-test-not-a-secret DEBUG=false

.PHONY: install messages run test lint typecheck serve work browser certificates proxy backup restore clean

$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed

messages: install
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv --ignore=var -v 0

# A local .env (never committed, ignored without DEBUG) lets manage.py commands run in a second shell.
.env:
	printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@

run: messages .env
	mkdir -p var
	DEBUG=true $(MANAGE) migrate --noinput -v 0
	DEBUG=true $(MANAGE) load_reference_data
	DEBUG=true $(MANAGE) create_demo_accounts
	@# The worker (emails, notices, webhooks, reminders) runs beside the development server and stops with it.
	DEBUG=true $(MANAGE) work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=true $(MANAGE) runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r alliance members initiatives subscriptions webhooks programme reference verifier

typecheck: install
	$(TEST_ENV) $(BIN)/mypy .

# Browser tests need Debian's Chromium (and a Chinese font for the screenshots); install them
# when missing and allowed to.
browser:
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null) \
		|| echo "chromium is not installed: browser tests will be skipped (they never are in CI)."; }

# Certificates (WeasyPrint) need Pango and HarfBuzz's subsetter, and fonts for the six languages' scripts:
# Noto Sans and Noto Naskh Arabic (fonts-noto-core), WenQuanYi Zen Hei for Chinese. Install them when
# missing and allowed to; without them, the certificate tests are skipped (never in CI) and the site
# answers 503 for a certificate, never 500.
CERTIFICATE_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-core fonts-wqy-zenhei
certificates: install
	@{ $(BIN)/python -W error::DeprecationWarning -c 'import weasyprint' \
		&& fc-list :lang=ar family | grep 'Noto Naskh Arabic' && fc-list :lang=zh | grep .; } >/dev/null 2>&1 \
		|| { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CERTIFICATE_PACKAGES) >/dev/null) \
		|| echo "Pango or the certificates' fonts are missing ($(CERTIFICATE_PACKAGES)): certificate tests will be skipped (never in CI)."; }

# The proxy test runs deploy/nginx.conf: install nginx when missing and allowed to.
proxy:
	@command -v nginx >/dev/null && command -v openssl >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light openssl >/dev/null) \
		|| echo "nginx is not installed: the proxy test will be skipped (never in CI)."; }

test: messages lint typecheck browser certificates proxy
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run -v 0
	$(TEST_ENV) $(MANAGE) check --fail-level WARNING
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=register.example \
		DEBUG=false $(MANAGE) check --deploy --fail-level WARNING
	$(TEST_ENV) $(BIN)/pytest

# Processes and threads come from gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS).
serve: export DEBUG ?= false
serve: messages
	@test -n "$$SECRET_KEY" || { echo "make serve needs SECRET_KEY (and ALLOWED_HOSTS) in the environment."; exit 1; }
	mkdir -p var
	$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_reference_data
	@# One worker process beside the web server; on several hosts, see the README's deployment section.
	$(MANAGE) work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/gunicorn alliance.wsgi --bind $(HOST):$(PORT) --access-logfile -

# The background worker alone, for hosts that only run workers (make serve starts one itself).
work: export DEBUG ?= false
work: install
	$(MANAGE) work

# PostgreSQL dump of the register (and restore). Evidence files live in var/private: back them up too.
BACKUP_DIR ?= var/backups
backup:
	@test -n "$$DATABASE_URL" || { echo "make backup needs DATABASE_URL (PostgreSQL)."; exit 1; }
	@mkdir -p $(BACKUP_DIR)
	@file=$(BACKUP_DIR)/alliance-$$(date -u +%Y%m%dT%H%M%SZ).dump; \
		pg_dump --format=custom --no-owner --no-privileges --file="$$file" "$$DATABASE_URL" && echo "$$file"

# The shared cache (REDIS_URL) is emptied after a restore: its pages and sessions are newer than the dump.
restore: install
	@test -n "$$DATABASE_URL" || { echo "make restore needs DATABASE_URL (PostgreSQL)."; exit 1; }
	@test -f "$(FILE)" || { echo "make restore needs FILE=path/to/alliance-….dump"; exit 1; }
	pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --dbname="$$DATABASE_URL" "$(FILE)"
	$(MANAGE) clear_cache

clean:
	rm -rf $(VENV) var/staticfiles
