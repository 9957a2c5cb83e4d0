# The two Quick start commands: `make demo` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: load the Ain Issa example into a fresh store and print who backs, opposes, mediates whom
demo: $(STAMP)
	rm -rf .kg-demo
	$(BIN)/kg --store .kg-demo load examples/ain-issa-2020/
	@echo; echo "== who backs whom"; $(BIN)/kg --store .kg-demo match "?backer backs ?backed"
	@echo; echo "== who opposes whom"; $(BIN)/kg --store .kg-demo match "?a opposes ?b"
	@echo; echo "== who mediates between whom"; $(BIN)/kg --store .kg-demo match "?mediator mediates ?party"
	@echo; echo "== who negotiates with Turkey"; $(BIN)/kg --store .kg-demo match "?x negotiates-with turkey"
	@echo; echo "== says who: Moscow backs the Syrian regime"; $(BIN)/kg --store .kg-demo why Moscow backs "Syrian regime"

## test: lint and run the whole test suite
test: $(STAMP)
	$(BIN)/ruff check kg tests
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .kg .kg-demo *.egg-info .pytest_cache .ruff_cache
