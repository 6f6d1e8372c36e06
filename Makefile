# The two commands README.md leads with:
#   make demo   sets everything up and analyses the bundled examples with the embedded default model
#   make test   sets everything up and runs the whole test suite (what CI runs)
# Both create and use .venv in the repository root.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/demo

.PHONY: install demo test lint clean-venv

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install.sh
	PYTHON=$(PYTHON) bash scripts/install.sh
	touch $(STAMP)

demo: install
	$(BIN)/analyser analyse examples/*.pdf --out $(OUT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check analyser tests app.py
	$(BIN)/ruff format --check analyser tests app.py
	$(BIN)/mypy
	$(BIN)/lint-imports

clean-venv:
	rm -rf $(VENV)
