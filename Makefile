# The two commands of the README: `make run` and `make test`.
# Each creates .venv with what it needs on first use.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEMO ?= 3
# Test processes (pytest-xdist); JOBS=0 runs the suite in this one process.
JOBS ?= 2

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

.PHONY: run test lint screenshots
run: $(VENV)/.installed
	$(PY) -m master --demo $(DEMO)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check master tests bench
	$(VENV)/bin/ruff format --check master tests bench
	$(VENV)/bin/mypy

test: lint
	$(PY) -m pytest -n $(JOBS)

# The dashboard screenshots the README shows (docs/*.png), taken by the browser test.
screenshots: $(VENV)/.installed
	SCREENSHOTS_DIR=$(CURDIR)/docs $(PY) -m pytest tests/test_browser.py -k test_dashboard_live
