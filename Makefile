# The two Quick start commands: `make demo` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo needs the package alone; the test extras (Playwright, owlready2, Jupyter, pandas)
# are installed on top only by `make test` and `make bench`.
TEST_STAMP := $(VENV)/.installed-test

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench system-deps clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

## demo: load the Ain Issa example into a fresh store and print who backs, opposes, mediates whom
demo: $(STAMP)
	rm -rf .kg-demo
	$(BIN)/kg --store .kg-demo load examples/ain-issa-2020/
	@echo; echo "== who backs whom"; $(BIN)/kg --store .kg-demo match "?backer backs ?backed"
	@echo; echo "== who opposes whom"; $(BIN)/kg --store .kg-demo match "?a opposes ?b"
	@echo; echo "== who mediates between whom"; $(BIN)/kg --store .kg-demo match "?mediator mediates ?party"
	@echo; echo "== who negotiates with Turkey"; $(BIN)/kg --store .kg-demo match "?x negotiates-with turkey"
	@echo; echo "== says who: Moscow backs the Syrian regime"; $(BIN)/kg --store .kg-demo why Moscow backs "Syrian regime"
	@echo; echo "== the interactive map"; $(BIN)/kg --store .kg-demo view -o alliances.html

## system-deps: Debian packages the tests drive for real: Chromium (kg view), rapper (exports), Java (HermiT), Virtuoso (remote store)
system-deps:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@command -v rapper >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq raptor2-utils >/dev/null; }
	@command -v java >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-jre-headless >/dev/null; }
	@command -v virtuoso-t >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq virtuoso-opensource >/dev/null; }

## test: lint and run the whole test suite
test: $(TEST_STAMP) system-deps
	$(BIN)/ruff check kg tests
	$(BIN)/pytest -q

## bench: load and query benchmarks at 10k, 100k and 1M assertions, against rdflib up to 100k
## (about 30 minutes and 4 GB; `make bench SIZES="10000 100000"` for the quick part)
SIZES ?= 10000 100000 1000000
bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py --sizes $(SIZES)

clean:
	rm -rf $(VENV) .kg .kg-demo *.egg-info .pytest_cache .ruff_cache
