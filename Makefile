# Ceyuan — two commands on a fresh machine:
#   make run    set everything up and start the platform on http://127.0.0.1:8000
#   make test   set everything up and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint typecheck contracts check coverage clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/ceyuan setup

run: setup
	$(BIN)/ceyuan serve

test: $(STAMP)
	$(BIN)/ceyuan compile_translations
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check ceyuan bench tests
	$(BIN)/ruff format --check ceyuan bench tests

typecheck: $(STAMP)
	$(BIN)/mypy ceyuan

contracts: $(STAMP)
	$(BIN)/lint-imports

check: lint typecheck contracts test

coverage: $(STAMP)
	$(BIN)/ceyuan compile_translations
	$(BIN)/python -m pytest -p no:cacheprovider --cov --cov-report=term-missing:skip-covered --cov-report=html $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .mypy_cache .ruff_cache
