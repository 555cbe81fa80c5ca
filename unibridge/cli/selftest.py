"""A quick self-test of one backend, used by ``unibridge check`` when the
conformance kit (:mod:`unibridge.testing`) is not installed.

Each check is one small function returning a problem description, or ``""``
when the backend behaves. The checks cover the promises users rely on most:
exact round trips, kept dtypes, truthful ``shares_memory``, fresh zeros, and a
working namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..api import asarray, dtype_of, namespace, shares_memory, to_numpy, zeros, zeros_like
from ..errors import UnsupportedInputError
from ._render import one_line

__all__ = ["CHECKS", "self_test"]

_ROUND_TRIP_DTYPES = ("float64", "float32", "int64", "int32", "uint8", "bool")


def _sample(dtype: str) -> np.ndarray[Any, Any]:
    """A small 2-D sample of ``dtype`` with awkward values (signs, tiny, huge)."""
    if dtype == "bool":
        return np.array([[True, False, True], [False, False, True]])
    if dtype.startswith("uint"):
        return np.array([[0, 1, 2], [255, 128, 7]], dtype=dtype)
    if dtype.startswith("int"):
        return np.array([[0, 1, -2], [-128, 127, -100]], dtype=dtype)
    return np.array([[0.0, 1.0, -2.5], [1e-30, -1e30, 0.1]], dtype=dtype)


def check_round_trip(backend: str, device: str) -> str:
    """NumPy -> backend -> NumPy is bit-exact and keeps the dtype (float64 is required)."""
    problems = []
    for dt in _ROUND_TRIP_DTYPES:
        a = _sample(dt)
        try:
            x = asarray(a, backend=backend, device=device)
        except UnsupportedInputError:
            if dt == "float64":
                problems.append("float64 is not supported")
            continue
        if dtype_of(x) != dt:
            problems.append(f"{dt} became {dtype_of(x)}")
            continue
        back = to_numpy(x)
        if back.dtype != a.dtype or back.tobytes() != a.tobytes():
            problems.append(f"{dt} values changed on the round trip")
    return "; ".join(problems)


def check_shares_memory(backend: str, device: str) -> str:
    """``shares_memory`` agrees with what a mutation of the source actually shows."""
    a = np.arange(8.0)
    x = asarray(a, backend=backend, device=device)
    claimed = shares_memory(a, x)
    a[0] = 42.0
    seen = bool(to_numpy(x)[0] == 42.0)
    if claimed != seen:
        return f"shares_memory said {claimed}, but a mutation of the source was {'' if seen else 'not '}visible"
    return ""


def check_zeros(backend: str, device: str) -> str:
    """``zeros`` and ``zeros_like`` give fresh zeros with the right shape and dtype."""
    z = zeros((2, 3), dtype="float64", backend=backend, device=device)
    problems = []
    if dtype_of(z) != "float64" or tuple(to_numpy(z).shape) != (2, 3) or to_numpy(z).any():
        problems.append(f"zeros((2, 3)) gave {dtype_of(z)} {to_numpy(z)!r}")
    template = np.ones((3, 2), dtype=np.int32)
    zl = zeros_like(template, backend=backend, device=device)
    if dtype_of(zl) != "int32" or tuple(to_numpy(zl).shape) != (3, 2):
        problems.append(f"zeros_like(int32 (3, 2)) gave {dtype_of(zl)} {to_numpy(zl).shape}")
    if shares_memory(zl, template):
        problems.append("shares_memory says zeros_like's result aliases its template")
    return "; ".join(problems)


def check_namespace(backend: str, device: str) -> str:
    """The namespace computes on the backend's arrays: sum, matmul, exp."""
    xp = namespace(backend)
    x = asarray(np.array([[1.0, 2.0], [3.0, 4.0]]), backend=backend, device=device)
    total = float(to_numpy(xp.sum(x)))
    product = to_numpy(xp.matmul(x, x))
    problems = []
    if total != 10.0:
        problems.append(f"xp.sum gave {total}, expected 10.0")
    if product.tolist() != [[7.0, 10.0], [15.0, 22.0]]:
        problems.append(f"xp.matmul gave {product.tolist()}")
    if dtype_of(xp.exp(x)) != "float64":
        problems.append(f"xp.exp(float64) gave {dtype_of(xp.exp(x))}")
    return "; ".join(problems)


CHECKS: tuple[Callable[[str, str], str], ...] = (
    check_round_trip,
    check_shares_memory,
    check_zeros,
    check_namespace,
)


def self_test(backend: str, device: str) -> list[dict[str, Any]]:
    """Run every check on ``backend`` and ``device``; one result dict per check.

    Example:
        >>> from unibridge.cli.selftest import self_test
        >>> all(r["ok"] for r in self_test("numpy", "cpu"))
        True
    """
    results = []
    for check in CHECKS:
        name = check.__name__.removeprefix("check_")
        try:
            problem = check(backend, device)
        except Exception as exc:  # noqa: BLE001 - any exception is a failed check
            problem = one_line(f"{type(exc).__name__}: {exc}")
        results.append({"check": name, "device": device, "ok": not problem, "problem": problem})
    return results
