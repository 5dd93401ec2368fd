# evalkit — `make help` lists every target.
# Everything runs inside ./.venv, created on first use; nothing is installed globally.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
JOBS   ?=
ARGS   ?=

.DEFAULT_GOAL := help
.PHONY: help install report test lab validate demo-data benchmark clean

help: ## list every target with what it does
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP) ## create .venv (if missing) and install evalkit with its test tools

report: $(STAMP) ## render every demo report into outputs/ (index: outputs/index.html)
	$(BIN)/evalkit run $(if $(JOBS),--jobs $(JOBS)) $(ARGS)

test: $(STAMP) ## run the whole test suite (what CI runs)
	$(BIN)/python -m pytest $(ARGS)

lab: $(STAMP) ## open JupyterLab on notebooks/ with evalkit's environment as the kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks

validate: $(STAMP) ## check data/demo and params/ without running anything
	$(BIN)/evalkit validate $(ARGS)

demo-data: $(STAMP) ## regenerate the synthetic demo data in data/demo (seed 2023)
	$(BIN)/evalkit demo-data --seed 2023 --out data/demo

benchmark: $(STAMP) ## run every benchmark script and print its figures
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean: ## remove rendered outputs (keeps .venv)
	find outputs -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
