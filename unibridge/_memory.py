"""64-byte-aligned NumPy allocation, and descriptions of memory for overlap questions.

TensorFlow aborts the process when it computes on an imported buffer that is
not 64-byte aligned (``Check failed: IsAligned()``), and ``jax.device_put``
aliases only 64-byte-aligned buffers. NumPy's allocator gives 16-byte
alignment, so every buffer unibridge allocates itself is 64-byte aligned: a
later hand-off to those frameworks is then zero-copy.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

ALIGNMENT = 64

__all__ = ["ALIGNMENT", "address", "aligned_empty", "aligned_zeros", "aligned_copy", "layout", "extent_bytes"]


def address(a: np.ndarray[Any, Any]) -> int:
    """The data pointer of ``a``.

    ``ctypes`` reads it from the buffer protocol in ~0.3 µs; ``__array_interface__``
    builds a dict (~0.9 µs) and is the fallback for buffers that protocol refuses
    (read-only, strided, empty, or dtypes such as bfloat16).
    """
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(a))  # type: ignore[arg-type]
    except (TypeError, ValueError, BufferError):
        return a.__array_interface__["data"][0]  # type: ignore[no-any-return]


def _aligned(shape: tuple[int, ...], dtype: np.dtype[Any], allocate: Any) -> np.ndarray[Any, Any]:
    count = 1
    for extent in shape:  # (np.prod costs ~2 µs on a tiny shape)
        count *= extent
    raw = allocate(count * dtype.itemsize + ALIGNMENT, dtype=np.uint8)
    out: np.ndarray[Any, Any] = np.ndarray(shape, dtype, raw, -address(raw) % ALIGNMENT)
    return out


def aligned_empty(shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """An uninitialised C-order array whose data pointer is a multiple of 64.

    Example:
        >>> import numpy as np
        >>> a = aligned_empty((3,), np.dtype("float32"))
        >>> a.ctypes.data % 64
        0
    """
    return _aligned(shape, dtype, np.empty)


def aligned_zeros(shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """A zero-filled C-order array whose data pointer is a multiple of 64.

    ``np.zeros`` of the padded size uses ``calloc``: fresh pages arrive zeroed,
    so this costs what ``np.zeros`` costs.
    """
    return _aligned(shape, dtype, np.zeros)


def aligned_copy(a: np.ndarray[Any, Any], dtype: np.dtype[Any] | None = None) -> np.ndarray[Any, Any]:
    """A C-order, native-byte-order, 64-byte-aligned copy of ``a`` (optionally cast).

    Example:
        >>> import numpy as np
        >>> b = aligned_copy(np.arange(4)[::-1])
        >>> b.tolist(), b.ctypes.data % 64, b.flags.c_contiguous
        ([3, 2, 1, 0], 0, True)
    """
    target = a.dtype if dtype is None else dtype
    if not target.isnative:
        target = target.newbyteorder("=")
    out = aligned_empty(a.shape, target)
    if dtype is None:
        out[...] = a
    else:
        np.copyto(out, a, casting="unsafe")
    return out


class _Described:
    """An object whose only content is an ``__array_interface__`` (what NumPy wraps)."""

    __slots__ = ("__array_interface__",)

    def __init__(self, interface: dict[str, Any]) -> None:
        self.__array_interface__ = interface


def layout(start: int, shape: tuple[int, ...], byte_strides: tuple[int, ...], itemsize: int) -> np.ndarray[Any, Any]:
    """A NumPy array that *describes* the bytes of a strided array at address ``start``.

    For ``np.shares_memory`` (exact: it solves for a common byte from the addresses and
    strides alone) and ``byte_bounds``; its elements are opaque (``V<itemsize>``) and must
    never be read: the address may be GPU memory, or memory whose values mean something
    else (a lazy conjugate's bytes hold the unconjugated values).

    Example:
        >>> import numpy as np
        >>> evens = layout(4096, (4,), (16,), 8)        # every other 8-byte element
        >>> odds = layout(4096 + 8, (4,), (16,), 8)
        >>> bool(np.shares_memory(evens, odds)), bool(np.shares_memory(evens, layout(4096 + 16, (1,), (8,), 8)))
        (False, True)
    """
    interface = {"data": (start, True), "shape": shape, "strides": byte_strides, "typestr": f"|V{itemsize}", "version": 3}
    described: np.ndarray[Any, Any] = np.asarray(_Described(interface))
    return described


def extent_bytes(shape: tuple[int, ...], itemsize: int) -> int:
    """``itemsize`` times the product of the **non-zero** extents: what frameworks check
    against the address space even when an extent is zero (so the array holds no bytes).

    NumPy refuses ``np.zeros((0, 2**62), np.float32)`` (``array is too big``) and XLA
    aborts the process on ``(2**31, 2**31, 0)`` float32 (docs/framework-facts.md,
    "Empty arrays with huge extents"): an empty array is not exempt from the limit.

    Example:
        >>> extent_bytes((0, 2**62), 4) == 2**64, extent_bytes((2, 3), 8)
        (True, 48)
    """
    total = itemsize
    for extent in shape:
        total *= extent or 1
    return total
