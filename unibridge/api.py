"""The public functions around the conversion engine: keyword-only signatures and docstrings with examples.

``zeros``, ``zeros_like``, ``to_device``, ``dtype_of`` and ``device_of`` hand their
arguments to :mod:`unibridge.engine`; ``as_dtype``, ``get_backend`` and ``namespace``
answer from the registry and the active selection. ``asarray``, ``to_numpy`` and
``shares_memory`` are the engine's own functions, exported here unchanged (a wrapper's
frame would cost their hot paths): read them in :mod:`unibridge.engine`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from . import engine
from .config import current
from .devices import Device
from .dtypes import DType
from .engine import asarray, shares_memory, to_numpy
from .namespaces import namespace_of
from .protocol import Backend
from .registry import _REGISTRY, resolve_dtype

__all__ = [
    "asarray",
    "zeros",
    "zeros_like",
    "to_device",
    "to_numpy",
    "shares_memory",
    "dtype_of",
    "device_of",
    "as_dtype",
    "namespace",
    "get_backend",
]


def zeros(
    shape: Any, *, dtype: Any = None, device: Any = None, backend: str | None = None
) -> Any:
    """A fresh zero-filled array; without ``dtype`` it has the configured default float.

    Example:
        >>> import unibridge as ub
        >>> z = ub.zeros((2, 3), backend="numpy")
        >>> z.shape, ub.dtype_of(z)
        ((2, 3), DType('float64'))
    """
    return engine.zeros(shape, dtype, device, backend)


def zeros_like(
    x: Any, *, dtype: Any = None, device: Any = None, backend: str | None = None
) -> Any:
    """Zeros with the shape and dtype of ``x`` (any framework), on the active backend and device.

    Only ``x``'s shape and dtype are used: the result never aliases it.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> t = np.ones((2, 2), dtype=np.int32)
        >>> z = ub.zeros_like(t, backend="numpy")
        >>> z.dtype, ub.shares_memory(z, t)
        (dtype('int32'), False)
    """
    return engine.zeros_like(x, dtype, device, backend)


def to_device(x: Any, device: Any, /, *, copy: bool | None = None) -> Any:
    """Move ``x`` to ``device`` within its own framework.

    ``copy=False`` raises :class:`CopyRequiredError` when the device changes.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> a = np.zeros(2)
        >>> ub.to_device(a, "cpu") is a
        True
    """
    return engine.to_device(x, device, copy=copy)


def dtype_of(x: Any) -> DType:
    """The framework-neutral dtype of ``x``; it compares equal to its name.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.dtype_of(np.zeros(2, dtype=np.float32)) == "float32"
        True
    """
    return engine.dtype_of(x)


def device_of(x: Any) -> Device:
    """The framework-neutral device of ``x``: ``"cpu"`` or ``"gpu:N"``.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.device_of(np.zeros(2))
        Device('cpu')
    """
    return engine.device_of(x)


def as_dtype(spec: Any) -> DType:
    """Parse a dtype: a name, a Python type, a NumPy dtype or any framework's dtype object.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.as_dtype("float32"), ub.as_dtype(float), ub.as_dtype(np.int8)
        (DType('float32'), DType('float64'), DType('int8'))
    """
    return resolve_dtype(spec)


def get_backend(name: str | None = None) -> Backend:
    """The :class:`Backend` registered as ``name`` (an alias works), or the active one.

    Example:
        >>> import unibridge as ub
        >>> ub.get_backend("np").name
        'numpy'
    """
    return _REGISTRY.load(current().backend if name is None else name)


def namespace(backend: str | None = None) -> ModuleType:
    """The Array API namespace of ``backend`` (default: the active backend).

    Creation without a dtype gives the configured default float on every
    backend (see :mod:`unibridge.namespaces`).

    Example:
        >>> import unibridge as ub
        >>> xp = ub.namespace("numpy")
        >>> float(xp.sum(xp.asarray([1.0, 2.0])))
        3.0
    """
    return namespace_of(get_backend(backend), current().default_float)
