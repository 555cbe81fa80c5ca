"""``make gpu-check``: the GPU tests and the ``gpu`` benchmark group on a real GPU, into one JSON.

On a machine without an NVIDIA GPU, ``make gpu-check`` prints one line and
exits 0. With one, it installs nothing and needs no ``.venv``: it runs with the
machine's own ``python3`` (``GPU_PYTHON``), puts this checkout on ``PYTHONPATH``,
runs ``pytest -m gpu`` and ``python -m benchmarks --only gpu``, and writes
``benchmarks/results/gpu-check.json`` (see :mod:`gpu_check.run`).

On your own machine with an NVIDIA GPU: install unibridge's dependencies
(numpy, array-api-compat, typing-extensions) and pytest and hypothesis into the
Python that has the CUDA builds of the frameworks you want checked (torch, JAX,
CuPy, TensorFlow), then run ``make gpu-check GPU_PYTHON=/path/to/that/python``
(or ``python -m gpu_check --out FILE`` from the checkout). On a GPU machine
without network access, ``make gpu-wheels`` downloads here the wheels it may
lack, for its Python version (``GPU_WHEEL_PYTHON``, default 3.12), into the
ignored ``.whl/``; copy that folder there, install with ``python3 -m pip
install --no-index --no-deps --target DIR .whl/*.whl`` and put ``DIR`` on
``PYTHONPATH``. Commit the JSON it writes as
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
