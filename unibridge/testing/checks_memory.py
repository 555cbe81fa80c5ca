"""Checks of the copy policy and of truthful ``shares_memory``.

Sharing is never taken on trust, nor judged by ``shares_memory`` (the function
under test): after every conversion the kit mutates the source *immediately*
(before anything could wait for an asynchronous copy to finish; read-only
sources through a writable alias of the same bytes) and compares what the
result shows with what ``shares_memory`` claims. A result that says "not
shared" but shows the mutation is an unfinished asynchronous copy or an
undeclared alias; one that says "shared" but does not show it is lying about
its memory. ``copy=True`` results and ``zeros_like`` results must not show a
mutation of their source; ``copy=False`` must share an aligned, C-contiguous,
writable array whenever the backend's arrays have memory of their own.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import api
from .._memory import aligned_copy
from ..devices import CPU
from ..dtypes import DType, from_numpy_dtype
from ..errors import CopyRequiredError
from ._core import Context, check, misaligned_copy, mutate, same_bits


def _layouts(n: int) -> dict[str, Callable[[], np.ndarray]]:
    """Source arrays of every layout a backend must handle (float64, ``n`` elements or so)."""

    def base(k: int = n) -> np.ndarray:
        return aligned_copy(np.linspace(-1.0, 1.0, k))

    def readonly() -> np.ndarray:
        a = base()
        a.flags.writeable = False
        return a

    rows = max(2, n // 64)
    return {
        "C-contiguous, 64-byte aligned": base,
        "C-contiguous, misaligned (16 mod 64)": lambda: misaligned_copy(base()),
        "Fortran order": lambda: np.asfortranarray(base(rows * 64).reshape(rows, 64)),
        "strided [::2]": lambda: base(2 * n)[::2],
        "negative stride [::-1]": lambda: base()[::-1],
        "read-only": readonly,
        "big-endian": lambda: base().astype(">f8"),
        "0-d": lambda: aligned_copy(np.array(2.5)),
        "empty (0, 3)": lambda: np.zeros((0, 3)),
    }


def writable_alias(a: np.ndarray) -> np.ndarray:
    """``a`` itself when writable, else a writable array over the very same bytes (a read-only flag
    or a read-only view of heap memory does not make the memory itself read-only)."""
    if a.flags.writeable or a.size == 0:
        return a
    ptr = a.__array_interface__["data"][0]
    low = sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s < 0)
    high = sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s > 0) + a.itemsize
    raw = (ctypes.c_uint8 * (high - low)).from_address(ptr + low)
    alias: np.ndarray = np.ndarray(a.shape, a.dtype, buffer=raw, offset=-low, strides=a.strides)
    return alias


def _memory_to_mutate(ctx: Context, x: Any) -> np.ndarray | None:
    """A writable NumPy array over ``x``'s own memory (``x``: a NumPy array or one of the backend's
    arrays, through its ``to_numpy(copy=False)`` view), or None when it has none to offer."""
    view: np.ndarray
    if isinstance(x, np.ndarray):
        view = x
    elif ctx.backend.is_array(x):
        try:
            view = ctx.backend.to_numpy(x, copy=False)
        except CopyRequiredError:
            return None
    else:
        return None  # Python data owns no memory
    return writable_alias(view) if view.size else None


def _mutation_shows(ctx: Context, source: Any, result: Any) -> bool | None:
    """Mutate ``source``'s memory, and say whether ``result`` shows it (the memory is restored);
    None when ``source`` has no memory the kit can reach."""
    memory = _memory_to_mutate(ctx, source)
    if memory is None:
        return None
    saved = memory.copy()
    before = ctx.to_host(result) if ctx.backend.is_array(result) else np.array(result, copy=True)
    mutate(memory)
    try:
        after = ctx.to_host(result) if ctx.backend.is_array(result) else np.array(result, copy=True)
    finally:
        memory[...] = saved
    return not same_bits(before, after)


def _claims_and_shows(ctx: Context, label: str, src: np.ndarray, make: Callable[[], Any],
                      copy: bool | None, must_share: bool = False) -> None:
    """Convert with ``make()``, mutate ``src`` at once, and compare claim with reality.

    ``must_share``: ``copy=False`` has an obvious zero-copy path here and must not raise.
    """
    before = src.copy()
    try:
        res = make()
    except CopyRequiredError as exc:
        ctx.expect(copy is False, f"{label}: copy={copy} raised CopyRequiredError ({exc}); only copy=False may")
        ctx.expect(bool(str(exc)), f"{label}: CopyRequiredError without a reason")
        ctx.expect(not must_share, f"{label}: copy=False raised CopyRequiredError ({exc}) for an aligned, "
                   f"C-contiguous, writable array, which a backend whose arrays have memory can share")
        return
    memory = writable_alias(src)  # the same bytes, writable even when src is flagged read-only
    mutated = src.size > 0
    if mutated:
        mutate(memory)  # immediately: an in-flight asynchronous copy would pick this up
    claimed = api.shares_memory(src, res)
    seen = ctx.to_host(res)
    ctx.expect(api.dtype_of(res) == from_numpy_dtype(src.dtype),
               f"{label}: dtype {api.dtype_of(res)} != source dtype {src.dtype}")
    ctx.expect(ctx.backend.shape_of(res) == src.shape, f"{label}: shape {ctx.backend.shape_of(res)} != {src.shape}")
    if mutated:
        visible = not same_bits(seen, before)
        if visible:
            ctx.expect(same_bits(seen, src), f"{label}: the result shows a partial mutation of the source")
        ctx.expect(visible == claimed,
                   f"{label}: shares_memory says {claimed} but a mutation of the source is "
                   f"{'visible' if visible else 'not visible'} in the result"
                   + (" (an unfinished asynchronous copy?)" if visible and not claimed else ""))
        if copy is True:
            ctx.expect(not visible, f"{label}: copy=True, but a mutation of the source shows in the result")
        if copy is False:
            ctx.expect(visible, f"{label}: copy=False returned without raising, but a mutation of the "
                                f"source does not show in the result")
        memory[...] = before  # undo, so that the read-only checks below see the original values
    else:
        ctx.expect(same_bits(seen, before), f"{label}: values changed in conversion")
    if claimed and not src.flags.writeable:
        with ctx.case(f"{label} read-only view"):
            view = ctx.backend.to_numpy(res, copy=False)
            ctx.expect(not view.flags.writeable,
                       f"{label}: read-only source memory became writable through the result")


@check("copy_semantics")
def copy_semantics(ctx: Context) -> None:
    """copy=None/True/False on every layout, verified against a real mutation of the source."""
    b = ctx.backend
    # Big enough that an asynchronous copy is still running when the source is mutated.
    n = 1 << 14 if ctx.quick else 1 << 21
    # A backend whose arrays have memory of their own (not a lazy one) can share an aligned,
    # C-contiguous, writable NumPy array: there copy=False must share, not raise. A framework that
    # allocates all its memory itself (MLX copies every buffer it is given) says so with
    # `adopts_host_memory = False`; the checks below still verify that it then never shares.
    has_memory = b.memory_span(b.from_numpy(aligned_copy(np.ones(4)), device=CPU, copy=True)) is not None
    has_memory = has_memory and getattr(b, "adopts_host_memory", True) is not False
    for layout, make_src in _layouts(n).items():
        must_share = has_memory and layout == "C-contiguous, 64-byte aligned"
        for copy in (None, True, False):
            src = make_src()
            with ctx.case(f"from_numpy[{layout}, copy={copy}]"):
                _claims_and_shows(ctx, f"from_numpy[{layout}, copy={copy}]", src,
                                  lambda src=src, copy=copy: b.from_numpy(src, device=CPU, copy=copy), copy,
                                  must_share)
        if layout.startswith("C-contiguous"):
            for copy in (None, True, False):
                src = make_src()
                with ctx.case(f"unibridge.asarray[{layout}, copy={copy}]"):
                    _claims_and_shows(ctx, f"unibridge.asarray[{layout}, copy={copy}]", src,
                                      lambda src=src, copy=copy: api.asarray(src, copy=copy, backend=ctx.name), copy,
                                      must_share)
    ctx.finish()


@check("to_numpy_and_from_native")
def to_numpy_and_from_native(ctx: Context) -> None:
    """to_numpy(copy=True) is independent, copy=False is a true view; from_native follows the policy."""
    b = ctx.backend
    values = aligned_copy(np.arange(12.0).reshape(3, 4))
    x = b.from_numpy(values, device=CPU, copy=True)
    with ctx.case("to_numpy(copy=True)"):
        out = b.to_numpy(x, copy=True)
        ctx.expect(isinstance(out, np.ndarray), f"to_numpy returned {type(out).__name__}, not numpy.ndarray")
        ctx.expect(same_bits(out, values), "to_numpy(copy=True) values differ")
        ctx.expect(not api.shares_memory(x, out), "to_numpy(copy=True) shares memory with the array")
        ctx.expect(out.flags.writeable, "to_numpy(copy=True) returned a read-only array")
        out[...] = -1
        ctx.expect(same_bits(ctx.to_host(x), values), "writing to to_numpy(copy=True)'s result changed the array")
    with ctx.case("to_numpy(copy=None)"):
        ctx.expect(same_bits(b.to_numpy(x, copy=None), values), "to_numpy(copy=None) values differ")
    with ctx.case("to_numpy(copy=False)"):
        try:
            view = b.to_numpy(x, copy=False)
        except CopyRequiredError as exc:
            ctx.expect(bool(str(exc)), "to_numpy(copy=False) raised CopyRequiredError without a reason")
        else:
            ctx.expect(same_bits(view, values), "to_numpy(copy=False) values differ")
            ctx.expect(api.shares_memory(x, view), "to_numpy(copy=False) returned memory shares_memory disowns")
            if view.flags.writeable:
                view[0, 0] = 99.0
                ctx.expect(ctx.to_host(x)[0, 0] == 99.0,
                           "to_numpy(copy=False) returned a writable array that is not a view of the array")
                view[0, 0] = values[0, 0]
    for copy in (None, True, False):
        with ctx.case(f"from_native(copy={copy})"):
            try:
                y = b.from_native(x, device=CPU, copy=copy)
            except CopyRequiredError as exc:
                ctx.expect(copy is False, f"from_native on the same device, copy={copy}, raised {exc}")
                continue
            ctx.expect(b.is_array(y) and b.dtype_of(y) == "float64", "from_native changed the type or dtype")
            ctx.expect(same_bits(ctx.to_host(y), ctx.to_host(x)), f"from_native(copy={copy}) values differ")
            if copy is True:
                ctx.expect(not _mutation_shows(ctx, x, y),
                           "from_native(copy=True): a mutation of its input shows in the result")
    with ctx.case("to_device(copy=True)"):
        y = api.to_device(x, "cpu", copy=True)
        ctx.expect(not _mutation_shows(ctx, x, y),
                   "unibridge.to_device(x, 'cpu', copy=True): a mutation of x shows in the result")
    ctx.finish()


def _zero_like_targets(ctx: Context) -> dict[str, Any]:
    b = ctx.backend
    targets: dict[str, Any] = {
        "own array": b.from_numpy(aligned_copy(np.arange(6, dtype=np.int32).reshape(2, 3)), device=CPU, copy=None),
        "numpy array": aligned_copy(np.arange(6, dtype=np.int32).reshape(2, 3)),
        "Python list": [[1, 2, 3], [4, 5, 6]],
    }
    return targets


@check("zeros_like_never_aliases")
def zeros_like_never_aliases(ctx: Context) -> None:
    """zeros/zeros_like return fresh zero memory with the template's shape and dtype."""
    for label, template in _zero_like_targets(ctx).items():
        with ctx.case(f"zeros_like({label})"):
            z = api.zeros_like(template, backend=ctx.name)
            want_dtype: DType = api.dtype_of(template)
            ctx.expect(api.dtype_of(z) == want_dtype, f"zeros_like({label}) dtype {api.dtype_of(z)} != {want_dtype}")
            ctx.expect(ctx.backend.shape_of(z) == (2, 3), f"zeros_like({label}) shape {ctx.backend.shape_of(z)}")
            ctx.expect(not ctx.to_host(z).any(), f"zeros_like({label}) is not all zeros")
            ctx.expect(not _mutation_shows(ctx, template, z),
                       f"zeros_like({label}) aliases its template: a mutation of the template shows in it")
            z2 = api.zeros_like(template, backend=ctx.name)
            ctx.expect(not _mutation_shows(ctx, z, z2),
                       f"two zeros_like({label}) results share memory: a mutation of one shows in the other")
    with ctx.case("zeros_like(dtype=float32)"):
        z = api.zeros_like(np.ones(3), dtype="float32", backend=ctx.name)
        ctx.expect(api.dtype_of(z) == "float32", "zeros_like(dtype='float32') ignored dtype")
    with ctx.case("zeros default float"):
        z = api.zeros((2,), backend=ctx.name)
        from ..config import current

        ctx.expect(api.dtype_of(z) == current().default_float,
                   f"zeros without dtype gave {api.dtype_of(z)}, not the default float {current().default_float}")
    ctx.finish()
