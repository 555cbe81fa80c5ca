"""What the gradient tests share: the autodiff backends, a fixture over them, an array maker."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from _backends import require

AUTODIFF = ("torch", "tensorflow", "jax")
Layer = namedtuple("Layer", "w b")


@pytest.fixture(params=AUTODIFF)
def ad(request: pytest.FixtureRequest) -> str:
    """Each backend with automatic differentiation; skipped when its framework is missing."""
    require(request.param)
    return request.param  # type: ignore[no-any-return]


def arr(values: Any, backend: str, dtype: str = "float64") -> Any:
    return ub.asarray(np.asarray(values), dtype=dtype, backend=backend, casting="unsafe")
