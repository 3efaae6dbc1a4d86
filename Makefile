# Hệ thống một cửa điện tử — developer and operator entry points. `make help` lists the targets.
#
#   make run    embedded default: SQLite under instance/, local attachments, in-process jobs
#   make test   whole suite against real PostgreSQL, Redis (+ rq worker) and S3 (scripts/test.sh)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 5000
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check $(if $(CI),--progress-bar off,)
# `make serve MIGRATE=0` on every app server but one, so only one runs the migrations.
MIGRATE ?= 1
# Extra pytest arguments, e.g. make test PYTEST_ARGS='-x -k calendar'
PYTEST_ARGS ?=
export PYTEST_ARGS

# Stamps named after the requirement files' contents: installs run again only when a pin changes.
RUN_STAMP := $(VENV)/.installed-run-$(shell cat requirements.txt | sha256sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)

# `make run` signs citizens in through a development stand-in for VNeID on IDP_PORT (a real OpenID
# Connect provider on loopback, app/identity/demo_provider.py; not VNeID).
IDP_PORT ?= 5001
DEMO_CLIENT_ID := mot-cua-dev
DEMO_CLIENT_SECRET := dev-only-not-secret
DEMO_IDP := OIDC_ISSUER=http://127.0.0.1:$(IDP_PORT) OIDC_CLIENT_ID=$(DEMO_CLIENT_ID) \
	OIDC_CLIENT_SECRET=$(DEMO_CLIENT_SECRET)

# `make run` signs electronic results with a test certificate authority of its own (each unit's key
# issued on first use; `flask results make-test-ca` makes them all at once).
DEMO_RESULTS := RESULT_TEST_CA_DIR=instance/results-ca

# `make run` pays online through a development stand-in for the national payment platform on PAY_PORT
# (a real HTTP server on loopback, app/payments/simulator.py; not the national platform).
PAY_PORT ?= 5002
DEMO_MERCHANT := MOTCUA-ANGIANG
DEMO_PAYMENT_KEY := dev-only-payment-key
DEMO_PAYMENTS := PAYMENT_PLATFORM_URL=http://127.0.0.1:$(PAY_PORT) PAYMENT_MERCHANT_CODE=$(DEMO_MERCHANT) \
	PAYMENT_PLATFORM_KEY=$(DEMO_PAYMENT_KEY)

# `make run` exchanges dossiers with a development stand-in for the National Public Service Portal and
# its LGSP on PORTAL_PORT (a real HTTP server on loopback, app/national/simulator.py; not the portal):
# statuses go out to it, dossiers filed on it are pushed in, signed with the demo LGSP key.
PORTAL_PORT ?= 5003
DEMO_LGSP_KEY := dev-only-lgsp-key
DEMO_NATIONAL := NATIONAL_PORTAL_URL=http://127.0.0.1:$(PORTAL_PORT)/lgsp/dossiers INBOUND_TRANSPORT=push \
	INBOUND_HMAC_KEY=$(DEMO_LGSP_KEY)

# `make run` is the embedded default whatever the developer's shell exports.
EMBEDDED := env -u APP_ENV -u DATABASE_URL -u REDIS_URL -u STORAGE_BACKEND \
	-u S3_ENDPOINT -u S3_ACCESS_KEY -u S3_SECRET_KEY -u S3_BUCKET PORT=$(PORT)

.PHONY: help venv install install-dev run test test-fast fuzz load bench-signin serve worker scheduler lint format migrate seed \
	services services-stop clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(PY):
	scripts/venv.sh $(VENV)

$(RUN_STAMP): | $(PY)
	$(PIP_INSTALL) -r requirements.txt
	rm -f $(VENV)/.installed-run-*
	touch $@

$(DEV_STAMP): | $(PY)
	$(PIP_INSTALL) -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-run-*
	touch $@ $(RUN_STAMP)

venv: install ## create .venv (Python 3.11) and install the runtime requirements

install: $(RUN_STAMP) ## install requirements.txt into .venv (only when it changed)

install-dev: $(DEV_STAMP) ## install requirements-dev.txt (tests, ruff, SeaweedFS) into .venv

run: install ## migrate, seed the demo data and serve on 127.0.0.1:PORT (5000), embedded default, with stand-ins for VNeID (IDP_PORT 5001), the payment platform (PAY_PORT 5002) and the national portal (PORTAL_PORT 5003)
	mkdir -p instance
	$(PY) scripts/build_translations.py
	$(EMBEDDED) $(FLASK) db upgrade
	$(EMBEDDED) $(FLASK) seed demo
	$(EMBEDDED) $(PY) -m app.identity.demo_provider --port $(IDP_PORT) --client-id $(DEMO_CLIENT_ID) \
		--client-secret $(DEMO_CLIENT_SECRET) --redirect-uri http://127.0.0.1:$(PORT)/login/vneid/callback \
		--redirect-uri http://localhost:$(PORT)/login/vneid/callback & \
	IDP_PID=$$!; \
	$(EMBEDDED) $(PY) -m app.payments.simulator --port $(PAY_PORT) --merchant-code $(DEMO_MERCHANT) \
		--key $(DEMO_PAYMENT_KEY) & \
	PAY_PID=$$!; \
	$(EMBEDDED) $(PY) -m app.national.simulator --port $(PORTAL_PORT) --system-url http://127.0.0.1:$(PORT) \
		--inbound-key $(DEMO_LGSP_KEY) & \
	PORTAL_PID=$$!; \
	trap 'kill $$IDP_PID $$PAY_PID $$PORTAL_PID 2>/dev/null || true' EXIT; \
	$(EMBEDDED) $(DEMO_IDP) $(DEMO_RESULTS) $(DEMO_PAYMENTS) $(DEMO_NATIONAL) $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-dev ## run the whole suite against real PostgreSQL, Redis and S3
	PY=$(PY) VENV=$(VENV) scripts/test.sh

test-fast: install-dev ## the suite without browser, worker and slow tests (while you work)
	PY=$(PY) VENV=$(VENV) scripts/test.sh -m "not browser and not worker and not slow"

# Examples per operation and generation mode; 250 makes about 12,000 cases over the whole API.
FUZZ_EXAMPLES ?= 250

fuzz: install-dev ## fuzz every API operation against its OpenAPI schema (>= 10,000 cases); prints the counts
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_MIN_CASES=10000 PY=$(PY) VENV=$(VENV) scripts/test.sh tests/test_api_fuzz.py

# Extra arguments of the load test, e.g. make load LOAD_ARGS='--users 50 --run-time 5m'
LOAD_ARGS ?=

load: install-dev ## load test: Locust users against gunicorn + rq workers on throw-away services (benchmarks/load.py)
	$(PY) scripts/build_translations.py
	source scripts/services.sh && trap 'services_stop || true' EXIT && services_start && \
		$(PY) benchmarks/load.py $(LOAD_ARGS)

bench-signin: install ## time a failed sign-in for an existing and an unknown account (benchmarks/signin_timing.py)
	env -u DATABASE_URL -u REDIS_URL $(PY) benchmarks/signin_timing.py

serve: install ## production: migrate, then gunicorn (needs APP_ENV=production and its settings)
	$(PY) scripts/build_translations.py
	@if [ "$${APP_ENV:-}" != production ]; then \
		echo "make serve runs the production server: set APP_ENV=production with SECRET_KEY," \
			"DATABASE_URL, REDIS_URL, S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY (see README)" >&2; \
		exit 1; \
	fi
	$(if $(filter 1,$(MIGRATE)),$(FLASK) db upgrade,@echo "MIGRATE=$(MIGRATE): skipping db upgrade")
	exec $(VENV)/bin/gunicorn -w $${WEB_CONCURRENCY:-4} -b $${BIND:-0.0.0.0:8000} wsgi:app

# `make worker QUEUES=heavy` for a worker that only renders PDFs and reports.
QUEUES ?= quick,heavy

worker: install ## production: an rq worker for the job queues QUEUES (default quick,heavy; needs REDIS_URL)
	exec $(PY) -m app.worker $(QUEUES)

scheduler: install ## production: the periodic jobs (rq cron scheduler), one per deployment (needs REDIS_URL)
	exec $(PY) -m app.scheduler

lint: install-dev ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: install ## apply database migrations (flask db upgrade) to DATABASE_URL
	mkdir -p instance
	$(FLASK) db upgrade

seed: install ## load the demo data (idempotent)
	mkdir -p instance
	$(FLASK) seed demo

services: install-dev ## start throw-away PostgreSQL, Redis and S3 for a dev session; prints the env
	scripts/services.sh start

services-stop: ## stop what `make services` started
	scripts/services.sh stop

clean: ## stop any throw-away services and remove .venv, instance/ (SQLite, attachments) and .testenv
	if [ -d .testenv ]; then scripts/services.sh stop-all; fi
	rm -rf $(VENV) instance .testenv
