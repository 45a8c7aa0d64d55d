# AST Training Hub. `make run` sets up and runs everything; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench-engine bench-quota bench-jobs bench-kaggle bench-soak bench-webhooks clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	# The SDK's `asthub` console script (the package itself is imported from the tree).
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrap_demo --base-url "http://$${HOST:-127.0.0.1}:$${PORT:-8000}"
	exec $(BIN)/python manage.py run_hub

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench-quota: $(STAMP)
	$(BIN)/python bench/quota_race.py

bench-webhooks: $(STAMP)
	$(BIN)/python bench/stripe_webhooks.py

bench-engine: $(STAMP)
	# The reference package, without its dependencies (they would pull a CUDA torch).
	test -d var/astref || $(BIN)/python -m pip install --quiet --target var/astref --no-deps \
		adaptive-sparse-training==1.0.1 tqdm
	$(BIN)/python bench/engine.py --reference-path var/astref

bench-jobs: $(STAMP)
	$(BIN)/python bench/jobs_throughput.py

bench-kaggle: $(STAMP)
	$(BIN)/python bench/kaggle_poller.py

bench-soak: $(STAMP)
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) var
