"""What software the GPU check ran with: Python, package versions, and what torch, JAX and CuPy see.

Run in a child process (``python -m gpu_check.software`` prints one JSON
object), so that the frameworks' imports and CUDA start-up cost the check
nothing and a framework that crashes on import cannot take the check down.
TensorFlow is looked up, never imported: it is absent on the GPU machine and
takes seconds to import elsewhere; the tests say what it does on a GPU.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from typing import Any

__all__ = ["collect", "DISTRIBUTIONS"]

DISTRIBUTIONS = (
    "unibridge", "unibridge-jax", "unibridge-dask", "numpy", "torch", "jax", "jaxlib", "jax-cuda13-plugin",
    "jax-cuda12-plugin", "cupy-cuda13x", "cupy-cuda12x", "tensorflow", "tensorflow-cpu", "ml_dtypes",
    "array-api-compat", "typing-extensions", "pytest", "pytest-timeout", "hypothesis", "psutil",
)


def _module(name: str) -> Any:
    """The framework's module, typed Any: only a few attributes are read, dynamically."""
    return importlib.import_module(name)


def _torch() -> dict[str, Any]:
    torch = _module("torch")

    cuda = torch.cuda.is_available()
    return {
        "version": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "cuda_available": cuda,
        "devices": [{"name": torch.cuda.get_device_name(i),
                     "capability": ".".join(map(str, torch.cuda.get_device_capability(i)))}
                    for i in range(torch.cuda.device_count())] if cuda else [],
    }


def _jax() -> dict[str, Any]:
    jax = _module("jax")

    return {"version": jax.__version__, "default_backend": jax.default_backend(),
            "devices": [f"{d.platform}:{d.id} {getattr(d, 'device_kind', '')}".strip() for d in jax.devices()]}


def _cupy() -> dict[str, Any]:
    cupy = _module("cupy")

    rt = cupy.cuda.runtime
    count = rt.getDeviceCount()
    return {"version": cupy.__version__, "cuda_runtime": rt.runtimeGetVersion(), "cuda_driver": rt.driverGetVersion(),
            "devices": [rt.getDeviceProperties(i)["name"].decode() for i in range(count)]}


def _guarded(probe: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return probe()
    except Exception as exc:  # noqa: BLE001 - an absent or broken framework is a finding, not a crash
        return {"error": f"{type(exc).__name__}: {exc}"}


def _installed(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def collect() -> dict[str, Any]:
    """Python, every listed distribution's version (None if absent), and torch's, JAX's and CuPy's view.

    Example (imports torch, JAX and CuPy where they are installed)::

        info = collect()
        info["torch"]["cuda_available"], info["distributions"]["jax"]   # (True, '0.11.2') on the GPU machine
    """
    return {
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "distributions": {d: _installed(d) for d in DISTRIBUTIONS},
        "torch": _guarded(_torch),
        "jax": _guarded(_jax),
        "cupy": _guarded(_cupy),
        "tensorflow": {"importable": find_spec("tensorflow") is not None,
                       "note": "looked up, not imported; see the tests for what it does on a GPU"},
    }


if __name__ == "__main__":
    print(json.dumps(collect()))
