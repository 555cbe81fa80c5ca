# unibridge — the two commands: `make test` and `make demo` (plus bench, conformance, fuzz, soak).
# Both create .venv if it is missing and install with constraints.txt, which pins
# torch==2.13.0 (the CPU wheel this machine's pip finds locally; unpinned, pip
# would pull gigabytes of CUDA) and tensorflow-cpu==2.21.0.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PLUGINS := $(wildcard backends/*/pyproject.toml)
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(PLUGINS))

.PHONY: test demo bench conformance fuzz soak install clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt $(PLUGINS)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		-e '.[all,test]' $(foreach d,$(PLUGIN_DIRS),-e ./$(d)[test]) \
		2>&1 | sed '/^WARNING: Location .* is ignored/d'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

demo: $(STAMP)
	$(PY) examples/demo.py

bench: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]' 2>&1 | sed '/^WARNING: Location .* is ignored/d'
	$(PY) -m benchmarks

# The official Array API suite against the TF namespace: ARRAY_API_TESTS_DIR=/path/to/array-api-tests
# (a checkout with its array-api submodule). Fails on any failure not in tests/array_api/expected-failures.txt.
conformance: $(STAMP)
	$(PY) tests/array_api/conformance_runner.py $(CONFORMANCE_ARGS)

fuzz: $(STAMP)
	UNIBRIDGE_FUZZ_EXAMPLES=20000 $(PY) -m pytest tests/reliability -m "not gpu" -p no:cacheprovider -q --timeout 0

soak: $(STAMP)
	$(PY) -m tests.reliability.soak

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
