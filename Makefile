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
DOCX ?=
CLI := $(BIN)/hotline-eval
# DOCX=0 skips the Word files (.docx) of report, reports, bulletin and plan
NODOCX = $(if $(filter 0 no false,$(DOCX)),--no-docx)

.PHONY: setup report reports bulletin plan fieldwork appeals run check test lint docs lab clean help bench

help:
	@echo "make report [EVAL=$(EVAL)] [CITY=<id>]   一个城市的评价报告（HTML、Word；有浏览器时另生成PDF；DOCX=0 不生成Word）"
	@echo "make reports [EVAL=...] [PREV=<id>] [WORKERS=n]  并行生成全部城市的报告及 index.html"
	@echo "make bulletin [EVAL=...] [PREV=<id>]      全省通报（HTML 和 PDF）"
	@echo "make plan     [EVAL=...]                 评价方案（§5.2.3），数据采集前发布"
	@echo "make fieldwork [EVAL=...] [SEED=n]       评审样本和评审表（§7.2）、专家评分表（§7.3）"
	@echo "make appeals  [EVAL=...]                 应用 params/appeals/<EVAL>.yaml（§8.2）：重新计分、申诉记录"
	@echo "make run    [EVAL=...]                   只导入数据、计算指标并评分"
	@echo "make check  [EVAL=...] [CITY=<id>]       数据质量评估（§5.2.7），输出易读的摘要"
	@echo "make test                                运行测试"
	@echo "make bench [SCALE=1/16]                  省级规模基准测试，写出 bench/RESULTS.md"
	@echo "make lint                                代码检查（ruff）"
	@echo "make docs                                生成网站形式的使用手册到 site/（mkdocs build --strict）"
	@echo "make lab                                 用 JupyterLab 打开笔记本"

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(CLI) report --evaluation "$(EVAL)" $(if $(CITY),--city "$(CITY)") $(if $(PREV),--previous "$(PREV)") $(NODOCX)

reports: $(STAMP)
	$(CLI) reports --evaluation "$(EVAL)" $(if $(PREV),--previous "$(PREV)") $(if $(WORKERS),--workers $(WORKERS)) $(NODOCX)

bulletin: $(STAMP)
	$(CLI) bulletin --evaluation "$(EVAL)" $(if $(PREV),--previous "$(PREV)") $(NODOCX)

plan: $(STAMP)
	$(CLI) plan --evaluation "$(EVAL)" $(NODOCX)

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
