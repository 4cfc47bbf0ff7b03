# A newcomer needs two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# `make test` runs the suite in TEST_WORKERS pytest-xdist processes (it mostly waits on live servers), each
# with session servers of its own, so no test shares a server or its manual clock with a concurrent one.
# worksteal: an idle worker takes queued tests from a busy one, so a slow file does not end the run alone.
TEST_WORKERS ?= 4
test: export PYTEST_ADDOPTS += -n $(TEST_WORKERS) --dist worksteal

.PHONY: run test install bench schemas clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

## Serve the API on SQLite (./data), printing the endpoint and the development credentials.
run: install
	$(BIN)/kempelen serve --host $(HOST) --port $(PORT)

## The whole suite: SQLite always, PostgreSQL too when reachable (CI requires it).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks (not tests): see bench/README.md.
bench: install
	$(BIN)/python -m bench.run

## Regenerate app/schemas/generated.py from botocore's mturk model.
schemas: install
	$(BIN)/python scripts/generate_schemas.py

clean:
	rm -rf $(VENV) data
