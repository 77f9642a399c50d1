# The two commands of README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two installs, each with its own stamp: what the product needs to run (make run), and
# that plus the test and lint tools, the `dev` extras (make test and the helpers).
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
PIP_INSTALL := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: run test lint fuzz reliability mutation bench-ingestion bench-delivery bench-answer-page bench-assessment bench-metrics bench-event-post bench-dashboard bench-predictions bench-themes benchmarks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[dev]'
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	@mkdir -p var/mail
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo --if-empty
	DJANGO_DEBUG=1 $(BIN)/python manage.py serve --port $(PORT)

# axe-core for the browser tests' accessibility checks, from the npm registry.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

# mypy (django-stubs, DRF stubs) and import-linter read their settings from pyproject.toml;
# mypy loads the Django settings, which outside DEBUG insist on a secret key.
test: $(STAMP) $(AXE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null --settings=tests.settings
	$(BIN)/pytest $(PYTEST_ARGS)

# Schemathesis over every API operation at full size (the suite runs a few examples):
# positive and negative data, every check of Schemathesis's `all` (server errors, status
# codes, content types, headers, response schemas, negative data rejected, auth
# enforced), then a stateful run along the schema's links. Not enabled: the
# experimental `positive_data_acceptance`, because an opaque cursor, a name already
# used (409) and rules across fields (`until` after `since`) make schema-valid input a
# documented 400/409 that no OpenAPI keyword can express. The negative-data check is
# skipped only for cases whose invalid part never reaches the API (a query value of
# nulls or an empty list, sent as nothing; an API key the test replaces by a valid one).
# The fuzz key holds `manage` and `owner`, so memberships are fuzzed past their 403.
fuzz: $(STAMP)
	CX_FUZZ_EXAMPLES=$${CX_FUZZ_EXAMPLES:-100} $(BIN)/pytest tests/cx/test_api_fuzz.py -q

# Fault, abuse and fuzz tests at full size (real PostgreSQL, Redis, RabbitMQ, Celery
# workers, gunicorn on a PostgreSQL cluster of their own; Schemathesis at 100 examples
# per operation); prints the table of counts. A missing server fails the run instead of
# skipping its tests.
reliability: $(STAMP)
	CX_RELIABILITY_SIZE=$${CX_RELIABILITY_SIZE:-500} \
	CX_FUZZ_EXAMPLES=$${CX_FUZZ_EXAMPLES:-100} \
	CX_TOKEN_DIRECT=$${CX_TOKEN_DIRECT:-20000} \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	CX_REQUIRE_SERVICES=$${CX_REQUIRE_SERVICES:-1} \
	$(BIN)/pytest tests/surveys/test_delivery_reliability.py tests/faults tests/security \
		tests/cx/test_api_fuzz.py tests/cx/test_ratelimit.py tests/cx/test_security.py \
		tests/audit -q -p no:cacheprovider

# Mutation testing (docs/mutation.md) of the modules that decide money-and-trust
# outcomes, against the tests listed in pyproject's [tool.mutmut]; one process (the
# machine is shared). MUTANTS narrows the run to a module, e.g.
# `make mutation MUTANTS='followups.rules.*'`; results are kept under mutants/. The tests
# run on SQLite, or on PostgreSQL with DATABASE_URL=postgres://… (which alone reaches the
# undeliverable check made by the insert); their test database has a fixed name and is
# reused by each mutant's pytest session (CX_TEST_DB_KEEP, tests/settings.py); the
# SQLite one is made anew at the start of a run.
MUTANTS ?=
mutation: $(STAMP)
	rm -f mutants/var/test-kept.sqlite3
	CX_TEST_DB_KEEP=1 $(BIN)/mutmut run --max-children 1 $(MUTANTS)
	$(BIN)/mutmut export-cicd-stats
	cat mutants/mutmut-cicd-stats.json

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench-ingestion: $(STAMP)
	$(BIN)/python benchmarks/ingestion.py

# Needs a Redis too: CELERY_BROKER_URL (default redis://127.0.0.1:6379/0).
bench-delivery: $(STAMP)
	$(BIN)/python benchmarks/delivery.py

bench-answer-page: $(STAMP)
	LOG_LEVEL=WARNING $(BIN)/python benchmarks/answer_page.py

# Needs wrk (apt-get install -y wrk) and a Redis as the broker: CELERY_BROKER_URL.
bench-event-post: $(STAMP)
	$(BIN)/python benchmarks/event_post.py

bench-assessment: $(STAMP)
	$(BIN)/python benchmarks/assessment.py

bench-metrics: $(STAMP)
	$(BIN)/python benchmarks/metrics.py

bench-dashboard: $(STAMP)
	LOG_LEVEL=WARNING $(BIN)/python benchmarks/dashboard.py

# Learning at 100,000 customers / 1,000,000 events next to scikit-learn's fit alone, and
# scoring a customer after an event next to the same event without scoring.
bench-predictions: $(STAMP)
	LOG_LEVEL=WARNING $(BIN)/python benchmarks/prediction_models.py

# Themes + sentiment for 100,000 comments next to TF-IDF + NMF alone; tagging one
# comment (p95). No database needed.
bench-themes: $(STAMP)
	$(BIN)/python benchmarks/themes.py

# Each benchmark prints its figure next to a baseline measured in the same run.
# They need PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
benchmarks: bench-ingestion bench-delivery bench-answer-page bench-assessment bench-metrics bench-event-post bench-dashboard bench-predictions bench-themes

clean:
	rm -rf $(VENV) var .pytest_cache node_modules
