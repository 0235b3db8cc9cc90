# The two commands: `make reports` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: reports test lint figures benchmarks clean-reports

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Every report of notebooks/batch.yml into reports/; a report whose inputs are unchanged is skipped.
reports: $(STAMP)
	$(BIN)/synergi report

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check synergi_analysis tests benchmarks

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_report.py

clean-reports:
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
