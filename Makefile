# The README's commands. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MARKET_DEMO_DIR ?= data/demo
MARKET_DB ?= data/market.duckdb
export MARKET_DEMO_DIR MARKET_DB

.PHONY: run test lint format demo warehouse install clean help bench

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed  ## create the virtual environment and install the pinned requirements

$(MARKET_DEMO_DIR)/truth/manifest.json: | $(VENV)/.installed
	$(PY) -m pipelines generate --out $(MARKET_DEMO_DIR)/feed --truth $(MARKET_DEMO_DIR)/truth

demo: $(MARKET_DEMO_DIR)/truth/manifest.json  ## generate the demo market (first run only)

$(MARKET_DB): $(MARKET_DEMO_DIR)/truth/manifest.json
	$(PY) -m pipelines ingest $(MARKET_DEMO_DIR)/feed --db $(MARKET_DB)
	$(PY) -m pipelines score --db $(MARKET_DB)

warehouse: $(MARKET_DB)  ## load and score the demo market into the warehouse (first run only)

# Jupyter is installed on first use only (notebooks/requirements.txt); e.g. JUPYTER_ARGS=--no-browser.
# Jupyter refuses to run as root unless told: the project's machines log in as root.
.PHONY: notebooks
$(VENV)/.notebooks: notebooks/requirements.txt | $(VENV)/.installed
	$(PY) -m pip install --quiet -r notebooks/requirements.txt
	touch $@

notebooks: $(VENV)/.notebooks warehouse  ## open the analyst notebooks in JupyterLab (installs it on first use)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(JUPYTER_ARGS)

# Demo accounts (one per role) are created on the first run only; their random passwords are printed once.
run: $(VENV)/.installed warehouse  ## set up, build the demo warehouse and demo accounts on first run, start the dashboard
	@if [ -f dashboard.py ]; then \
		$(PY) -m pipelines users demo && \
		$(VENV)/bin/streamlit run dashboard.py --server.port 8501 --server.headless true; \
	else \
		echo "The warehouse is ready at $(MARKET_DB); the dashboard is not built yet (see README, Status)."; \
	fi

test: $(VENV)/.installed  ## lint and run the whole test suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

# 1M and 10M orders with 3 runs of each stage, 30M with one, into docs/benchmarks.md (about 2 hours on 2 cores);
# e.g. BENCH_ARGS=--quick for 1M only, BENCH_ARGS="--scaling 1M,10M" without 30M.
BENCH_ARGS ?= --scaling 1M,10M,30M:1
bench: $(VENV)/.installed  ## benchmark every stage (generation, ingest, scoring, pages) into docs/benchmarks.md
	$(PY) -m pipelines bench $(BENCH_ARGS)

lint: $(VENV)/.installed  ## lint only
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed  ## format the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:  ## remove generated data (keeps the virtual environment)
	rm -rf data artifacts
