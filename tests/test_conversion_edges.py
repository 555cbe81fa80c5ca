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
    "np.ma.masked in a list beside a plain array": [np.array([1.0, 2.0]), [np.ma.masked, 2.0]],
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


# -- empty arrays with huge extents: work or ConfigurationError everywhere, never an abort ----------

HUGE_EMPTY = ["(0, 2**62)", "(2**31, 2**31, 0)", "(2**62, 0)"]
# The largest float32 shape of this form: 4 * (2**61 - 1) bytes is just under sys.maxsize.
LARGEST_EMPTY = "(0, 2**61 - 1)"
_CHILD = """
import json, sys
import unibridge as ub
out = {}
for name in sys.argv[1].split(","):
    for shape in %r:
        try:
            z = ub.zeros(eval(shape), dtype="float32", backend=name)
            out[name + " " + shape] = "works " + str(tuple(int(d) for d in z.shape) == eval(shape))
        except ub.ConfigurationError:
            out[name + " " + shape] = "ConfigurationError"
        except Exception as exc:
            out[name + " " + shape] = "foreign " + type(exc).__name__
print(json.dumps(out))
"""


def _available(names: list[str]) -> list[str]:
    return [n for n in names if availability(n)[0]]


def _in_a_child(code: str, *args: str) -> dict[str, str]:
    """Run ``code`` in a fresh interpreter (JAX aborts the process on some of these shapes)."""
    import json

    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"the child died (status {proc.returncode}): {proc.stderr[-600:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_zeros_of_empty_shapes_with_huge_extents_raise_configuration_error_on_every_backend() -> None:
    backends = _available(["numpy", "torch", "tensorflow", "jax", "dask", "strict"])
    found = _in_a_child(_CHILD % (HUGE_EMPTY + [LARGEST_EMPTY],), ",".join(backends))
    wrong = {k: v for k, v in found.items() if v != ("works True" if k.endswith(LARGEST_EMPTY) else "ConfigurationError")}
    assert not wrong, f"expected ConfigurationError for {HUGE_EMPTY} and a working {LARGEST_EMPTY}: {wrong}"


_CONVERT_CHILD = """
import importlib, json, sys
import unibridge as ub
MAKERS = {"torch": lambda s: importlib.import_module("torch").zeros(s),
          "tensorflow": lambda s: importlib.import_module("tensorflow").zeros(s)}  # float32
out = {}
for source in sys.argv[3].split(","):
    for shape in sys.argv[2].split(";"):
        x = MAKERS[source](eval(shape))
        calls = {"to_numpy": lambda: ub.to_numpy(x), "to_numpy(copy=True)": lambda: ub.to_numpy(x, copy=True),
                 "zeros_like": lambda: ub.zeros_like(x), "shares_memory": lambda: ub.shares_memory(x, x),
                 "asarray(dtype=float64)": lambda: ub.asarray(x, dtype="float64")}
        for name in sys.argv[1].split(","):
            if name != source:
                calls["asarray into " + name] = lambda name=name: ub.asarray(x, backend=name)
        for what, call in calls.items():
            key = source + " " + shape + " " + what
            try:
                got = call()
                out[key] = "returns " + (repr(got) if isinstance(got, bool) else type(got).__name__)
            except ub.ConfigurationError:
                out[key] = "ConfigurationError"
            except Exception as exc:
                out[key] = "foreign " + type(exc).__name__ + ": " + str(exc)[:60]
print(json.dumps(out))
"""


def test_converting_an_empty_tensor_with_huge_extents_raises_configuration_error() -> None:
    sources = _available(["torch", "tensorflow"])  # the frameworks that can make such a tensor
    if not sources:
        pytest.skip("neither torch nor tensorflow is available")
    targets = _available(["numpy", "torch", "tensorflow", "jax", "dask", "strict"])
    found = _in_a_child(_CONVERT_CHILD, ",".join(targets), ";".join(HUGE_EMPTY[:2]), ",".join(sources))
    for key in [k for k in found if k.endswith("shares_memory")]:
        assert found.pop(key) == "returns False", key  # an empty array holds no bytes
    wrong = {k: v for k, v in found.items() if v != "ConfigurationError"}
    assert not wrong, wrong


def test_the_empty_shape_guard_in_process_for_backends_that_cannot_abort() -> None:
    for name in _available(["numpy", "torch", "dask", "strict"]):
        with pytest.raises(ub.ConfigurationError, match="non-zero extents"):
            ub.zeros((0, 2**62), dtype="float32", backend=name)
        assert ub.zeros((0, 2**60), dtype="float32", backend=name).shape == (0, 2**60)
