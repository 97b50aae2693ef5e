# Two commands for a newcomer: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test schema install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Serve the API with demo data on the embedded PostgreSQL: http://127.0.0.1:8000/graphql
serve: $(STAMP)
	$(BIN)/microcred serve --demo

## Run the whole test suite against a real PostgreSQL (embedded unless DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/pytest

## Regenerate graphql/schema.graphql from the Strawberry schema
schema: $(STAMP)
	$(BIN)/microcred schema > graphql/schema.graphql

clean:
	rm -rf $(VENV) .microcred
