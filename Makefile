# The two commands: `make reports` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: reports test test-fast lint figures benchmarks clean-reports

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

FIGURES := reports/figures/.made

# Every report of notebooks/batch.yml into reports/ (a report whose inputs are unchanged
# is skipped), and the deck's figures as slide files into reports/figures/ (redrawn only
# when the data or the package changed).
reports: $(STAMP) $(FIGURES)
	$(BIN)/synergi report

figures: $(FIGURES)

$(FIGURES): $(STAMP) $(wildcard data/*) $(shell find synergi_analysis -name '*.py')
	$(BIN)/synergi figures --out reports/figures
	touch $@

test: $(STAMP)
	$(BIN)/python -m pytest

# Everything but the slow tests (notebooks, batches, browsers): under a minute, for development.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check synergi_analysis tests benchmarks

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_explore.py

clean-reports:
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
