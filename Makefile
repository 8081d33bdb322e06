# The two commands of the README: `make run` and `make test`.
# Each creates .venv with what it needs on first use.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEMO ?= 3

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

.PHONY: run test lint
run: $(VENV)/.installed
	$(PY) -m master --demo $(DEMO)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check master tests bench
	$(VENV)/bin/ruff format --check master tests bench
	$(VENV)/bin/mypy

test: lint
	$(PY) -m pytest
