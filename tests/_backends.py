"""Backend availability helpers shared by the tests (a uniquely named module:
several conftest.py files exist, and ``import conftest`` would be ambiguous)."""

from __future__ import annotations

import os

import pytest

import unibridge as ub

BUILTIN = ("numpy", "torch", "tensorflow")
# A comma-separated subset of backends to test (unset: every available one). `make mutation`
# runs its thousands of test runs on numpy and torch only; nothing else sets it.
SELECTED = tuple(n for n in os.environ.get("UNIBRIDGE_TEST_BACKENDS", "").split(",") if n)


def selected(name: str) -> bool:
    """Whether ``UNIBRIDGE_TEST_BACKENDS`` (when set) includes backend ``name``."""
    return not SELECTED or name in SELECTED


def availability(name: str) -> tuple[bool, str]:
    """Whether a backend can run here, and why not."""
    if not selected(name):
        return False, f"not in UNIBRIDGE_TEST_BACKENDS={','.join(SELECTED)}"
    try:
        return ub.get_backend(name).available()
    except ub.UnibridgeError as exc:
        return False, str(exc)


def require(name: str) -> None:
    """Skip the calling test unless backend ``name`` can run here."""
    ok, reason = availability(name)
    if not ok:
        pytest.skip(f"backend {name!r} unavailable: {reason}")


def gpu_available(name: str) -> bool:
    ok, _ = availability(name)
    return ok and any(d.kind == "gpu" for d in ub.get_backend(name).devices())
