"""Which frameworks and unibridge backends can be benchmarked here, and test arrays.

Frameworks are imported only when a group needs them, and a missing one (or a
unibridge backend that is not ready yet) becomes a printed skip reason, never
an error. TensorFlow's C++ log chatter is silenced before its first import,
and torch is timed with one intra-op thread (restored at the end of a run).
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from typing import Any

import numpy as np

__all__ = ["framework", "restore_threads", "backend_ready", "aligned_array", "PAGE"]

PAGE = 4096
_PIP = {"torch": "torch", "tensorflow": "tensorflow-cpu", "keras": "keras", "eagerpy": "eagerpy",
        "array_api_compat": "array-api-compat", "matplotlib": "matplotlib"}


_RESTORE: dict[str, int] = {}


@cache
def framework(name: str) -> tuple[Any, str]:
    """``(module, "")`` when ``name`` imports here, else ``(None, reason)`` (typed Any:
    the modules are used dynamically).

    Example:
        >>> framework("numpy")[0] is np
        True
    """
    if name == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # ImportError, or a broken install raising anything
        return None, f"{name} is not importable ({type(exc).__name__}: {exc}); pip install {_PIP.get(name, name)}"
    if name == "torch" and "torch" not in _RESTORE:
        # One intra-op thread, as for the reference numbers (docs/framework-facts.md): on a
        # shared 2-core machine two OpenMP threads oversubscribe and a 1 MiB
        # torch copy can take 100x longer. restore_threads() undoes it.
        _RESTORE["torch"] = module.get_num_threads()
        module.set_num_threads(1)
    return module, ""


def restore_threads() -> None:
    """Give torch back the thread count it had before the benchmarks set it to 1."""
    threads = _RESTORE.pop("torch", None)
    torch = framework("torch")[0] if threads is not None else None
    if torch is not None:
        torch.set_num_threads(threads)


@cache
def backend_ready(name: str) -> tuple[bool, str]:
    """``(True, "")`` when ``unibridge.asarray(..., backend=name)`` works here.

    Checks the backend's ``available()`` and then converts an 8-element array,
    so a backend that is registered but not yet written (or whose framework is
    missing) is reported with the reason instead of failing the run.
    """
    import unibridge as ub

    try:
        backend = ub.get_backend(name)
        ok, reason = backend.available()
        if not ok:
            return False, f"unibridge backend {name!r} unavailable: {reason}"
        ub.asarray(np.ones(8, np.float32), backend=name)
    except ub.BackendUnavailableError as exc:
        return False, f"unibridge backend {name!r} unavailable: {exc}"
    except Exception as exc:  # noqa: BLE001 - a half-written backend must not stop the run
        return False, f"unibridge backend {name!r} failed a trial conversion ({type(exc).__name__}: {exc})"
    return True, ""


def aligned_array(
    n: int, dtype: Any = np.float32, *, offset: int = 0, align: int = PAGE, fill: bool = True
) -> np.ndarray[Any, Any]:
    """A 1-D array of ``n`` elements whose data starts ``offset`` bytes past an
    ``align``-byte boundary, with every page written (faulted in) when ``fill``.

    Example:
        >>> a = aligned_array(8, offset=16, align=64)
        >>> a.ctypes.data % 64, a.shape
        (16, (8,))
    """
    dt = np.dtype(dtype)
    nbytes = n * dt.itemsize
    raw = np.empty(nbytes + align + offset, dtype=np.uint8)
    start = -raw.ctypes.data % align + offset
    a: np.ndarray[Any, Any] = raw[start : start + nbytes].view(dt)
    if fill:
        a[...] = 1
    return a
