"""``make gpu-check``: the GPU tests and the ``gpu`` benchmark group on a real GPU, into one JSON.

On a machine without an NVIDIA GPU, ``make gpu-check`` prints one line and
exits 0. With one, it installs nothing and needs no ``.venv``: it runs with the
machine's own ``python3`` (``GPU_PYTHON``), puts this checkout on ``PYTHONPATH``,
runs ``pytest -m gpu`` and ``python -m benchmarks --only gpu``, and writes
``benchmarks/results/gpu-check.json`` (see :mod:`gpu_check.run`).

On this workplace's GPU machine (torch, JAX and CuPy, no TensorFlow, no
network), prepare the one missing package here with ``make gpu-wheels``
(array-api-compat, into the ignored ``.whl/``), then call the device tool's
``run`` once, with ``carry: [".whl"]``, ``timeout_s: 540`` and this command::

    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site || exit; set -o pipefail; if command -v make >/dev/null; then make gpu-check GPU_CHECK_ARGS="--out $OUT/gpu-check.json" 2>&1 | tee $OUT/gpu-check.log; else python3 -m gpu_check --out $OUT/gpu-check.json 2>&1 | tee $OUT/gpu-check.log; fi

The JSON and the log come back in the reply's ``files``; copy the JSON to
``benchmarks/results/gpu-check.json`` (the one results file git tracks).

Modules, one job each: :mod:`~gpu_check.detect` (is there a GPU, from the
driver alone), :mod:`~gpu_check.sources` (this tree importable without
installing), :mod:`~gpu_check.software` (versions, what the frameworks see),
:mod:`~gpu_check.outcomes` (a pytest plugin: each test's outcome as JSON),
:mod:`~gpu_check.run` (the whole check, and its command line).
"""

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the check (see :func:`gpu_check.run.main`)."""
    from .run import main as run_main

    return run_main(argv)
