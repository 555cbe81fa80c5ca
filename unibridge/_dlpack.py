"""Read the memory range of any ``__dlpack__`` exporter, without consuming it.

``shares_memory`` must answer from real address ranges, also for device
memory that NumPy cannot view (a TensorFlow or JAX array on a GPU). Every
framework exports DLPack, so reading the ``DLTensor`` header of an exported
capsule gives the data pointer, shape and strides uniformly. The capsule is
not consumed: when it is collected, its destructor releases the export.

Layout per the DLPack specification (``dlpack.h``, v0.8 legacy capsule).
"""

from __future__ import annotations

import ctypes
from typing import Any

__all__ = ["dlpack_span"]


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", _DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_get_pointer.restype = ctypes.c_void_p
_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def dlpack_span(x: Any) -> tuple[int, int] | None:
    """``(first_byte, end_byte)`` of ``x``'s memory from its DLPack export; None if empty.

    Example:
        >>> import numpy as np
        >>> a = np.arange(4, dtype=np.int32)
        >>> lo, hi = dlpack_span(a)
        >>> hi - lo
        16
    """
    capsule = x.__dlpack__()
    tensor = _DLTensor.from_address(_get_pointer(capsule, b"dltensor"))
    ndim = tensor.ndim
    shape = [tensor.shape[i] for i in range(ndim)]
    if any(n == 0 for n in shape):
        return None
    if tensor.strides:
        strides = [tensor.strides[i] for i in range(ndim)]
    else:  # NULL strides: compact row-major
        strides, step = [0] * ndim, 1
        for i in range(ndim - 1, -1, -1):
            strides[i], step = step, step * shape[i]
    itemsize = max(1, tensor.dtype.bits * tensor.dtype.lanes // 8)
    low = sum((n - 1) * s for n, s in zip(shape, strides) if s < 0)
    high = sum((n - 1) * s for n, s in zip(shape, strides) if s > 0)
    base = (tensor.data or 0) + tensor.byte_offset
    del capsule  # released here, unconsumed: the exporter's deleter runs
    return base + low * itemsize, base + (high + 1) * itemsize
