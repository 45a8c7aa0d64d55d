# AST Training Hub. `make run` sets up and runs everything; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs the runtime lock only (what the production image gets); the tests,
# the linters and the benchmarks install the dev lock, a superset resolved together with it.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
LOCK_TOOLS := var/lock-tools
PIP_COMPILE := $(LOCK_TOOLS)/bin/pip-compile --quiet --strip-extras --no-emit-find-links \
	--no-emit-index-url

.PHONY: run test lint lock format bench-engine bench-quota bench-jobs bench-kaggle bench-soak \
	bench-webhooks bench-portal clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	# The SDK's `asthub` console script (the package itself is imported from the tree).
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(DEV): requirements-dev.lock requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(RUNTIME)

# Resolve both lock files from pyproject.toml: the runtime set first, then runtime + dev
# constrained to it, so every package they share has one version. torch is written
# without the `+cpu` local label the CPU build carries: pip takes the CPU build wherever an
# index offers it (the Dockerfile's, this machine's wheel folder) and PyPI's elsewhere.
lock:
	test -x $(LOCK_TOOLS)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_TOOLS) \
		&& $(LOCK_TOOLS)/bin/python -m pip install --quiet pip-tools==7.7.0)
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	sed -i 's/^torch==\([0-9.]*\)+cpu$$/torch==\1/' requirements.lock
	$(PIP_COMPILE) --all-extras --constraint requirements.lock \
		--output-file requirements-dev.lock pyproject.toml
	sed -i 's/^torch==\([0-9.]*\)+cpu$$/torch==\1/' requirements-dev.lock

run: $(RUNTIME)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrap_demo --base-url "http://$${HOST:-127.0.0.1}:$${PORT:-8000}"
	exec $(BIN)/python manage.py run_hub

test: $(DEV)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	# The deployment files, checked without a Docker engine: the compose file against the
	# Compose Specification's schema, the Dockerfile with hadolint.
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker/compose.yml
	$(BIN)/hadolint docker/Dockerfile

format: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench-quota: $(DEV)
	$(BIN)/python bench/quota_race.py

bench-webhooks: $(DEV)
	$(BIN)/python bench/stripe_webhooks.py

bench-engine: $(DEV)
	# The reference package, without its dependencies (they would pull a CUDA torch).
	test -d var/astref || $(BIN)/python -m pip install --quiet --target var/astref --no-deps \
		adaptive-sparse-training==1.0.1 tqdm
	$(BIN)/python bench/engine.py --config all --reference-path var/astref

bench-jobs: $(DEV)
	$(BIN)/python bench/jobs_throughput.py

bench-kaggle: $(DEV)
	$(BIN)/python bench/kaggle_poller.py

bench-soak: $(DEV)
	$(BIN)/python bench/soak.py

bench-portal: $(DEV)
	$(BIN)/python bench/portal.py

clean:
	rm -rf $(VENV) var
