"""Everything that is not yet a tensor becomes one here, through the TensorFlow *backend*.

The namespace never decides on its own whether host memory may be shared: the backend's
``from_numpy`` knows which buffers TF can import safely (see ``docs/framework-facts.md``,
"TensorFlow DLPack import: alignment") and its ``from_dlpack`` handles device arrays.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import tensorflow as tf

from ....devices import CPU, Device
from ....engine import asarray

from ._devices import resolve, tensorflow_backend

__all__ = ["from_host", "from_dlpack"]

# DLPack device types (dlpack.h): where a producer's memory lives.
_DLPACK_HOST = {1, 3}  # kDLCPU, kDLCUDAHost (pinned host memory)
_DLPACK_GPU = {2, 10}  # kDLCUDA, kDLROCM


def from_host(obj: Any, *, dtype: Any = None, device: Any = None, copy: Optional[bool] = None) -> tf.Tensor:
    """Python data, NumPy arrays and other frameworks' arrays, through ``unibridge.asarray``.

    That is unibridge's converter: zero-copy DLPack for buffers TF can import safely, Python
    data inferred like NumPy with the configured default float, and unibridge's casting policy
    (``[1, 2**40]`` to int32 raises ``LossyCastError`` instead of wrapping).
    """
    return asarray(obj, dtype=dtype, device=device, copy=copy, backend="tensorflow")


def _producer_device(x: Any) -> Device:
    kind, index = x.__dlpack_device__()
    if kind in _DLPACK_HOST:
        return CPU
    if kind in _DLPACK_GPU:
        return Device("gpu", int(index))
    raise ValueError(f"from_dlpack: TensorFlow cannot import memory of DLPack device type {kind}")


def from_dlpack(x: Any, *, device: Any = None, copy: Optional[bool] = None) -> tf.Tensor:
    """A tensor from any ``__dlpack__`` producer; the backend decides whether to share.

    Host memory goes through ``np.from_dlpack`` (a view) and the backend's ``from_numpy``,
    which shares only what TF can import safely and copies the rest (``copy=False`` then
    raises ``CopyRequiredError``, a ValueError). Device memory goes through the backend's
    ``from_dlpack``.
    """
    backend = tensorflow_backend()
    source = _producer_device(x)
    target = source if device is None else resolve(device)
    if source == CPU:
        return backend.from_numpy(np.from_dlpack(x), device=target, copy=copy)
    return backend.from_dlpack(x, device=target, copy=copy)
