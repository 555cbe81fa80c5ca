"""Dask at any size: no unibridge function computes a lazy array until the user asks.

A dtype change of a dask array is a blockwise task: the value check that ``casting=``
requires runs inside the graph, chunk by chunk, when the user computes, and a lossy
value raises ``LossyCastError`` naming its chunk. Only ``to_numpy`` (and a conversion
to another backend, which needs the values) computes, exactly once.

Computes are counted with a dask scheduler callback, which every local scheduler
(threads, processes, sync) calls once per graph it runs, whoever asked for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

dask = pytest.importorskip("dask", reason="dask is not installed")
da = pytest.importorskip("dask.array", reason="dask is not installed")
pytest.importorskip("unibridge_dask", reason="unibridge-dask is not installed")
from dask.callbacks import Callback  # noqa: E402

import unibridge as ub  # noqa: E402
from unibridge.dtypes import CASTING_MODES, all_dtypes, numpy_dtype  # noqa: E402

DTYPES = [str(d) for d in all_dtypes()]


@pytest.fixture(autouse=True)
def _dask_loaded() -> None:
    # The backend's one-time load probes dask's from_array with a tiny graph of its own;
    # load it before counting, so the counts below are the user's graphs only.
    ub.get_backend("dask").module  # noqa: B018


@contextmanager
def computes() -> Iterator[list[int]]:
    """The graphs dask's schedulers start inside the block, as a list of their sizes."""
    started: list[int] = []
    with Callback(start=lambda dsk: started.append(len(dsk))):
        yield started


def _data(source: str) -> np.ndarray[Any, Any]:
    """Six values in three chunks of two: 0 and 1 (held by every dtype), then chunk (2,)
    holds the hardest values of ``source``: its extremes (integers), its largest finite
    value and a fraction (floats; complex: as the real part, and an imaginary part)."""
    kind, dt = ub.as_dtype(source).kind, numpy_dtype(ub.as_dtype(source))
    if kind == "bool":
        hard: list[Any] = [True, False]
    elif kind in ("signed integer", "unsigned integer"):
        hard = [np.iinfo(dt).max, np.iinfo(dt).min]
    else:
        # The largest finite value, written out (bfloat16: 0x7F7F; the others: finfo's).
        real = {"complex64": np.dtype(np.float32), "complex128": np.dtype(np.float64)}.get(source, dt)
        largest = 3.3895313892515355e38 if source == "bfloat16" else float(np.finfo(real).max)
        hard = [largest, 0.5] if kind == "real floating" else [complex(largest, 0.0), 0.5 + 0.25j]
    return np.concatenate([np.array([0, 1, 1, 0], dtype=dt), np.array(hard, dtype=dt)])


def _eager(data: np.ndarray[Any, Any], target: str, casting: str) -> np.ndarray[Any, Any] | ub.LossyCastError:
    """What an eager conversion of the same values answers (the NumPy backend)."""
    try:
        return ub.to_numpy(ub.asarray(data, backend="numpy", dtype=target, casting=casting))
    except ub.LossyCastError as exc:
        return exc


@pytest.mark.parametrize("target", DTYPES)
@pytest.mark.parametrize("source", DTYPES)
def test_dtype_change_of_a_lazy_array_computes_nothing_and_checks_values_at_compute(source: str, target: str) -> None:
    data = _data(source)
    lazy = da.from_array(data, chunks=2)
    for casting in CASTING_MODES:
        with computes() as started:
            try:
                out = ub.asarray(lazy, backend="dask", dtype=target, casting=casting)
            except ub.LossyCastError:
                out = None  # refused for the dtypes alone, before any value is looked at
        assert started == [], f"{source} -> {target} under casting={casting!r} computed the graph"
        eager = _eager(data, target, casting)
        if out is None:
            assert isinstance(eager, ub.LossyCastError), f"{source} -> {target} ({casting}): refused lazily, not eagerly"
            continue
        assert isinstance(out, da.Array) and out.chunks == lazy.chunks and ub.dtype_of(out) == target
        if isinstance(eager, ub.LossyCastError):
            # Chunks (0,) and (1,) hold 0 and 1, which every dtype holds: chunk (2,) is named.
            with pytest.raises(ub.LossyCastError, match=r"chunk \(2,\), elements \[4:6\]"):
                out.compute()
        else:
            got = out.compute()
            assert got.dtype == eager.dtype and got.tobytes() == eager.tobytes(), (source, target, casting)


def test_lossy_value_in_a_lazy_cast_raises_at_compute_naming_its_chunk() -> None:
    # The oracle is Python's: 300 is outside int8's [-128, 127], every other value is inside.
    values = [1, -2, 3, 4, 5, 300, 7, 8]
    lazy = da.from_array(np.array(values, dtype=np.int64), chunks=3)
    with computes() as started:
        small = ub.asarray(lazy, backend="dask", dtype="int8")
    assert started == []
    with pytest.raises(ub.LossyCastError, match=r"chunk \(1,\), elements \[3:6\].*300 does not fit int8"):
        ub.to_numpy(small)
    fits = ub.asarray(lazy[:5], backend="dask", dtype="int8")
    assert ub.to_numpy(fits).tolist() == [v for v in values[:5] if -128 <= v <= 127]


def test_lazy_cast_names_the_chunk_of_a_two_dimensional_array() -> None:
    data = np.ones((4, 6))
    data[3, 5] = 1e300  # a finite float64 that float32 cannot hold (its largest is about 3.4e38)
    lazy = da.from_array(data, chunks=(2, 3))
    out = ub.asarray(lazy, backend="dask", dtype="float32")
    with pytest.raises(ub.LossyCastError, match=r"chunk \(1, 1\), elements \[2:4, 3:6\]"):
        out.compute()


def test_lazy_cast_keeps_values_exactly_when_they_fit() -> None:
    # Python's own arithmetic is the oracle: float32 holds 0.5, 1.5 and 2**24 exactly.
    values = [0.5, 1.5, 2.0**24, -3.0]
    out = ub.asarray(da.from_array(np.array(values), chunks=1), backend="dask", dtype="float32")
    got = ub.to_numpy(out)
    assert got.dtype == np.float32 and [float(v) for v in got] == values


def _lazy() -> Any:
    return da.from_array(np.arange(12.0).reshape(3, 4), chunks=2) + 1.0


XP_CALLS: dict[str, Callable[[Any], Any]] = {
    "xp.sum": lambda x: ub.namespace("dask").sum(x, axis=0),
    "xp.astype": lambda x: ub.namespace("dask").astype(x, ub.namespace("dask").float32),
    "xp.matmul": lambda x: ub.namespace("dask").matmul(x, ub.namespace("dask").matrix_transpose(x)),
    "xp.where": lambda x: ub.namespace("dask").where(x > 3.0, x, 0.0),
}
PUBLIC_CALLS: dict[str, Callable[[Any], Any]] = {
    "asarray": lambda x: ub.asarray(x, backend="dask"),
    "asarray(copy=True)": lambda x: ub.asarray(x, backend="dask", copy=True),
    "asarray(device='cpu')": lambda x: ub.asarray(x, backend="dask", device="cpu"),
    "asarray under use('dask')": lambda x: _under_dask(lambda: ub.asarray(x)),
    "to_device": lambda x: ub.to_device(x, "cpu"),
    "zeros": lambda x: ub.zeros(x.shape, backend="dask"),
    "zeros_like": lambda x: ub.zeros_like(x),
    "dtype_of": ub.dtype_of,
    "device_of": ub.device_of,
    "shares_memory with itself": lambda x: ub.shares_memory(x, x),
    "shares_memory with numpy": lambda x: ub.shares_memory(x, np.zeros(3)),
    "shares_memory from numpy": lambda x: ub.shares_memory(np.zeros(3), x),
    **XP_CALLS,
}


def _under_dask(call: Callable[[], Any]) -> Any:
    with ub.use("dask"):
        return call()


@pytest.mark.parametrize("name", list(PUBLIC_CALLS))
def test_public_functions_compute_nothing_on_a_lazy_array(name: str) -> None:
    x = _lazy()
    with computes() as started:
        PUBLIC_CALLS[name](x)
    assert started == [], f"{name} computed {len(started)} graph(s)"


@pytest.mark.parametrize(
    "name,convert",
    [
        ("to_numpy", ub.to_numpy),
        ("to_numpy(copy=True)", lambda x: ub.to_numpy(x, copy=True)),
        ("asarray into numpy", lambda x: ub.asarray(x, backend="numpy")),
        ("asarray into numpy as float32", lambda x: ub.asarray(x, backend="numpy", dtype="float32")),
    ],
)
def test_to_numpy_and_conversions_out_of_dask_compute_exactly_once(name: str, convert: Callable[[Any], Any]) -> None:
    x = _lazy()
    with computes() as started:
        out = convert(x)
    assert len(started) == 1, f"{name} computed {len(started)} graphs, not one"
    assert np.asarray(out).tolist() == (np.arange(12.0).reshape(3, 4) + 1.0).tolist()
