"""unibridge-strict: array-api-strict as a unibridge backend, found through the
``unibridge.backends`` entry point (``strict = "unibridge_strict:load"``).

`array-api-strict <https://data-apis.org/array-api-strict/>`_ implements the
Python Array API standard and nothing else: every operation outside the
standard raises. Running your tests with ``UNIBRIDGE_BACKEND=strict`` makes
code that only works on the backend you happen to test with fail loudly.

Importing this package does not import array-api-strict.

Example:
    >>> import numpy as np, unibridge as ub
    >>> x = ub.asarray(np.arange(3.0), backend="strict")
    >>> type(x).__module__.split(".")[0], ub.dtype_of(x)
    ('array_api_strict', DType('float64'))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .backend import StrictBackend

__all__ = ["load", "ALIAS", "__version__"]
__version__ = "0.1.0"

ALIAS = "array_api_strict"
"""The second name this backend is meant to answer to, once unibridge lets an entry
point declare aliases (pending: see this distribution's README, "Names")."""


def load() -> StrictBackend:
    """The entry-point loader: a new :class:`StrictBackend` (imports no array-api-strict).

    Example:
        >>> from unibridge_strict import load
        >>> load().name
        'strict'
    """
    from .backend import StrictBackend

    return StrictBackend()
