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

.PHONY: test test-min docs demo bench conformance fuzz soak mutation mutation-install mutation-tf-namespace install clean gpu-check gpu-wheels

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt $(PLUGINS)
	@echo "Installing unibridge, its plugins ($(notdir $(PLUGIN_DIRS))) and every framework they use, pinned by"
	@echo "constraints.txt (torch's CPU wheel, tensorflow-cpu, jax, dask, ...) into $(VENV): about 4 minutes the first time."
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		-e '.[all,test]' $(foreach d,$(PLUGIN_DIRS),-e ./$(d)[test]) \
		2>&1 | sed '/^WARNING: Location .* is ignored/d'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(MAKE) --no-print-directory test-min
	$(MAKE) --no-print-directory docs
	@echo "Running the test suite: about 6 minutes on a 2-core machine."
	$(PY) -m pytest

# make test-min: the lowest versions pyproject.toml declares (constraints-min.txt) in a venv of their own,
# and the core's tests on NumPy alone: the declared floors are the ones that pass (about a minute).
MIN_VENV := .venv-min
MIN_STAMP := $(MIN_VENV)/.installed
MIN_TESTS := tests/test_api.py tests/test_casting.py tests/test_dtypes.py tests/test_config.py tests/test_devices.py \
	tests/test_registry.py tests/test_registry_names.py tests/test_engine_inputs.py tests/test_engine_paths.py \
	tests/test_engine_routes.py tests/test_memory_ranges.py tests/test_honest_conversions.py tests/test_conversion_matrix.py

$(MIN_STAMP): constraints-min.txt pyproject.toml
	@echo "Installing the lowest declared versions (constraints-min.txt) into $(MIN_VENV)."
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-min.txt \
		numpy array-api-compat typing-extensions ml_dtypes pytest hypothesis pytest-timeout \
		2>&1 | sed '/^WARNING: Location .* is ignored/d'
	touch $(MIN_STAMP)

test-min: $(MIN_STAMP)
	PYTHONPATH=$(CURDIR) UNIBRIDGE_TEST_BACKENDS=numpy $(MIN_VENV)/bin/python -m pytest -q -rfE -p no:cacheprovider $(MIN_TESTS)

# make docs: the HTML site in site/ (MkDocs, Material theme, mkdocstrings; mkdocs.yml), built in strict
# mode: a broken link or reference fails. The README's sections are its pages (docs/_hooks/pages.py).
docs: $(STAMP)
	@echo "Building the documentation site into site/ (strict)."
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

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
	UNIBRIDGE_FUZZ_EXAMPLES=20000 UNIBRIDGE_HONEST_EXAMPLES=5000 UNIBRIDGE_GRADIENT_EXAMPLES=500 $(PY) -m pytest \
		tests/reliability tests/test_honest_conversions.py tests/test_gradient_properties.py \
		-m "not gpu" -p no:cacheprovider -q --timeout 0

soak: $(STAMP)
	$(PY) -m tools.soak

# make mutation: mutmut over the core (engine, casting, dtypes, config, devices, registry, memory) and
# the model code (autodiff, compiling, namespaces and the xp that follows the selection, random), then
# the hand-planted mutants (tools/mutation/plant.py); make mutation-tf-namespace: the TensorFlow Array
# API namespace. Each target (tools/mutation/targets.py: its modules, its tests, its backends) runs in
# its own scratch copy, mutants/TARGET/, by tools/mutation/run.py; MUTATION_TARGETS picks some. Each
# make run starts afresh (--fresh); `python -m tools.mutation.run TARGET` alone keeps mutmut's results
# and tests only the mutants of changed functions. MUTATION_SAMPLE=N tests N mutants of each target
# drawn at random (seed MUTATION_SEED) and gives the score a 95% interval.
# Run times on 2 shared cores: see docs/mutation-report.md (measured). Not run by CI (mutmut is in the
# `mutation` extra, not in `test`). Every framework is imported once before the per-mutant forks,
# and hypothesis is derandomized with no example database, so no mutant inherits another's
# examples (tests/conftest.py). Each target's score and every mutant not killed:
# mutants/TARGET/summary.md; the committed report: docs/mutation-report.md.
MUTATION_CHILDREN ?= 2
MUTATION_TARGETS ?= --group mutation
MUTATION_FRESH ?= --fresh
MUTATION_SAMPLE ?=
MUTATION_SEED ?= 1
MUTATION_PICK = $(if $(MUTATION_SAMPLE),--sample $(MUTATION_SAMPLE) --seed $(MUTATION_SEED))

mutation-install: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[mutation]' \
		2>&1 | sed '/^WARNING: Location .* is ignored/d'

mutation: mutation-install
	$(PY) -m tools.mutation.run $(MUTATION_TARGETS) $(MUTATION_FRESH) $(MUTATION_PICK) --max-children $(MUTATION_CHILDREN)
	$(PY) -m tools.mutation.plant

mutation-tf-namespace: mutation-install
	$(PY) -m tools.mutation.run --group tf-namespace $(MUTATION_FRESH) $(MUTATION_PICK) --max-children $(MUTATION_CHILDREN)

# make gpu-check: on a machine with an NVIDIA GPU, `pytest -m gpu` and `python -m benchmarks --only gpu`
# into one JSON, benchmarks/results/gpu-check.json (see gpu_check/__init__.py, and README "GPUs").
# It needs no .venv and installs nothing: GPU_PYTHON is the machine's own Python, which holds the CUDA
# builds of torch/JAX/CuPy (.venv holds CPU torch). Without a GPU it says so in one line and exits 0.
GPU_PYTHON ?= python3
GPU_CHECK_ARGS ?=

gpu-check:
	@$(GPU_PYTHON) -m gpu_check $(GPU_CHECK_ARGS)

# make gpu-wheels: for a GPU machine without network access, the wheels of unibridge's dependencies that
# its Python may lack (by default array-api-compat; add others with GPU_WHEELS), downloaded here for that
# Python (GPU_WHEEL_PYTHON, x86-64) into the git-ignored .whl/. Copy the folder there and install it with
# `pip install --no-index --no-deps --target DIR .whl/*.whl`, with DIR on PYTHONPATH (see README "GPUs").
GPU_WHEELS ?= array-api-compat==1.16.0
GPU_WHEEL_PYTHON ?= 3.12
GPU_PLATFORMS := $(foreach n,manylinux_2_28 manylinux_2_27 manylinux_2_17 manylinux2014 manylinux1,--platform $(n)_x86_64)

gpu-wheels:
	mkdir -p .whl
	rm -f $(foreach w,$(GPU_WHEELS),.whl/$(subst -,_,$(firstword $(subst ==, ,$(w))))-*.whl)
	$(PYTHON) -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		--python-version $(GPU_WHEEL_PYTHON) --implementation cp $(GPU_PLATFORMS) -d .whl $(GPU_WHEELS) \
		2>&1 | sed '/^WARNING: Location .* is ignored/d'
	@ls -l .whl

clean:
	rm -rf $(VENV) $(MIN_VENV) .pytest_cache .hypothesis mutants
