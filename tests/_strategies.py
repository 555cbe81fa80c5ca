"""Hypothesis strategies: every dtype, every memory layout, every source framework."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from unibridge._memory import ALIGNMENT, address, aligned_copy
from unibridge.dtypes import all_dtypes

DTYPES = [str(d) for d in all_dtypes()]
LAYOUTS = (
    "aligned",
    "misaligned",
    "c",
    "f",
    "sliced",
    "negative",
    "readonly",
    "bigendian",
    "0d",
    "empty",
)


def numpy_dtype(name: str) -> np.dtype[Any]:
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


@st.composite
def base_values(draw: Any, dtype: str, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    """Arbitrary bit patterns (NaN payloads, signed zeros, subnormals included)."""
    dt = numpy_dtype(dtype)
    if dtype == "bfloat16":
        bits = draw(hnp.arrays(np.uint16, shape))
        return bits.view(dt)
    if dt.kind == "b":
        return draw(hnp.arrays(dt, shape))  # type: ignore[no-any-return]
    # Draw raw bits for floats so every pattern (NaN payloads, -0.0, subnormals) appears.
    if dt.kind in "fc":
        unsigned = np.dtype(f"u{dt.itemsize if dt.kind == 'f' else dt.itemsize // 2}")
        parts = 1 if dt.kind == "f" else 2
        bits = draw(hnp.arrays(unsigned, (*shape, parts)))
        return np.ascontiguousarray(bits).view(dt).reshape(shape)
    return draw(hnp.arrays(dt, shape))  # type: ignore[no-any-return]


def misaligned(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A C-contiguous copy of ``a`` whose data pointer is NOT 64-byte aligned."""
    raw = np.empty(a.nbytes + 2 * ALIGNMENT, np.uint8)
    offset = (-address(raw) % ALIGNMENT) + a.dtype.itemsize
    out = np.ndarray(a.shape, a.dtype, raw, offset)
    out[...] = a
    return out


@st.composite
def layouts(draw: Any, dtype: str | None = None, layout: str | None = None) -> tuple[np.ndarray[Any, Any], str]:
    """A NumPy array of a drawn dtype in a drawn memory layout, and the layout's name."""
    dtype = dtype or draw(st.sampled_from(DTYPES))
    layout = layout or draw(st.sampled_from(LAYOUTS))
    if layout == "0d":
        return draw(base_values(dtype, ())), layout
    if layout == "empty":
        shape = draw(st.sampled_from([(0,), (0, 3), (2, 0, 1)]))
        return draw(base_values(dtype, shape)), layout
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    a = draw(base_values(dtype, shape))
    if layout == "aligned":
        a = aligned_copy(a)
    elif layout == "misaligned":
        a = misaligned(a)
    elif layout == "f":
        a = np.asfortranarray(a)
    elif layout == "sliced":
        big = draw(base_values(dtype, (*shape[:-1], shape[-1] * 2 + 1)))
        a = big[..., 1::2]
    elif layout == "negative":
        a = a[::-1]
    elif layout == "readonly":
        a = a.copy()
        a.flags.writeable = False
    elif layout == "bigendian":
        if a.dtype.itemsize == 1 or dtype == "bfloat16":
            layout = "c"  # no byte order to flip
        else:
            a = a.astype(a.dtype.newbyteorder(">"))
    return a, layout


def as_bytes(a: np.ndarray[Any, Any]) -> bytes:
    """The values' bits in a canonical layout (C order, native byte order)."""
    a = np.asarray(a)
    native = a.dtype.newbyteorder("=") if not a.dtype.isnative else a.dtype
    return np.ascontiguousarray(a.astype(native, copy=False)).tobytes()
