# hotline-eval: the two commands a newcomer needs are `make report` and `make test`.
# Each creates (or refreshes, when pyproject.toml changed) the local virtual environment .venv.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
EVAL ?= demo-comprehensive
CITY ?=
PREV ?=
WORKERS ?=
SEED ?=
CLI := $(BIN)/hotline-eval

.PHONY: setup report reports bulletin plan fieldwork appeals run check test lint docs lab clean help bench

help:
	@echo "make report [EVAL=$(EVAL)] [CITY=<id>]   one city's report (HTML, PDF when a browser exists)"
	@echo "make reports [EVAL=...] [PREV=<id>] [WORKERS=n]  every city's report in parallel, and index.html"
	@echo "make bulletin [EVAL=...] [PREV=<id>]      the province bulletin (通报), HTML and PDF"
	@echo "make plan     [EVAL=...]                 the evaluation plan (评价方案, §5.2.3), before collection"
	@echo "make fieldwork [EVAL=...] [SEED=n]       review samples and forms (§7.2), expert score sheets (§7.3)"
	@echo "make appeals  [EVAL=...]                 apply params/appeals/<EVAL>.yaml (§8.2): re-score, appeal log"
	@echo "make run    [EVAL=...]                   ingest, measure and score only"
	@echo "make check  [EVAL=...] [CITY=<id>]       data-quality assessment (§5.2.7) with a readable summary"
	@echo "make test                                the test suite"
	@echo "make bench [SCALE=1/16]                  the province-scale benchmark, writes bench/RESULTS.md"
	@echo "make lint                                ruff"
	@echo "make docs                                the manual as a website in site/ (mkdocs build --strict)"
	@echo "make lab                                 JupyterLab on the notebooks"

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(CLI) report --evaluation "$(EVAL)" $(if $(CITY),--city "$(CITY)") $(if $(PREV),--previous "$(PREV)")

reports: $(STAMP)
	$(CLI) reports --evaluation "$(EVAL)" $(if $(PREV),--previous "$(PREV)") $(if $(WORKERS),--workers $(WORKERS))

bulletin: $(STAMP)
	$(CLI) bulletin --evaluation "$(EVAL)" $(if $(PREV),--previous "$(PREV)")

plan: $(STAMP)
	$(CLI) plan --evaluation "$(EVAL)"

fieldwork: $(STAMP)
	$(CLI) fieldwork --evaluation "$(EVAL)" $(if $(SEED),--seed $(SEED))

appeals: $(STAMP)
	$(CLI) appeals --evaluation "$(EVAL)"

run: $(STAMP)
	$(CLI) run --evaluation "$(EVAL)"

check: $(STAMP)
	$(CLI) check --evaluation "$(EVAL)" $(if $(CITY),--city "$(CITY)")

test: $(STAMP)
	$(BIN)/ruff check hotline_eval tests bench docs/hooks.py
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check hotline_eval tests bench docs/hooks.py

# The manual (mkdocs.yml, docs/): any warning fails the build; open site/index.html.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,authoring]"
	cd notebooks && ../$(BIN)/jupyter lab

clean:
	rm -rf outputs site

# The province-scale benchmark (bench/README.md): SCALE=1/16 for a quick run at a sixteenth of the data.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(if $(SCALE),--scale $(SCALE))
