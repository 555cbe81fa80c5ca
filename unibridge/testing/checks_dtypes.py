"""Checks of dtype exactness, the casting policy, and unsupported input."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import api
from .._memory import aligned_copy
from ..config import current
from ..devices import CPU
from ..dtypes import DType, all_dtypes, numpy_dtype
from ..errors import LossyCastError, UnsupportedInputError
from ._core import CheckSkipped, Context, check, same_bits, sample_values


@check("dtype_exactness")
def dtype_exactness(ctx: Context) -> None:
    """Every supported dtype round-trips bit-exactly; unsupported ones raise, never narrow."""
    b = ctx.backend
    supported = ctx.supported_dtypes()
    for dt in all_dtypes():
        try:
            numpy_dtype(dt)
        except UnsupportedInputError:
            continue  # bfloat16 without ml_dtypes
        values = sample_values(dt)
        if dt not in supported:
            ctx.expect_raises((UnsupportedInputError, LossyCastError), f"from_numpy({dt}) [unsupported dtype]",
                              lambda: b.from_numpy(values, device=CPU, copy=None))
            continue
        with ctx.case(f"zeros({dt})"):
            z = b.zeros((2, 3), dtype=dt, device=CPU)
            ctx.expect(b.dtype_of(z) == dt, f"zeros(dtype={dt}) gave {b.dtype_of(z)}")
            host = ctx.to_host(z)
            ctx.expect(host.shape == (2, 3) and not host.any(), f"zeros(dtype={dt}) is not all zeros of shape (2, 3)")
        for copy in (None, True):
            with ctx.case(f"from_numpy({dt}, copy={copy})"):
                x = b.from_numpy(values, device=CPU, copy=copy)
                ctx.expect(b.dtype_of(x) == dt, f"from_numpy({dt}, copy={copy}) gave dtype {b.dtype_of(x)}")
                back = ctx.to_host(x)
                ctx.expect(same_bits(back, values),
                           f"{dt} values changed in a round trip (copy={copy}): {values!r} -> {back!r}")
        with ctx.case(f"asarray({dt})"):
            y = api.asarray(values, backend=ctx.name)
            ctx.expect(api.dtype_of(y) == dt, f"unibridge.asarray of {dt} data gave {api.dtype_of(y)}")
            ctx.expect(same_bits(api.to_numpy(y), values), f"unibridge.asarray changed {dt} values")
        with ctx.case(f"asarray(0-d {dt})"):
            s = api.asarray(values[1:2].reshape(()), backend=ctx.name)
            ctx.expect(b.shape_of(s) == () and api.dtype_of(s) == dt,
                       f"a 0-d {dt} array became shape {b.shape_of(s)} dtype {api.dtype_of(s)}")
    with ctx.case("Python data"):
        default_float = current().default_float
        for data, want in (([1.5, 2.0], default_float), ([1, 2**40], "int64"), ([True, False], "bool")):
            got = api.dtype_of(api.asarray(data, backend=ctx.name))
            ctx.expect(got == want, f"asarray({data!r}) gave {got}, NumPy infers {want}")
    ctx.finish()


@check("casting_policy")
def casting_policy(ctx: Context) -> None:
    """same_kind allows float64->float32, refuses float->int, and int64->int32 overflow raises."""
    b = ctx.backend
    name = ctx.name
    supported = ctx.supported_dtypes()
    f64 = aligned_copy(np.array([0.1, 2.5, -3.75]))
    i64_big = aligned_copy(np.array([1, 2**40], dtype=np.int64))
    i64_small = aligned_copy(np.array([1, -2], dtype=np.int64))
    sources = {"numpy": (f64, i64_big, i64_small)}
    with ctx.case("native sources"):
        sources["native"] = tuple(b.from_numpy(a, device=CPU, copy=True) for a in (f64, i64_big, i64_small))
    for origin, (f, big, small) in sources.items():
        with ctx.case(f"{origin} float64 -> float32"):
            y = api.asarray(f, dtype="float32", backend=name)
            ctx.expect(api.dtype_of(y) == "float32", f"[{origin}] float64 -> float32 gave {api.dtype_of(y)}")
            ctx.expect(same_bits(ctx.to_host(y), f64.astype(np.float32)), f"[{origin}] float64 -> float32 values wrong")
        for target in ("int64", "int32"):
            if target in supported:
                ctx.expect_raises(LossyCastError, f"[{origin}] float64 -> {target} under same_kind",
                                  lambda t=target, f=f: api.asarray(f, dtype=t, backend=name))
        if "int32" in supported:
            # Computed: a lazy backend (dask) checks the values when the result is computed.
            ctx.expect_raises(LossyCastError, f"[{origin}] int64 [1, 2**40] -> int32",
                              lambda big=big: ctx.to_host(api.asarray(big, dtype="int32", backend=name)))
            with ctx.case(f"{origin} int64 -> int32 in range"):
                y = api.asarray(small, dtype="int32", backend=name)
                ctx.expect(api.dtype_of(y) == "int32" and ctx.to_host(y).tolist() == [1, -2],
                           f"[{origin}] int64 [1, -2] -> int32 gave {api.dtype_of(y)} {ctx.to_host(y).tolist()}")
            with ctx.case(f"{origin} float64 -> int32 unsafe"):
                y = api.asarray(f, dtype="int32", casting="unsafe", backend=name)
                ctx.expect(ctx.to_host(y).tolist() == [0, 2, -3], "casting='unsafe' float64 -> int32 did not truncate like NumPy")
        if "float32" in supported:
            ctx.expect_raises(LossyCastError, f"[{origin}] float64 -> float32 under casting='safe'",
                              lambda f=f: api.asarray(f, dtype="float32", casting="safe", backend=name))
    ctx.finish()


def _bad_arrays() -> dict[str, np.ndarray]:
    return {
        "object": np.array([1.0, "a"], dtype=object),
        "unicode str": np.array(["a", "bc"]),
        "bytes": np.array([b"a", b"bc"]),
        "datetime64": np.array(["2024-01-01"], dtype="datetime64[s]"),
        "structured": np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]),
    }


@check("unsupported_input")
def unsupported_input(ctx: Context) -> None:
    """Object, string, datetime, structured and ragged input raise UnsupportedInputError."""
    b = ctx.backend
    for what, a in _bad_arrays().items():
        exc = ctx.expect_raises(UnsupportedInputError, f"backend.from_numpy({what} array)",
                                lambda a=a: b.from_numpy(a, device=CPU, copy=None))
        if exc is not None:
            ctx.expect(bool(str(exc)), f"from_numpy({what}) raised UnsupportedInputError with an empty message")
        ctx.expect_raises(UnsupportedInputError, f"unibridge.asarray({what} array)",
                          lambda a=a: api.asarray(a, backend=ctx.name))
    ctx.expect_raises(UnsupportedInputError, "unibridge.asarray(ragged list)",
                      lambda: api.asarray([[1, 2], [3]], backend=ctx.name))
    ctx.expect_raises(UnsupportedInputError, "unibridge.asarray(['a', 'b'])",
                      lambda: api.asarray(["a", "b"], backend=ctx.name))
    ctx.finish()


# Casts within a kind or up the ladder (widening and narrowing): the only ones the core asks a
# backend's astype for; crossing casts go through NumPy.
_CAST_PAIRS = (
    ("float64", "float32"), ("float32", "float64"), ("int64", "int32"), ("int32", "int64"),
    ("int32", "float64"), ("int64", "float32"), ("float64", "complex128"), ("float32", "bfloat16"),
)


def _same_values(got: np.ndarray[Any, Any], want: np.ndarray[Any, Any]) -> bool:
    """Bit-equal, except that any NaN matches any NaN (a cast need not keep NaN payloads)."""
    if same_bits(got, want):
        return True
    if got.dtype != want.dtype or want.dtype.kind not in "fcV":
        return False
    wide = np.complex128 if want.dtype.kind == "c" else np.float64
    g, w = got.astype(wide), want.astype(wide)  # float16/bfloat16/float32 -> float64 is exact
    nan_g = np.isnan(g.real) | np.isnan(g.imag) if want.dtype.kind == "c" else np.isnan(g)
    nan_w = np.isnan(w.real) | np.isnan(w.imag) if want.dtype.kind == "c" else np.isnan(w)
    keep = ~nan_w
    return bool(np.array_equal(nan_g, nan_w) and same_bits(g[keep], w[keep]))


@check("native_cast")
def native_cast(ctx: Context) -> None:
    """The optional ``astype(x, dtype)``: a new array of exactly ``dtype``, values as NumPy's ``astype``."""
    b = ctx.backend
    cast = getattr(b, "astype", None)
    if cast is None:
        raise CheckSkipped(f"backend {ctx.name!r} offers no native astype (optional)")
    supported = ctx.supported_dtypes()
    sources = {
        # 1e-40 is subnormal as a float32 and 1e-45 is subnormal in float32 itself: a cast must keep
        # them, as NumPy does (TensorFlow's and XLA's CPU casts flush them to zero).
        "float64": np.array([1.5, -2.5, 0.0, 3e9, np.nan, -np.inf, 1e-40, -5e-324]),
        "float32": np.array([1.5, -2.5, 0.0, 3e9, np.nan, 65504.0, 1e-45, -1e-40], np.float32),
        "int64": np.array([1, -2, 0, 300, 2**40, -(2**63)], np.int64),
        "int32": np.array([1, -2, 0, 300, 2**31 - 1, -(2**31)], np.int32),
        "complex128": np.array([1.5 + 2j, -2.5, 0j, 1j, 3e9 - 1j, np.nan]),
    }
    for src, dst in _CAST_PAIRS:
        if src not in supported or dst not in supported:
            continue
        with ctx.case(f"astype({src} -> {dst})"):
            a = aligned_copy(sources[src])
            x = b.from_numpy(a, device=CPU, copy=True)
            y = cast(x, DType(dst))
            ctx.expect(y is not x, f"astype({src} -> {dst}) returned its input; a cast gives a new array")
            ctx.expect(b.dtype_of(y) == dst, f"astype({src} -> {dst}) gave dtype {b.dtype_of(y)}")
            kept = a.real if a.dtype.kind == "c" and dst != "bool" else a
            with np.errstate(all="ignore"):
                want = kept.astype(numpy_dtype(DType(dst)))
            ctx.expect(_same_values(ctx.to_host(y), want),
                       f"astype({src} -> {dst}) values differ from NumPy's astype: {ctx.to_host(y)!r} vs {want!r}")
    ctx.finish()
