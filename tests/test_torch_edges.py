"""torch tensors that hold no array unibridge can read: unibridge's errors, never torch's.

Tensors inside ``torch.func`` transforms and ``FakeTensor`` s have no storage of their
own; float8, complex32 and quantized tensors have no Array API dtype. Each ends in
:class:`~unibridge.UnsupportedInputError` on every path, the torch backend's own
``asarray``/``to_device`` included (they used to pass such tensors through).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import unibridge as ub

torch = pytest.importorskip("torch", reason="torch is not installed")

READS: list[tuple[str, Callable[[Any], Any]]] = [
    ("asarray", lambda x: ub.asarray(x)),
    ("to_numpy", ub.to_numpy),
    ("shares_memory", lambda x: ub.shares_memory(x, np.ones(2))),
    ("shares_memory-torch", lambda x: ub.shares_memory(x, torch.ones(2))),
]


@pytest.mark.parametrize("transform", ["vmap", "grad"])
def test_torch_func_tensors_raise_unsupported_input(transform: str) -> None:
    seen: list[str] = []

    def body(t: Any) -> Any:
        for _, call in READS:
            with pytest.raises(ub.UnsupportedInputError, match="no memory of its own.*torch.func"):
                call(t)
            seen.append("raised")
        assert ub.dtype_of(t) == "float32"
        return (t * t).sum()

    getattr(torch.func, transform)(body)(torch.ones(2, 3) if transform == "vmap" else torch.ones(3))
    assert len(seen) == len(READS)


def test_torch_fake_tensor_raises_unsupported_input() -> None:
    from torch._subclasses.fake_tensor import FakeTensorMode

    with FakeTensorMode():
        fake = torch.ones(3)
    for _, call in READS:
        with pytest.raises(ub.UnsupportedInputError, match=r"FakeTensor\) has no memory of its own"):
            call(fake)


@pytest.mark.parametrize("dtype", ["float8_e4m3fn", "complex32", "quint8"])
def test_torch_backend_refuses_tensors_of_unsupported_dtypes_instead_of_passing_them_through(dtype: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # quantized: deprecated; complex32: "experimental"
        if dtype == "quint8":
            t = torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.quint8)
        else:
            t = torch.ones(2).to(getattr(torch, dtype))
    for call in (lambda x: ub.asarray(x, backend="torch"), lambda x: ub.to_device(x, "cpu"), ub.asarray):
        with pytest.raises(ub.UnsupportedInputError, match=dtype):
            call(t)

