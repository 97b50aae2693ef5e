# Two commands for a newcomer: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test fuzz soak screenshots schema bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# axe-core, which the browser tests run over every page (the tests need it; serving does not).
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

## Serve the API with demo data on the embedded PostgreSQL: http://127.0.0.1:8000/graphql
serve: $(STAMP)
	$(BIN)/microcred serve --demo

## Run the whole test suite against a real PostgreSQL (embedded unless DATABASE_URL is set)
test: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest

## A long fuzzing run with a random seed (printed; MICROCRED_FUZZ_SEED=N repeats it): schemathesis sends
## 200 generated cases per operation and caller (~23,000), and the property tests explore new examples
fuzz: $(STAMP)
	@seed=$${MICROCRED_FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "fuzz seed: $$seed"; \
	HYPOTHESIS_PROFILE=explore MICROCRED_FUZZ_EXAMPLES=200 $(BIN)/pytest -s tests/test_fuzz.py tests/properties \
	  -p no:cacheprovider --hypothesis-seed=$$seed \
	  || { echo "fuzzing failed with seed $$seed: MICROCRED_FUZZ_SEED=$$seed make fuzz repeats it"; exit 1; }

## Load-and-fault soak: mixed writes and reads for 120 s, PostgreSQL restarted, a worker killed
soak: $(STAMP)
	$(BIN)/python -m tests.soak --duration 120

## The README's screenshots of the pages, taken by the browser tests (needs Debian's chromium)
screenshots: $(STAMP)
	MICROCRED_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/pages/test_browser.py -p no:cacheprovider

## Benchmark: 100,000 listings, the real server, wrk; prints a table (bench/results/latest.md).
## With LISTINGS above 100,000 (e.g. make bench LISTINGS=1000000) it then seeds that many into a
## database of their own and prints how the costs grow for 10,000 / 100,000 / LISTINGS.
LISTINGS ?= 100000
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py
	if [ "$(LISTINGS)" -gt 100000 ]; then $(BIN)/python bench/scale.py --sizes 10000,100000,$(LISTINGS); fi

## Regenerate graphql/schema.graphql from the Strawberry schema
schema: $(STAMP)
	$(BIN)/microcred schema > graphql/schema.graphql

clean:
	rm -rf $(VENV) .microcred .microcred-bench
