"""Conversion edges: masked arrays hidden in lists, memory questions about torch's lazy
conjugate and negative views, and empty arrays whose extents are too large to describe."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import unibridge as ub

from _backends import availability, require

# -- masked arrays anywhere in the input are refused, as a masked array given directly is -------

_MASKED = np.ma.masked_array([1.0, 2.0], mask=[False, True])
NESTED_MASKED: dict[str, Any] = {
    "a list of masked arrays": [_MASKED, _MASKED],
    "a masked array beside a list": [[1.0, 2.0], _MASKED],
    "np.ma.masked among numbers": [1.0, np.ma.masked],
    "a tuple holding one": (_MASKED,),
    "deep in nested lists": [[[np.ma.masked_array(5.0, mask=True)]]],
    "a masked array with no masked element": [np.ma.masked_array([1.0, 2.0])],
}
CALLS: dict[str, Callable[[Any], Any]] = {
    "asarray": lambda x: ub.asarray(x),
    "asarray(dtype=float32)": lambda x: ub.asarray(x, dtype="float32"),
    "asarray(backend=torch)": lambda x: ub.asarray(x, backend="torch"),
    "to_numpy": lambda x: ub.to_numpy(x),
    "dtype_of": lambda x: ub.dtype_of(x),
    "zeros_like": lambda x: ub.zeros_like(x),
}


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("nesting", list(NESTED_MASKED))
def test_a_masked_array_nested_in_a_list_is_refused_as_a_direct_one_is(nesting: str, call: str) -> None:
    if "torch" in call:
        require("torch")
    with pytest.raises(ub.UnsupportedInputError, match="mask"):
        CALLS["asarray"](_MASKED)  # the direct case, for comparison
    with pytest.raises(ub.UnsupportedInputError, match="mask would be lost"):
        CALLS[call](NESTED_MASKED[nesting])


def test_plain_arrays_and_numbers_nested_in_lists_still_convert() -> None:
    data = [np.array([1.0, 2.0]), [3.0, np.float32(4.0)], (5, 6)]
    assert ub.to_numpy(ub.asarray(data)).tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


# -- shares_memory is exact for torch's lazy conjugate and negative views ------------------------


def _torch() -> Any:
    require("torch")
    import torch

    return torch


def test_shares_memory_is_exact_for_interleaved_conjugate_views() -> None:
    torch = _torch()
    t = torch.arange(16.0).to(torch.complex64)
    evens, odds = t[::2], t[1::2]  # interleaved: the same byte range, no common element
    assert evens.conj().is_conj()  # a lazy view: no NumPy view of it exists
    # The oracle: NumPy's exact overlap of the plain views (a conjugate view has the same bytes).
    assert np.shares_memory(evens.numpy(), odds.numpy()) is False
    assert ub.shares_memory(evens, odds) is False
    assert ub.shares_memory(evens.conj(), odds) is False
    assert ub.shares_memory(evens.conj(), odds.conj()) is False
    assert ub.shares_memory(odds.numpy(), evens.conj()) is False
    assert ub.shares_memory(evens.conj(), t) is True
    assert ub.shares_memory(evens.conj(), evens.numpy()) is True
    assert ub.shares_memory(evens.conj_physical(), evens) is False  # conj_physical copies


def test_shares_memory_is_exact_for_interleaved_negative_views() -> None:
    torch = _torch()
    f = torch.arange(16.0)
    negative = torch._neg_view(f[::2])  # what autograd and conj().imag make; the same bytes as f[::2]
    assert negative.is_neg()
    assert ub.shares_memory(negative, f[1::2]) is False
    assert ub.shares_memory(negative, f[1::2].numpy()) is False
    assert ub.shares_memory(negative, f[2:3]) is True
    assert ub.shares_memory(negative, f) is True


def test_shares_memory_of_a_column_and_a_conjugate_row_that_cross() -> None:
    torch = _torch()
    m = torch.zeros((4, 4), dtype=torch.complex128)
    assert ub.shares_memory(m[:, 1].conj(), m[2, :]) is True  # they share m[2, 1]
    assert ub.shares_memory(m[:, 1].conj(), m[2, 2:]) is False
