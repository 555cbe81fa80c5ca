"""Why a NumPy buffer cannot be shared with a framework, as data.

Each backend states which properties it needs to alias a NumPy buffer safely;
:func:`share_blocker` returns the first one the buffer lacks, as the reason
quoted in :class:`~unibridge.CopyRequiredError`. Keeping the checks here means
every backend gives the same reasons, in the same words.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._memory import ALIGNMENT, address

__all__ = ["share_blocker"]


def share_blocker(
    a: np.ndarray[Any, Any],
    *,
    writable: bool = True,
    aligned64: bool = False,
    c_contiguous: bool = False,
) -> str | None:
    """The reason ``a`` cannot be aliased, or None when it can.

    Example:
        >>> import numpy as np
        >>> share_blocker(np.arange(4)[::-1])
        'negative strides'
    """
    if not a.dtype.isnative:
        return "non-native byte order"
    itemsize = a.dtype.itemsize
    for extent, stride in zip(a.shape, a.strides):
        # Checked on every axis, length-1 ones included: torch.from_numpy refuses
        # a negative stride even where it is never stepped over.
        if stride < 0:
            return "negative strides"
        if stride % itemsize:  # every axis: torch checks length-1 axes too
            return "strides that are not a multiple of the element size"
    if writable and not a.flags.writeable:
        return "read-only source (the target framework has no read-only arrays)"
    if not a.flags.aligned:
        return "data not aligned to its element size"
    if a.dtype.kind == "c" and a.size and address(a) % a.dtype.itemsize:
        # NumPy calls complex128 at 8 mod 16 "aligned"; torch's c10::complex<T> is
        # alignas(2 * sizeof(T)), and its kernels segfault on such data.
        return f"complex data not {a.dtype.itemsize}-byte aligned"
    if c_contiguous and not a.flags.c_contiguous:
        return "non-compact (not C-contiguous) layout"
    if aligned64 and a.size and address(a) % ALIGNMENT:
        return f"data not {ALIGNMENT}-byte aligned"
    return None

