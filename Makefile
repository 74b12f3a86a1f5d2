# One entry point for people and CI. `make run` starts the local stack and the worker;
# `make test` runs the whole suite against the real local stack.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STATE := .deerstream

.PHONY: install run stack-up stack-down test test-fast test-cluster check lint types bench bench-quick soak clean

# The engine is compiled by mypyc at install (setup.py), so an edit to a compiled module
# reinstalls; DEERSTREAM_COMPILE=0 make install gives a pure-Python checkout instead.
COMPILED_SOURCES := $(wildcard engine/*.py) models/geo.py
COMPILED_OUTPUTS := engine/*.so models/*.so

$(STAMP): pyproject.toml setup.py $(COMPILED_SOURCES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	rm -f $(COMPILED_OUTPUTS)
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

stack-up: $(STAMP)
	$(BIN)/deerstream stack up

stack-down: $(STAMP)
	$(BIN)/deerstream stack down

# Stack up (Kafka, Redis, simulators for local upstream URLs), then the worker in the
# foreground; Ctrl-C stops the worker cleanly and leaves the stack running.
run: $(STAMP)
	$(BIN)/deerstream stack up
	exec $(BIN)/deerstream worker

# The whole suite against the real stack; stops only what this target started.
test: $(STAMP)
	@mkdir -p $(STATE)
	$(BIN)/deerstream stack up --record $(STATE)/test-started
	status=0; $(BIN)/python -m pytest -q $(PYTEST_ARGS) || status=$$?; \
	$(BIN)/deerstream stack down --only-recorded $(STATE)/test-started; \
	exit $$status

# The unit tests only: no Kafka, no Redis, under a minute (every test that uses the stack
# is marked integration by tests/conftest.py).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not integration" $(PYTEST_ARGS)

# The worker on a 3-broker KRaft cluster the tests start themselves (leader kill, rolling
# restart); needs the single-node stack for nothing but Redis and the jars.
test-cluster: $(STAMP)
	@mkdir -p $(STATE)
	$(BIN)/deerstream stack up --record $(STATE)/cluster-started
	status=0; $(BIN)/python -m pytest -q -m cluster tests/stack/test_kafka_cluster.py -s || status=$$?; \
	$(BIN)/deerstream stack down --only-recorded $(STATE)/cluster-started; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

check: lint types test

bench: $(STAMP)
	$(BIN)/deerstream stack up
	$(BIN)/deerstream bench

bench-quick: $(STAMP)
	$(BIN)/deerstream stack up
	$(BIN)/deerstream bench --quick

soak: $(STAMP)
	@mkdir -p $(STATE)
	$(BIN)/deerstream stack up --record $(STATE)/soak-started
	status=0; $(BIN)/python -m pytest -q -m slow tests || status=$$?; \
	$(BIN)/deerstream stack down --only-recorded $(STATE)/soak-started; \
	exit $$status

clean:
	$(BIN)/deerstream stack down || true
	rm -rf $(STATE) .pytest_cache .mypy_cache .ruff_cache build
	rm -f $(COMPILED_OUTPUTS)
