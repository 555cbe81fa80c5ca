"""Backend availability helpers shared by the tests (a uniquely named module:
several conftest.py files exist, and ``import conftest`` would be ambiguous)."""

from __future__ import annotations

import pytest

import unibridge as ub

BUILTIN = ("numpy", "torch", "tensorflow")


def availability(name: str) -> tuple[bool, str]:
    """Whether a backend can run here, and why not."""
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
