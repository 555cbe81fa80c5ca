"""unibridge-jax: 64-bit dtypes never truncated, zero-copy only where it is real."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="JAX is not installed")
pytest.importorskip("unibridge_jax", reason="unibridge-jax is not installed (pip install -e backends/jax)")

import unibridge as ub  # noqa: E402
from unibridge._memory import aligned_copy  # noqa: E402
from unibridge.testing._core import misaligned_copy  # noqa: E402


def test_int64_beyond_32_bits_and_uint64_keep_their_values() -> None:
    x = ub.asarray(np.array([1, 2**40]), backend="jax")
    assert ub.dtype_of(x) == "int64" and ub.to_numpy(x).tolist() == [1, 2**40]
    u = ub.asarray(np.array([2**63 + 1], dtype=np.uint64), backend="jax")
    assert ub.dtype_of(u) == "uint64" and int(ub.to_numpy(u)[0]) == 2**63 + 1
    assert jax.config.jax_enable_x64, "enable mode turns x64 on at first use"


def test_x64_switched_off_later_raises_instead_of_truncating() -> None:
    ub.get_backend("jax").devices()  # loaded
    with jax.enable_x64(False):
        with pytest.raises(ub.LossyCastError, match="x64"):
            ub.asarray(np.array([1, 2**40]), backend="jax")
        with pytest.raises(ub.LossyCastError):
            ub.zeros((2,), dtype="float64", backend="jax")
        assert ub.dtype_of(ub.asarray(np.float32([1.5]), backend="jax")) == "float32"


def test_aligned_source_is_shared_and_misaligned_is_copied_synchronously() -> None:
    a = aligned_copy(np.arange(1 << 16, dtype=np.float32))
    x = ub.asarray(a, backend="jax", copy=False)
    a[0] = 42
    assert ub.shares_memory(a, x) and float(x[0]) == 42
    m = misaligned_copy(np.arange(1 << 20, dtype=np.float32))
    y = ub.asarray(m, backend="jax")
    m[...] = -1  # at once: an in-flight asynchronous copy would see this
    assert not ub.shares_memory(m, y) and ub.to_numpy(y)[-1] == (1 << 20) - 1
    with pytest.raises(ub.CopyRequiredError, match="aligned"):
        ub.asarray(m, backend="jax", copy=False)


def test_to_numpy_is_a_read_only_view_and_copy_true_is_writable() -> None:
    x = ub.asarray(aligned_copy(np.arange(4.0)), backend="jax", copy=True)
    view = ub.to_numpy(x, copy=False)
    assert not view.flags.writeable and ub.shares_memory(view, x)
    assert ub.to_numpy(x, copy=True).flags.writeable


_STRICT = """
import sys, numpy as np, unibridge as ub
import unibridge_jax
assert "jax" not in sys.modules, "importing unibridge_jax imported jax"
try:
    ub.asarray(np.arange(3.0), backend="jax")
except ub.LossyCastError as e:
    print("LOSSY", "x64" in str(e))
import jax
print("X64", jax.config.jax_enable_x64)
print("F32", ub.dtype_of(ub.asarray(np.float32([1.0]), backend="jax")))
"""


def test_strict_mode_never_touches_jax_config_and_raises() -> None:
    env = dict(os.environ, UNIBRIDGE_JAX_X64="strict", JAX_ENABLE_X64="0", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", _STRICT], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["LOSSY", "True", "X64", "False", "F32", "float32"], proc.stdout


def test_bad_x64_mode_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from unibridge_jax.backend import _x64_mode

    monkeypatch.setenv("UNIBRIDGE_JAX_X64", "sometimes")
    with pytest.raises(ub.ConfigurationError, match="UNIBRIDGE_JAX_X64='sometimes'.*enable, strict"):
        _x64_mode()


def test_missing_gpu_raises_device_unavailable() -> None:
    n = sum(d.kind == "gpu" for d in ub.get_backend("jax").devices())
    with pytest.raises(ub.DeviceUnavailableError, match="available: cpu"):
        ub.zeros((2,), device=f"gpu:{n}", backend="jax")


# -- values that are jax arrays but hold no data: unibridge's errors, never JAX's ------------------


def _reads() -> list[tuple[str, object]]:
    return [
        ("asarray", lambda x: ub.asarray(x)),
        ("asarray-jax", lambda x: ub.asarray(x, backend="jax")),
        ("asarray-jax-copy", lambda x: ub.asarray(x, backend="jax", copy=True)),
        ("to_numpy", ub.to_numpy),
        ("shares_memory-numpy", lambda x: ub.shares_memory(x, np.ones(2))),
        ("shares_memory-jax", lambda x: ub.shares_memory(x, ub.asarray(np.ones(2), backend="jax"))),
        ("device_of", ub.device_of),
        ("to_device", lambda x: ub.to_device(x, "cpu")),
    ]


@pytest.mark.parametrize("call", [c for _, c in _reads()], ids=[n for n, _ in _reads()])
def test_jax_deleted_array_raises_unsupported_input(call) -> None:  # type: ignore[no-untyped-def]
    x = ub.asarray(np.arange(3.0), backend="jax", copy=True)
    x.delete()
    with pytest.raises(ub.UnsupportedInputError, match="has been deleted"):
        call(x)
    # What is still known is still answered.
    assert ub.dtype_of(x) == "float64" and ub.zeros_like(x).shape == (3,)


def test_jax_array_donated_to_jit_raises_unsupported_input() -> None:
    x = ub.asarray(np.arange(3.0), backend="jax", copy=True)
    jax.jit(lambda a: a + 1, donate_argnums=0)(x)
    if not x.is_deleted():
        pytest.skip("this JAX build does not donate buffers on the CPU")
    with pytest.raises(ub.UnsupportedInputError, match="donate_argnums"):
        ub.to_numpy(x)


@pytest.mark.parametrize("transform", ["jit", "grad", "vmap"])
def test_jax_tracer_raises_unsupported_input_naming_the_transformation(transform: str) -> None:
    seen: list[str] = []
    # asarray(t, backend="jax") and to_device of a tracer stay in the trace (the test below); reading values does not.
    reads = [(name, call) for name, call in _reads() if name not in TRACED]

    def body(t):  # type: ignore[no-untyped-def]
        for _, call in reads:
            with pytest.raises(ub.UnsupportedInputError, match=r"JAX tracer.*jax\.jit, grad or vmap") as info:
                call(t)  # type: ignore[operator]
            assert "ragged" not in str(info.value)
            seen.append(type(info.value).__name__)
        assert ub.dtype_of(t) == "float64" and ub.zeros_like(t).dtype == np.float64
        return (t * t).sum()

    data = jax.numpy.arange(3.0)
    {"jit": jax.jit(body), "grad": jax.grad(body), "vmap": jax.vmap(body)}[transform](data)
    assert len(seen) >= len(reads)


TRACED = ("asarray-jax", "asarray-jax-copy", "to_device")


@pytest.mark.parametrize("transform", ["jit", "grad", "vmap"])
def test_jax_asarray_of_a_tracer_into_jax_stays_in_the_trace(transform: str) -> None:
    def body(t):  # type: ignore[no-untyped-def]
        u = ub.asarray(t, backend="jax", copy=True)
        v = ub.to_device(ub.asarray(t, backend="jax"), "cpu")  # jax.device_put, traced
        assert isinstance(u, jax.core.Tracer) and isinstance(v, jax.core.Tracer)
        return (u * v).sum()

    data = jax.numpy.arange(3.0)
    out = {"jit": jax.jit(body), "grad": jax.grad(body), "vmap": jax.vmap(body)}[transform](data)
    expected = {"jit": 5.0, "grad": [0.0, 2.0, 4.0], "vmap": [0.0, 1.0, 4.0]}[transform]
    assert np.asarray(out).tolist() == expected


_OVERFLOW = """
import unibridge as ub
for shape, dtype in (((2**60,), "float64"), ((2**31, 2**31), "float32")):
    try:
        ub.zeros(shape, dtype=dtype, backend="jax")
    except ub.ConfigurationError as e:
        print("CONFIG", "more than any process can address" in str(e))
"""


def test_jax_zeros_whose_byte_size_overflows_raises_configuration_error_instead_of_aborting() -> None:
    # In a child: past 2**63 bytes XLA aborts the process ("overflow in static extent product").
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", _OVERFLOW], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, f"child died ({proc.returncode}): {proc.stderr[-2000:]}"
    assert proc.stdout.split() == ["CONFIG", "True", "CONFIG", "True"], proc.stdout


@pytest.mark.parametrize("dtype", ["float8_e4m3fn", "int4"])
def test_jax_arrays_of_unsupported_dtypes_raise_instead_of_passing_through(dtype: str) -> None:
    x = jax.numpy.ones(2, getattr(jax.numpy, dtype))
    # to_numpy gave a float8/int4 ndarray, and backend="jax" returned x unchanged.
    for call in (ub.to_numpy, lambda a: ub.asarray(a, backend="jax"), lambda a: ub.shares_memory(a, a)):
        with pytest.raises(ub.UnsupportedInputError, match=dtype):
            call(x)


def test_jax_asarray_of_numpy_inside_jit_gives_a_traced_constant() -> None:
    aligned = aligned_copy(np.arange(8.0))
    misaligned = misaligned_copy(np.arange(8.0))
    got: list[str] = []

    @jax.jit
    def body(t):  # type: ignore[no-untyped-def]
        total = t
        for a, why in ((aligned, "traced constant"), (misaligned, "aligned")):
            # The aligned input made device_put's tracer reach unsafe_buffer_pointer()
            # (jax's ConcretizationTypeError); the result is a constant of the trace.
            c = ub.asarray(a, backend="jax")
            assert isinstance(c, jax.core.Tracer) and ub.dtype_of(c) == "float64"
            with pytest.raises(ub.CopyRequiredError, match=why):
                ub.asarray(a, backend="jax", copy=False)
            total = total + c
            got.append("ok")
        return total

    out = body(jax.numpy.zeros(8))
    assert ub.to_numpy(out).tolist() == (2 * np.arange(8.0)).tolist() and got == ["ok", "ok"]
