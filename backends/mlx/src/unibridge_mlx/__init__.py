"""unibridge-mlx: the MLX backend for unibridge, found through the
``unibridge.backends`` entry point (``mlx = "unibridge_mlx:load"``).

Importing this package does not import MLX; the backend imports it on the
first call that needs it. Dtypes are kept exactly: MLX's own
``mx.array(numpy_float64_array)`` silently gives float32, unibridge never does
(see :mod:`unibridge_mlx.backend` and ``FACTS.md``).

Example:
    >>> import numpy as np, unibridge as ub
    >>> x = ub.asarray(np.array([0.1, 2**60 + 1.0]), backend="mlx")
    >>> ub.dtype_of(x), ub.to_numpy(x).tolist() == [0.1, 2**60 + 1.0]
    (DType('float64'), True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .backend import MlxBackend

__all__ = ["load", "__version__"]
__version__ = "0.1.0"


def load() -> MlxBackend:
    """The entry-point loader: a new :class:`MlxBackend` (imports no MLX).

    Example:
        >>> from unibridge_mlx import load
        >>> load().name
        'mlx'
    """
    from .backend import MlxBackend

    return MlxBackend()
