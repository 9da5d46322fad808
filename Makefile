# Quick start:  make demo   (web app + worker on http://127.0.0.1:5000)
#               make test   (the whole suite against PostgreSQL and SQLite)
# Nothing to install by hand: Python packages go into .venv; the demo uses
# SQLite and an embedded Redis under instance/ (or INBOX_REDIS_URL when set);
# the tests start PostgreSQL and Redis when they are not running.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PIP_FLAGS ?= --disable-pip-version-check --progress-bar off

.PHONY: demo test install services lint clean

# Reinstalled when pyproject.toml changes (editable: migrations/ and
# templates/ are read from the work tree).
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) -e '.[embedded,test]'
	# pip compiles what it copies, not an editable install's own modules:
	# without this every command compiles them as it starts (0.07 s, where
	# PYTHONDONTWRITEBYTECODE is set). Stale files are recompiled on import.
	$(BIN)/python -m compileall -q claims channels config db inbox
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/inbox migrate
	$(BIN)/inbox demo-data
	$(BIN)/inbox run --with-worker --host $(HOST) --port $(PORT)

services:
	scripts/ensure-services.sh

test: install services
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
	find instance -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
