"""Helpers shared by the Array API namespace tests (a uniquely named module, so that it never
clashes with another directory's ``conftest``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

NAMESPACES = ["numpy", "tensorflow"]

# Modest example counts keep this directory at a few minutes on two shared cores.
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load_namespace(name: str) -> Any:
    if name == "numpy":
        import array_api_compat.numpy as xp_numpy

        return xp_numpy
    from unibridge.adapters.tensorflow import array_api

    return array_api


def to_np(x: Any) -> np.ndarray:
    """Any namespace's array as a NumPy array (TF tensors convert through ``__array__``)."""
    return np.asarray(x)


def dtype_name(xp: Any, dtype: Any) -> str:
    """A dtype object of either namespace as its canonical name."""
    for name in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float32", "float64", "complex64", "complex128"):
        if dtype == getattr(xp, name):
            return name
    raise AssertionError(f"unknown dtype {dtype!r}")


def spec_gap(xp: Any, reason: str) -> None:
    """Mark the running test expected-to-fail when the reference (NumPy) departs from the spec."""
    if xp.__name__.endswith("numpy"):
        pytest.xfail(f"NumPy departs from the spec here: {reason}")
