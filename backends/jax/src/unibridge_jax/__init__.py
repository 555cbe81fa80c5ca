"""unibridge-jax: the JAX backend for unibridge, found through the
``unibridge.backends`` entry point (``jax = "unibridge_jax:load"``).

Importing this package does not import JAX; the backend imports it on the
first call that needs it. On that first use it makes sure 64-bit dtypes are
kept exactly (see :mod:`unibridge_jax.backend` and the README: by default it
enables JAX's x64 mode, which is process-wide).

Example:
    >>> import numpy as np, unibridge as ub
    >>> x = ub.asarray(np.array([1, 2**40]), backend="jax")
    >>> ub.dtype_of(x), ub.to_numpy(x).tolist()
    (DType('int64'), [1, 1099511627776])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .backend import JaxBackend

__all__ = ["load", "X64_ENV", "__version__"]
__version__ = "0.1.0"

X64_ENV = "UNIBRIDGE_JAX_X64"
"""Environment variable: ``enable`` (default) or ``strict``; see the README."""


def load() -> JaxBackend:
    """The entry-point loader: a new :class:`JaxBackend` (imports no JAX).

    Example:
        >>> from unibridge_jax import load
        >>> load().name
        'jax'
    """
    from .backend import JaxBackend

    return JaxBackend()
