# onethread: `make demo` to try it, `make test` to check it. Every target sets
# up what it needs (a Python >= 3.12 venv in .venv) on first use.

SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.onethread-installed
CONSTRAINTS := requirements/constraints.txt

.DEFAULT_GOAL := help
.PHONY: help setup demo test bench lock clean clean-data

help:
	@echo "make demo        seed the demo company and serve it on http://127.0.0.1:8000"
	@echo "make test        lint, types, tests on SQLite and PostgreSQL, browser tests"
	@echo "make setup       create .venv and install onethread with its dev dependencies"
	@echo "make bench       run every benchmark under bench/"
	@echo "make lock        re-pin every dependency in $(CONSTRAINTS)"
	@echo "make clean       remove .venv and test artefacts (keeps your data)"
	@echo "make clean-data  remove the embedded database under var/"

setup: $(STAMP)

# Reinstalled only when the dependencies change: quick when already set up.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	@scripts/setup
	@touch $@

# A local trial runs in debug mode unless you have set ONETHREAD_DEBUG yourself.
demo: setup
	ONETHREAD_DEBUG="$${ONETHREAD_DEBUG:-true}" $(VENV)/bin/onethread demo

test: setup
	@scripts/test

bench: setup
	@shopt -s nullglob; scripts=(bench/*.py); \
	if (( $${#scripts[@]} == 0 )); then echo "No benchmarks under bench/ yet."; fi; \
	for script in "$${scripts[@]}"; do \
		echo "==> $$script"; $(VENV)/bin/python "$$script" || exit 1; \
	done

lock:
	@scripts/lock

clean:
	rm -rf $(VENV) var/screenshots .pytest_cache .mypy_cache .ruff_cache .hypothesis

clean-data:
	rm -f var/onethread.sqlite3 var/onethread.sqlite3-wal var/onethread.sqlite3-shm
