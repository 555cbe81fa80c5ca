"""Every (source, target) pair, every dtype, every layout, every copy mode.

Each conversion must give bit-exact values and the exact dtype, and its
``shares_memory`` answer must agree with an actual mutation of the memory:
the claim is checked against reality, not against another unibridge call.
"""

from __future__ import annotations

import itertools
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


def mutate(x: Any) -> bool:
    """Flip every bit of ``x``'s memory in place; False if ``x`` cannot be written."""
    if isinstance(x, np.ndarray):
        if not x.flags.writeable or x.size == 0:
            return False
        if x.dtype.kind == "b":
            np.logical_not(x, out=x)
            return True
        parts = (x.real, x.imag) if x.dtype.kind == "c" else (x,)
        for part in parts:  # complex: flip both halves through strided real views
            view = part.view(_UNSIGNED[part.dtype.itemsize])
            np.invert(view, out=view)
        return True
    mod = type(x).__module__.split(".")[0]
    if mod == "torch":
        import torch

        if x.numel() == 0:
            return False
        with torch.no_grad():
            if x.dtype == torch.bool:
                x.logical_not_()
            else:
                ints = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64, 16: torch.int64}
                if x.dtype == torch.complex128:
                    view = torch.view_as_real(x).view(torch.int64)
                elif x.dtype == torch.complex64:
                    view = torch.view_as_real(x).view(torch.int32)
                else:
                    view = x.view(ints[x.element_size()])
                view.bitwise_not_()
        return True
    return False  # TensorFlow tensors are immutable


def really_shares(src: Any, out: Any) -> bool:
    """Ground truth by mutation: write through one side, look at the other."""
    before_src = as_bytes(ub.to_numpy(src, copy=True))
    before_out = as_bytes(ub.to_numpy(out, copy=True))
    if mutate(src):
        changed = as_bytes(ub.to_numpy(out, copy=True)) != before_out
        mutate(src)  # restore
        return changed
    if mutate(out):
        changed = as_bytes(ub.to_numpy(src, copy=True)) != before_src
        mutate(out)
        return changed
    # Neither side writable (TF <-> read-only views): compare the NumPy views' memory.
    return bool(np.shares_memory(np.asarray(ub.to_numpy(src)), np.asarray(ub.to_numpy(out))))


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
        return

    assert ub.get_backend(target).is_array(out), type(out)
    assert ub.dtype_of(out) == dtype, f"{dtype} became {ub.dtype_of(out)} ({layout})"
    assert as_bytes(ub.to_numpy(out)) == expected, f"values changed ({layout})"
    assert as_bytes(ub.to_numpy(src)) == expected, "the source was modified"

    claimed = ub.shares_memory(src, out)
    truth = really_shares(src, out)
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
        assert as_bytes(ub.to_numpy(out)) == expected
        assert ub.shares_memory(src, out) == really_shares(src, out), layout
        if isinstance(src, np.ndarray) and not src.flags.writeable and target == "torch":
            assert not really_shares(src, out), "read-only memory must not become a writable tensor"
