"""Checks of devices, conversion to and from other backends, and the namespace."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import api, registry
from .._memory import aligned_copy
from ..devices import CPU, Device
from ..dtypes import DType, float64
from ..errors import ConfigurationError, CopyRequiredError, DeviceUnavailableError
from ..namespaces import unwrap_namespace
from ._core import Context, CheckSkipped, check, mutate, same_bits, sample_values


@check("devices")
def devices(ctx: Context) -> None:
    """devices() lists real devices, CPU first; spellings parse; a missing GPU raises."""
    b = ctx.backend
    devs = tuple(b.devices())
    ctx.expect(bool(devs) and devs[0] == CPU, f"devices() must list the CPU first, got {devs!r}")
    ctx.expect(all(type(d) is Device for d in devs), "devices() must return unibridge Device objects")
    ctx.expect(len(set(devs)) == len(devs), f"devices() lists a device twice: {devs!r}")
    for dev in devs:
        with ctx.case(f"zeros on {dev}"):
            z = b.zeros((2,), dtype=float64, device=dev)
            ctx.expect(b.device_of(z) == dev and api.device_of(z) == dev,
                       f"zeros(device={dev}) lives on {b.device_of(z)}")
    src = aligned_copy(np.arange(3.0))
    for spelling in ("cpu", "CPU", "cpu:0", CPU):
        with ctx.case(f"device={spelling!r}"):
            y = api.asarray(src, device=spelling, backend=ctx.name)
            ctx.expect(api.device_of(y) == "cpu", f"device={spelling!r} gave {api.device_of(y)}")
    gpus = [d for d in devs if d.kind == "gpu"]
    missing = f"gpu:{len(gpus)}"
    for spelling in (missing, f"cuda:{len(gpus)}"):
        exc = ctx.expect_raises(DeviceUnavailableError, f"asarray(device={spelling!r}) [no such GPU]",
                                lambda s=spelling: api.asarray(src, device=s, backend=ctx.name))
        if exc is not None:
            ctx.expect("cpu" in str(exc), f"DeviceUnavailableError does not list the available devices: {exc}")
        ctx.expect_raises(DeviceUnavailableError, f"zeros(device={spelling!r}) [no such GPU]",
                          lambda s=spelling: api.zeros((2,), device=s, backend=ctx.name))
    ctx.expect_raises(ConfigurationError, "asarray(device='tpu:0') [unknown spelling]",
                      lambda: api.asarray(src, device="tpu:0", backend=ctx.name))
    for gpu in gpus:
        with ctx.case(f"host -> {gpu}"):
            y = api.asarray(src, device=gpu, backend=ctx.name)
            ctx.expect(api.device_of(y) == gpu and same_bits(api.to_numpy(y), src), f"host -> {gpu} failed")
            ctx.expect_raises(CopyRequiredError, f"host -> {gpu} with copy=False",
                              lambda g=gpu: api.asarray(src, device=g, copy=False, backend=ctx.name))
    ctx.finish()


def _interop_dtypes(ctx: Context, other: str) -> list[DType]:
    from ._core import Context as _C

    theirs = _C(other, api.get_backend(other)).supported_dtypes()
    wanted: tuple[str, ...] = ("float64", "float32", "int64", "int32", "uint8", "bool", "complex128", "uint64")
    if ctx.quick:
        wanted = ("float64", "int64", "bool")
    return [dt for dt in ctx.supported_dtypes() if dt in theirs and dt in wanted]


def _native_view(backend: Any, x: Any) -> np.ndarray | None:
    try:
        view = backend.to_numpy(x, copy=False)
    except CopyRequiredError:
        return None
    return view if view.flags.writeable and view.size else None


@check("interop")
def interop(ctx: Context) -> None:
    """Conversion from and to NumPy and every other installed backend: exact, truthful sharing."""
    others = [o for o in ctx.others if o != ctx.name]
    if not others:
        raise CheckSkipped("no other backend to convert with")
    me = ctx.backend
    for other in others:
        theirs = api.get_backend(other)
        for dt in _interop_dtypes(ctx, other):
            values = sample_values(dt)
            label = f"{other} -> {ctx.name} [{dt}]"
            with ctx.case(label):
                src = api.asarray(values, backend=other, copy=True)
                res = api.asarray(src, backend=ctx.name)
                ctx.expect(me.is_array(res), f"{label}: result is not a {ctx.name} array")
                ctx.expect(api.dtype_of(res) == dt, f"{label}: dtype {api.dtype_of(res)}")
                ctx.expect(same_bits(api.to_numpy(res, copy=True), values), f"{label}: values changed")
                claimed = api.shares_memory(src, res)
                view = _native_view(theirs, src)
                if view is not None:
                    before = view.copy()
                    mutate(view)
                    seen = api.to_numpy(res, copy=True)
                    visible = not same_bits(seen, before)
                    ctx.expect(visible == claimed, f"{label}: shares_memory says {claimed} but a mutation of the "
                               f"source is {'visible' if visible else 'not visible'}")
                fresh = api.asarray(src, backend=ctx.name, copy=True)
                ctx.expect(not api.shares_memory(src, fresh), f"{label}: copy=True result shares memory")
            label = f"{ctx.name} -> {other} [{dt}]"
            with ctx.case(label):
                mine = me.from_numpy(values, device=CPU, copy=True)
                out = api.asarray(mine, backend=other)
                ctx.expect(theirs.is_array(out), f"{label}: result is not a {other} array")
                ctx.expect(api.dtype_of(out) == dt, f"{label}: dtype {api.dtype_of(out)}")
                ctx.expect(same_bits(api.to_numpy(out, copy=True), values), f"{label}: values changed")
                fresh = api.asarray(mine, backend=other, copy=True)
                ctx.expect(not api.shares_memory(mine, fresh), f"{label}: copy=True result shares memory")
    ctx.finish()


@check("namespace")
def namespace(ctx: Context) -> None:
    """namespace() works on the backend's arrays: asarray, sum, matmul, exp, reshape keep float64."""
    b = ctx.backend
    xp = b.namespace()
    # unibridge.namespace() may wrap it so creation follows the default float (unibridge.namespaces).
    ctx.expect(unwrap_namespace(api.namespace(ctx.name)) is xp, "unibridge.namespace(name) differs from backend.namespace()")
    a = aligned_copy(np.arange(6.0).reshape(2, 3))
    x = b.from_numpy(a, device=CPU, copy=True)

    def run(label: str, func: Any, want: np.ndarray, exact: bool = True) -> None:
        with ctx.case(f"xp.{label}"):
            out = func()
            # NumPy reductions return NumPy scalars rather than 0-d arrays.
            scalar_ok = "numpy" in b.array_modules and isinstance(out, np.generic)
            ctx.expect(b.is_array(out) or scalar_ok, f"xp.{label} returned {type(out).__name__}, not a {ctx.name} array")
            got = np.asarray(out) if scalar_ok else np.asarray(b.to_numpy(out, copy=True))
            ctx.expect(api.dtype_of(out) == "float64", f"xp.{label} on float64 gave {api.dtype_of(out)}")
            ok = same_bits(got, want) if exact else (got.shape == want.shape and np.allclose(got, want, rtol=1e-12))
            ctx.expect(ok, f"xp.{label} gave {got!r}, expected {want!r}")

    run("asarray", lambda: xp.asarray(x), a)
    run("sum", lambda: xp.sum(x), np.asarray(a.sum()))
    run("reshape", lambda: xp.reshape(x, (3, 2)), a.reshape(3, 2))
    run("matmul", lambda: xp.matmul(x, xp.reshape(x, (3, 2))), a @ a.reshape(3, 2))
    run("exp", lambda: xp.exp(x), np.exp(a), exact=False)
    with ctx.case("xp.asarray(list)"):
        y = xp.asarray([1.0, 2.0], dtype=xp.float64)
        ctx.expect(b.is_array(y) and b.dtype_of(y) == "float64", "xp.asarray([1.0, 2.0], dtype=xp.float64) is not float64")
    ctx.finish()
