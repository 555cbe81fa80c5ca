"""``unibridge.jit`` (this module: ``unibridge.compiling``): compile a backend-neutral function where the backend can.

| backend | ``jit(fun)`` returns | why |
|---|---|---|
| tensorflow | ``tf.function(fun, autograph=False)`` | graph execution; traced like ``jax.jit`` (Python control flow runs once, at trace time: use ``xp.where`` for choices that depend on values); ``jit(value_and_grad(f))`` traces the tape once |
| jax | ``jax.jit(fun)`` | XLA compilation |
| torch | ``fun`` unchanged | ``torch.compile`` fuses and reorders floating-point operations (results differ from eager in the last bits) and compiles for seconds per input shape; call it yourself where that pays |
| numpy, dask | ``fun`` unchanged | nothing to compile |

Results: ``tf.function`` runs TensorFlow's eager kernels, bit for bit; XLA
fuses JAX's operations, which can round the last bit differently from eager
JAX (relative differences around 1e-16).

The backend is decided once, when ``jit`` is called: the active one (or
``backend=``). Call it where the backend is selected, e.g. inside
``with unibridge.use("jax"):`` or after ``UNIBRIDGE_BACKEND`` is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .api import get_backend
from .autodiff._frameworks import ADAPTERS
from .config import current
from .errors import ConfigurationError

__all__ = ["jit"]

F = TypeVar("F", bound=Callable[..., Any])


def jit(fun: F, *, backend: str | None = None) -> F:
    """``fun`` compiled for the active backend (or ``backend=``): ``tf.function``, ``jax.jit``.

    Results are those of ``fun`` (to the last bit on TensorFlow; XLA's fusion
    may change the last bit on JAX). On torch, NumPy and Dask ``fun`` itself is
    returned (see :mod:`unibridge.compiling` for why).

    Example:
        >>> import numpy as np, unibridge as ub
        >>> def f(x):
        ...     return x * 2.0
        >>> ub.jit(f, backend="numpy") is f
        True
    """
    if not callable(fun):
        raise ConfigurationError(f"jit needs a function, got {type(fun).__name__}")
    name = current().backend if backend is None else get_backend(backend).name
    adapter = ADAPTERS.get(name)
    if adapter is None:
        return fun
    return adapter.jit(fun)  # type: ignore[return-value]
