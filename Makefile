# A newcomer needs two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# `make test` runs the suite in TEST_WORKERS pytest-xdist processes, each with session servers of its own, so
# no test shares a server or its manual clock with a concurrent one. One more worker than cores: a worker
# waiting on a server leaves its core to another, and each worker more starts servers of its own (on 2 cores:
# 4:05 with 3 workers, 4:24 with 2, 4:30 with 4; with servers forked instead of started, 3:52 to 4:11 with 3,
# 4:03 with 2).
# worksteal: an idle worker takes queued tests from a busy one, so a slow file does not end the run alone.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
# (on the command line, not in PYTEST_ADDOPTS: tests that run pytest in a fresh environment must not inherit it)
test: override PYTEST_ARGS += -n $(TEST_WORKERS) --dist worksteal
# Bytecode caching on for the suite whatever the environment says (this machine sets PYTHONDONTWRITEBYTECODE):
# without its cache every pytest worker compiles and rewrites the asserts of every test module again, 3 s of CPU.
test: export PYTHONDONTWRITEBYTECODE :=

.PHONY: run test install bench schemas clean fuzz

# Two stamps: `make run` needs the runtime only; `make test` (and `make install`) add the test tools.
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test

install: $(TESTING)

$(RUNTIME): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e .
	touch $@

# one pip run for both (a second resolve of the runtime's packages cost a fresh clone's `make test` seconds)
$(TESTING): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(RUNTIME)

## Serve the API on SQLite (./data), printing the endpoint and the development credentials.
run: $(RUNTIME)
	$(BIN)/kempelen serve --host $(HOST) --port $(PORT)

## The whole suite: SQLite always, PostgreSQL too when reachable (CI requires it).
test: $(TESTING)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The fuzzers of tests/fuzz/, long: FUZZ_ITERATIONS requests per operation and database (the suite runs 50).
FUZZ_ITERATIONS ?= 3000
fuzz: install
	KEMPELEN_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) $(BIN)/python -m pytest tests/fuzz -p no:randomly -q $(PYTEST_ARGS)

## Benchmarks (not tests): see bench/README.md.
bench: install
	$(BIN)/python -m bench.run

## Regenerate app/schemas/generated.py from botocore's mturk model.
schemas: install
	$(BIN)/python scripts/generate_schemas.py

clean:
	rm -rf $(VENV) data
