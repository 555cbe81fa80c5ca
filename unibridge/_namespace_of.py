"""The Array API namespace of an array's own backend, for functions written once against it.

:mod:`unibridge.nn`, :mod:`unibridge.optim` and the loop of :func:`unibridge.vmap` take
arrays of any backend and compute with that backend's namespace (wrapped so
creation without a dtype gives the configured default float, as
:func:`unibridge.namespace` does), so a torch tensor is computed on by torch,
on its device, inside ``jit`` and ``grad`` too (traced arrays are the
framework's arrays).

Example:
    >>> import numpy as np
    >>> namespace_of(np.zeros(2)).__name__
    'array_api_compat.numpy'
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .config import current
from .errors import UnsupportedInputError
from .namespaces import namespace_of as backend_namespace
from .registry import owner_of

__all__ = ["namespace_of", "native_dtype", "on_device_of"]


def namespace_of(x: Any, what: str = "the input") -> ModuleType:
    """The namespace of ``x``'s backend; raises naming ``what`` when ``x`` is no backend's array."""
    backend = owner_of(x)
    if backend is None:
        raise UnsupportedInputError(
            f"{what} is a {type(x).__name__}, not an array of a registered backend; "
            f"make it one first, e.g. unibridge.asarray(x)"
        )
    return backend_namespace(backend, current().default_float)  # the backend's own default-float rule


def native_dtype(xp: ModuleType, dtype: Any) -> Any:
    """``xp``'s dtype object for a dtype spec (a name, a DType, a framework dtype); None: the default float."""
    from .registry import resolve_dtype

    name = current().default_float.name if dtype is None else resolve_dtype(dtype).name
    return getattr(xp, name)


def on_device_of(x: Any) -> dict[str, Any]:
    """``{"device": x.device}`` for creation functions, or ``{}`` where ``x`` names no device.

    Dask arrays have no ``device``; TensorFlow's symbolic tensors (inside
    ``tf.function``) have ``""``: both create on the default device.
    """
    device = getattr(x, "device", None)
    if device is None or (isinstance(device, str) and not device):
        return {}
    return {"device": device}
