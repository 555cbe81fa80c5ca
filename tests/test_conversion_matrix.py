"""Every (source, target) pair, every dtype, every layout, every copy mode.

Each conversion must give bit-exact values and the exact dtype, and its
``shares_memory`` answer must agree with an actual mutation of the memory
(through a ctypes alias, so read-only arrays and immutable tensors are mutated
too): the claim is checked against reality, not against another unibridge call.
``copy=False`` may raise only where no obvious zero-copy path exists.
"""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import unibridge as ub

from _strategies import as_bytes, layouts, numpy_dtype
from _backends import BUILTIN, require

PAIRS = list(itertools.product(BUILTIN, BUILTIN))

_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64, 16: np.uint64}


def make_source(name: str, a: np.ndarray[Any, Any]) -> Any:
    """``a`` as a native array of framework ``name``, built with the framework's own calls."""
    native = a.astype(a.dtype.newbyteorder("="), order="C", copy=True)  # fresh, writable
    if name == "numpy":
        return a
    if name == "torch":
        import torch

        shareable = a.flags.writeable and a.dtype.isnative and all(s >= 0 for s in a.strides)
        base = a if shareable else native
        if base.dtype.name == "bfloat16":
            return torch.from_numpy(base.view(np.int16)).view(torch.bfloat16)
        return torch.from_numpy(base)
    import tensorflow as tf

    return tf.constant(native)


def memory_of(x: Any) -> tuple[int, int] | None:
    """The byte range ``[lo, hi)`` of ``x``'s memory, from the framework's own pointer and strides
    (TensorFlow's through its DLPack export); None for an empty array."""
    mod = type(x).__module__.split(".")[0]
    if mod == "torch":
        if x.numel() == 0:
            return None
        ptr, shape, item = x.data_ptr(), tuple(x.shape), x.element_size()
        strides = tuple(s * item for s in x.stride())
    elif isinstance(x, np.ndarray):
        if x.size == 0:
            return None
        ptr, shape, item, strides = x.__array_interface__["data"][0], x.shape, x.itemsize, x.strides
    else:  # a TensorFlow tensor: dense, C order; DLPack names its buffer
        from unibridge._dlpack import dlpack_span

        return dlpack_span(x)
    lo = ptr + sum((n - 1) * st for n, st in zip(shape, strides) if st < 0)
    hi = ptr + sum((n - 1) * st for n, st in zip(shape, strides) if st > 0) + item
    return lo, hi


def flip(x: Any, dtype: str) -> Callable[[], None] | None:
    """Flip every byte of ``x``'s memory in place, read-only memory included (heap memory is
    writable underneath a read-only flag or an immutable tensor), through a ctypes alias; returns
    the call that flips them back, or None when ``x`` has no memory."""
    span = memory_of(x)
    if span is None:
        return None
    lo, hi = span
    alias = np.ctypeslib.as_array((ctypes.c_uint8 * (hi - lo)).from_address(lo))
    mask = 0x01 if dtype == "bool" else 0xFF  # a bool stays 0 or 1
    np.bitwise_xor(alias, mask, out=alias)

    def restore() -> None:
        np.bitwise_xor(alias, mask, out=alias)

    return restore


def really_shares(src: Any, out: Any, dtype: str) -> bool:
    """Ground truth by mutation: flip the source's memory and look at the result (then flip back).

    Never by ``np.shares_memory`` or address arithmetic: that is the computation
    ``shares_memory`` itself does, and a shared bug would agree with itself."""
    before = as_bytes(ub.to_numpy(out, copy=True))
    restore = flip(src, dtype)
    if restore is None:
        return False
    try:
        return as_bytes(ub.to_numpy(out, copy=True)) != before
    finally:
        restore()


def _shareable_by_torch(a: np.ndarray[Any, Any]) -> bool:
    """torch.from_numpy can take ``a`` as it is (torch has no read-only tensors, negative strides or
    byte-order flags; c10::complex is aligned to its full size)."""
    return bool(
        a.flags.writeable and a.dtype.isnative and a.flags.aligned
        and all(st >= 0 and st % a.dtype.itemsize == 0 for st in a.strides)
        and not (a.dtype.kind == "c" and a.size and a.ctypes.data % a.dtype.itemsize)
    )


def must_share(source: str, target: str, a: np.ndarray[Any, Any], src: Any) -> bool:
    """Cases with an obvious zero-copy path, where ``copy=False`` must share and never raise."""
    if a.size == 0:
        return False
    if source == target or target == "numpy":
        return True  # the array itself, or a NumPy view of a torch/TensorFlow buffer
    view = a if source == "numpy" else ub.to_numpy(src, copy=False) if source == "torch" else None
    if view is None:
        return False  # TensorFlow -> torch: torch cannot hold read-only memory
    if target == "torch":
        return _shareable_by_torch(view)
    return _shareable_by_torch(view) and bool(view.flags.c_contiguous) and view.ctypes.data % 64 == 0


def _native(dt: np.dtype[Any]) -> np.dtype[Any]:
    return dt if dt.isnative else dt.newbyteorder("=")


@pytest.mark.parametrize("source,target", PAIRS, ids=[f"{s}->{t}" for s, t in PAIRS])
@pytest.mark.parametrize("copy", [None, True, False], ids=["copy=None", "copy=True", "copy=False"])
@given(data=st.data())
def test_conversion_is_bit_exact_and_aliasing_is_truthful(
    source: str, target: str, copy: bool | None, data: st.DataObject
) -> None:
    require(source)
    require(target)
    a, layout = data.draw(layouts(), label="array")
    expected = as_bytes(a)
    dtype = ub.dtype_of(a)
    src = make_source(source, a)

    try:
        out = ub.asarray(src, backend=target, copy=copy)
    except ub.CopyRequiredError as exc:
        assert copy is False, f"only copy=False may raise CopyRequiredError, got it for copy={copy}"
        assert str(exc), "the error must say why a copy is needed"
        assert not must_share(source, target, a, src), f"copy=False refused an obvious zero-copy case ({layout}): {exc}"
        return

    assert ub.get_backend(target).is_array(out), type(out)
    assert ub.dtype_of(out) == dtype, f"{dtype} became {ub.dtype_of(out)} ({layout})"
    for side in (out, src):
        host = ub.to_numpy(side)
        assert _native(host.dtype) == numpy_dtype(dtype), f"to_numpy gave {host.dtype}, not {dtype} ({layout})"
        assert host.shape == a.shape, f"to_numpy gave shape {host.shape}, not {a.shape} ({layout})"
    assert as_bytes(ub.to_numpy(out)) == expected, f"values changed ({layout})"
    assert as_bytes(ub.to_numpy(src)) == expected, "the source was modified"

    claimed = ub.shares_memory(src, out)
    truth = really_shares(src, out, str(dtype))
    assert claimed == truth, f"shares_memory said {claimed}, reality {truth} ({layout})"
    if copy is True:
        assert not truth, "copy=True must give independent memory"
    if copy is False and a.size:
        assert truth, "copy=False must share or raise"


EXTREMES = {
    "float64": [0.1, 1 + 2**-40, -0.0, 1e300, 5e-324],
    "int64": [0, 1, 2**40 + 3, -(2**50), 2**63 - 1],
    "uint64": [0, 1, 2**63 + 1, 2**64 - 1],
    "complex128": [0.1 + 1e300j, -0.0 - 5e-324j],
    "bfloat16": [0.0, 1.0, -0.0, 3.0e38, 1.0e-38],
}


@pytest.mark.parametrize("dtype", list(EXTREMES))
def test_wide_and_bfloat16_values_survive_a_round_trip(backend: str, dtype: str) -> None:
    values = np.array(EXTREMES[dtype], dtype=numpy_dtype(dtype))
    x = ub.asarray(values, backend=backend)
    assert ub.dtype_of(x) == dtype
    assert as_bytes(ub.to_numpy(x)) == as_bytes(values)


@pytest.mark.parametrize("source,target", PAIRS, ids=[f"{s}->{t}" for s, t in PAIRS])
@given(data=st.data())
def test_fast_routes_keep_every_guarantee(source: str, target: str, data: st.DataObject) -> None:
    """``asarray(x)`` with no options takes precomputed routes; they must match the full path."""
    require(source)
    require(target)
    a, layout = data.draw(layouts(), label="array")
    expected = as_bytes(a)
    src = make_source(source, a)
    for call in (lambda: ub.asarray(src, backend=target), None):
        if call is None:
            with ub.use(target, device="cpu"):
                out = ub.asarray(src)
        else:
            out = call()
        assert ub.get_backend(target).is_array(out)
        assert ub.dtype_of(out) == ub.dtype_of(a)
        assert _native(ub.to_numpy(out).dtype) == numpy_dtype(str(ub.dtype_of(a))), layout
        assert as_bytes(ub.to_numpy(out)) == expected
        assert ub.shares_memory(src, out) == really_shares(src, out, str(ub.dtype_of(a))), layout
        if isinstance(src, np.ndarray) and not src.flags.writeable and target == "torch":
            assert not really_shares(src, out, str(ub.dtype_of(a))), "read-only memory must not become a writable tensor"
