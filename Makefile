# Relasi — the targets never change meaning: run, test, lint, bench, worker, seed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is a real (non-debug) install on one machine: SQLite, plain HTTP on loopback.
# Links in e-mails point where `make run` serves (HOST=0.0.0.0: this machine's name).
SITE_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),$(shell hostname),$(HOST))
RUN_ENV := DEBUG=$${DEBUG:-0} SECURE_HTTPS=$${SECURE_HTTPS:-0} SITE_URL=$${SITE_URL:-http://$(SITE_HOST):$(PORT)}

.PHONY: run test lint bench worker seed setup messages clean format

$(STAMP): pyproject.toml
	@PYBIN=$$(scripts/find_python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV); fi
	@echo "Installing Relasi and its tools into $(VENV) (a few minutes the first time)"
	@$(PY) -m pip install -qq --upgrade pip
	@$(PY) -m pip install -qq -e '.[dev]'
	@touch $(STAMP)

messages: $(STAMP)
	@$(PY) scripts/compile_messages.py

setup: $(STAMP) messages
	@$(RUN_ENV) $(PY) manage.py setup --collectstatic

# The seed's summary goes to the terminal; its JSON log lines (UTC, for machines) to var/seed.log.
run: setup
	@mkdir -p var; $(RUN_ENV) $(PY) manage.py seed --if-empty > var/seed.out 2> var/seed.log || { cat var/seed.log var/seed.out; exit 1; }
	@head -1 var/seed.out
	@echo; echo "  Relasi is running at http://$(HOST):$(PORT)/"; \
	if [ -f var/demo-credentials.txt ]; then sed 's/^/  /' var/demo-credentials.txt; fi; echo
	@$(RUN_ENV) $(PY) manage.py db_worker --interval 1 --no-reload > var/worker.log 2>&1 & \
	WORKER=$$!; trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT) --noreload

worker: setup
	$(RUN_ENV) $(PY) manage.py db_worker --interval 1 --no-reload

seed: setup
	$(RUN_ENV) $(PY) manage.py seed

test: $(STAMP) messages
	@$(PY) scripts/run_tests.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy relasi

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var/static
