"""The namespace in use: inside tf.function, backend-neutral model code, devices, info, imports."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import unibridge
from array_api_helpers import load_namespace, to_np

tf = pytest.importorskip("tensorflow")


# --- tf.function -------------------------------------------------------------------------

def test_functions_trace_inside_tf_function(tfxp):
    xp = tfxp

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float64), tf.TensorSpec([None], tf.int32)])
    def f(x, labels):
        y = xp.add(xp.multiply(x, 2), xp.asarray(1.0, dtype=xp.float32))  # promoted to float64
        s = xp.sort(y, axis=-1, descending=True)
        m = xp.mean(s, axis=(0, 1), keepdims=True)
        c = xp.clip(y, min=0.0, max=5.0)
        g = xp.take(y, labels, axis=0)
        n = xp.linalg.vector_norm(y, axis=-1)
        cs = xp.cumulative_sum(y, axis=1, include_initial=True)
        return s, m, c, g, n, cs, xp.where(y > 3.0, y, 0.0)

    a = np.arange(6.0).reshape(2, 3)
    s, m, c, g, n, cs, w = f(tf.constant(a), tf.constant([1, 0], tf.int32))
    np.testing.assert_array_equal(s.numpy(), np.sort(2 * a + 1, axis=-1)[:, ::-1])
    assert m.shape == (1, 1) and float(m.numpy()[0, 0]) == (2 * a + 1).mean()
    np.testing.assert_array_equal(c.numpy(), np.clip(2 * a + 1, 0, 5))
    np.testing.assert_array_equal(g.numpy(), (2 * a + 1)[[1, 0]])
    np.testing.assert_allclose(n.numpy(), np.linalg.norm(2 * a + 1, axis=-1))
    assert cs.shape == (2, 4)
    np.testing.assert_array_equal(w.numpy(), np.where(2 * a + 1 > 3, 2 * a + 1, 0))


def test_data_dependent_shapes_work_in_tf_function(tfxp):
    xp = tfxp

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int64)])
    def f(x):
        return xp.unique_values(x), xp.nonzero(x)[0]

    values, nz = f(tf.constant([3, 0, 3, 1], tf.int64))
    assert values.numpy().tolist() == [0, 1, 3] and nz.numpy().tolist() == [0, 2, 3]



def test_like_functions_inside_tf_function_take_the_shape_and_dtype_of_their_input(tfxp):
    xp = tfxp

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.int16)])
    def f(x):
        return xp.zeros_like(x), xp.ones_like(x), xp.empty_like(x, dtype=xp.float32)

    zeros, ones, empty = f(tf.constant([[1, 2], [3, 4], [5, 6]], tf.int16))
    assert zeros.dtype == tf.int16 and zeros.numpy().tolist() == [[0, 0]] * 3
    assert ones.dtype == tf.int16 and ones.numpy().tolist() == [[1, 1]] * 3
    assert empty.dtype == tf.float32 and empty.shape == (3, 2)


def test_statistics_inside_tf_function_match_numpy_with_static_and_dynamic_shapes(tfxp):
    xp = tfxp
    a = np.array([[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]])
    for spec in (tf.TensorSpec([2, 3], tf.float64), tf.TensorSpec([None, 3], tf.float64), tf.TensorSpec([None, None], tf.float64)):
        @tf.function(input_signature=[spec])
        def f(x):
            return (xp.var(x, axis=1), xp.var(x, axis=0, correction=1, keepdims=True), xp.std(x, keepdims=True),
                    xp.var(x, axis=1, correction=3))

        v1, v0, s, nan = f(tf.constant(a))
        np.testing.assert_allclose(v1.numpy(), np.var(a, axis=1), rtol=1e-15)
        np.testing.assert_allclose(v0.numpy(), np.var(a, axis=0, ddof=1, keepdims=True), rtol=1e-15)
        np.testing.assert_allclose(s.numpy(), np.std(a, keepdims=True), rtol=1e-15)
        assert v0.shape == (1, 3) and s.shape == (1, 1) and np.isnan(nan.numpy()).all()


@pytest.mark.parametrize("name", ["matmul", "var"])
def test_arrays_of_unknown_rank_inside_tf_function_are_refused_with_a_clear_message(tfxp, name):
    xp = tfxp
    b = tf.constant([[1.0, 2.0], [3.0, 4.0]], tf.float64)
    call = {"matmul": lambda a: xp.matmul(a, b), "var": lambda a: xp.var(a, axis=0)}[name]
    f = tf.function(call, input_signature=[tf.TensorSpec(None, tf.float64)])
    with pytest.raises(ValueError, match=r"^the namespace needs arrays of known rank"):
        f(b)

# --- backend-neutral model code --------------------------------------------------------------

def mlp_forward(xp, x, w1, b1, w2, b2):
    hidden = xp.maximum(xp.matmul(x, w1) + b1, 0.0)
    return xp.matmul(hidden, w2) + b2


def softmax_cross_entropy(xp, logits, labels):
    shifted = logits - xp.max(logits, axis=-1, keepdims=True)
    log_probs = shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))
    picked = xp.take_along_axis(log_probs, xp.reshape(labels, (-1, 1)), axis=-1)
    return -xp.mean(picked)


def linear_solve(xp, a, b):
    return xp.linalg.solve(a, b)


NEUTRAL = ["numpy", "torch", "tensorflow"]


def _namespace(name):
    if name == "torch":
        pytest.importorskip("torch")
        import array_api_compat.torch as xp_torch

        return xp_torch
    return load_namespace(name)


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 1e-5)])
def test_backend_neutral_code_agrees_across_libraries(dtype, rtol):
    rng = np.random.default_rng(1)
    data = {
        "x": rng.standard_normal((8, 5)), "w1": rng.standard_normal((5, 16)), "b1": rng.standard_normal(16),
        "w2": rng.standard_normal((16, 4)), "b2": rng.standard_normal(4),
        "a": rng.standard_normal((5, 5)) + 5 * np.eye(5), "rhs": rng.standard_normal((5, 2)),
    }
    labels = rng.integers(0, 4, 8)
    results = {}
    for name in NEUTRAL:
        xp = _namespace(name)
        arr = {k: xp.asarray(v.astype(dtype)) for k, v in data.items()}
        logits = mlp_forward(xp, arr["x"], arr["w1"], arr["b1"], arr["w2"], arr["b2"])
        assert logits.dtype == getattr(xp, dtype)
        loss = softmax_cross_entropy(xp, logits, xp.asarray(labels))
        solved = linear_solve(xp, arr["a"], arr["rhs"])
        results[name] = [np.asarray(to_np(v)) for v in (logits, loss, solved)]
    for name in ("torch", "tensorflow"):
        for got, ref in zip(results[name], results["numpy"]):
            np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol)


# --- devices and inspection ----------------------------------------------------------------

def test_device_helpers_and_missing_gpu(tfxp):
    xp = tfxp
    x = xp.asarray([1.0], device="cpu")
    assert xp.device(x) == "cpu"
    assert xp.device(xp.to_device(x, "cpu")) == "cpu"
    assert xp.device(xp.zeros(2, device=xp.device(x))) == "cpu"
    assert xp.device(xp.zeros(2, device=x.device)) == "cpu"  # TF's own device string works too
    missing = f"gpu:{len(tf.config.list_logical_devices('GPU'))}"
    for make in (lambda: xp.ones(2, device=missing), lambda: xp.arange(3, device=missing),
                 lambda: xp.asarray([1], device=missing), lambda: xp.to_device(x, missing),
                 lambda: xp.zeros_like(x, device=missing), lambda: xp.ones_like(x, device=missing)):
        with pytest.raises(unibridge.DeviceUnavailableError):
            make()


def test_array_namespace_info(tfxp):
    info = tfxp.__array_namespace_info__()
    caps = info.capabilities()
    assert caps == {"boolean indexing": False, "data-dependent shapes": True, "max dimensions": 8}
    assert info.default_device() in info.devices()
    assert info.default_dtypes() == {"real floating": tf.float64, "complex floating": tf.complex128,
                                     "integral": tf.int64, "indexing": tf.int64}
    assert set(info.dtypes(kind="integral")) == {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
    assert set(info.dtypes(kind=("bool", "complex floating"))) == {"bool", "complex64", "complex128"}
    assert len(info.dtypes()) == 13
    assert tfxp.__array_api_version__ == "2025.12"


def test_results_are_plain_tensors(tfxp):
    out = tfxp.add(tfxp.asarray([1.0]), 1.0)
    assert type(out) is type(tf.constant(1.0))


def test_importing_unibridge_does_not_import_tensorflow():
    code = "import sys, unibridge; assert 'tensorflow' not in sys.modules, 'tensorflow was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_from_dlpack_copies_unaligned_buffers_instead_of_crashing():
    # TF aborts the process on the first op over an unaligned imported buffer (docs/framework-facts.md,
    # "TensorFlow DLPack import: alignment"),
    # so this runs in a child process: a crash fails the test instead of killing pytest.
    code = textwrap.dedent("""
        import numpy as np
        from unibridge.adapters.tensorflow import array_api as xp
        base = np.zeros(1 << 16, dtype=np.float32)
        offset = (-base.ctypes.data // 4 + 4) % 16  # 16 bytes past a 64-byte boundary
        unaligned = base[offset:offset + 1000]
        unaligned[:] = 1.0
        assert unaligned.ctypes.data % 64 != 0
        t = xp.from_dlpack(unaligned)
        assert float(xp.sum(xp.exp(t))) > 0
        aligned = base[(-base.ctypes.data // 4) % 16:][:1000]
        assert aligned.ctypes.data % 64 == 0
        shared = xp.from_dlpack(aligned)
        aligned[0] = 5.0
        assert float(shared[0]) == 5.0  # shares memory when it safely can
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-2000:]


def _works(fn):
    try:
        fn()
    except Exception:  # noqa: BLE001 - any failure means "not supported"
        return False
    return True


def test_capabilities_tell_the_truth_about_tf_tensors(tfxp):
    caps = tfxp.__array_namespace_info__().capabilities()
    x = tfxp.asarray([[1.0, 2.0], [3.0, 4.0]])
    full_boolean_indexing = all(_works(f) for f in (lambda: x[x > 2.0], lambda: x[tfxp.asarray(True)]))
    assert caps["boolean indexing"] is full_boolean_indexing
    n = caps["max dimensions"]
    at_most = tfxp.ones((2,) + (1,) * (n - 1))
    beyond = tfxp.ones((2,) + (1,) * n)
    for op in (lambda a: tfxp.where(a > 0, a, 0.0), lambda a: tfxp.flip(a), lambda a: a[..., :1]):
        assert _works(lambda: op(at_most))
    assert not all(_works(lambda: op(beyond)) for op in (lambda a: tfxp.where(a > 0, a, 0.0), lambda a: a[..., :1]))


def _offset_view(n, byte_offset):
    """A fresh float64 buffer of n elements starting byte_offset bytes past a 64-byte boundary."""
    base = np.zeros(n + 16, dtype=np.float64)
    start = (-base.ctypes.data % 64 + byte_offset) // 8
    return base[start:start + n]


@pytest.mark.parametrize("layout,shared", [("aligned", True), ("unaligned", False), ("read-only", False)])
def test_from_dlpack_leaves_the_sharing_decision_to_the_backend(tfxp, layout, shared):
    src = _offset_view(8, 16 if layout == "unaligned" else 0)
    if layout == "read-only":
        src.flags.writeable = False
    out = tfxp.from_dlpack(src)
    assert unibridge.shares_memory(src, out) is shared
    assert out.dtype == tf.float64 and out.shape == (8,)
    if shared:
        assert unibridge.shares_memory(src, tfxp.from_dlpack(src, copy=None))
        assert not unibridge.shares_memory(src, tfxp.from_dlpack(src, copy=True))
    else:
        with pytest.raises(unibridge.CopyRequiredError):  # a ValueError, as the spec asks
            tfxp.from_dlpack(src, copy=False)


def test_to_device_refuses_a_stream(tfxp):
    with pytest.raises(ValueError, match=r"^TensorFlow has no streams; pass stream=None$"):
        tfxp.to_device(tfxp.asarray([1.0]), "cpu", stream=1)


class _ProducerOn:
    """A DLPack producer that reports a device type and never hands over its memory."""

    def __init__(self, device_type):
        self.device_type = device_type

    def __dlpack_device__(self):
        return (self.device_type, 0)

    def __dlpack__(self, **kwargs):
        raise AssertionError("a producer on an unsupported device must not be asked for its memory")


@pytest.mark.parametrize("device_type", [4, 7, 8, 14])  # OpenCL, Vulkan, Metal, oneAPI
def test_from_dlpack_refuses_memory_of_a_device_tensorflow_cannot_import(tfxp, device_type):
    message = f"from_dlpack: TensorFlow cannot import memory of DLPack device type {device_type}"
    with pytest.raises(ValueError, match=f"^{message}$"):
        tfxp.from_dlpack(_ProducerOn(device_type))


def test_from_dlpack_of_a_tensor_with_copy_true_gives_a_new_tensor(tfxp):
    t = tfxp.asarray([1.0, 2.0, 3.0])
    assert tfxp.from_dlpack(t) is t and tfxp.from_dlpack(t, copy=False) is t
    out = tfxp.from_dlpack(t, copy=True)
    assert out is not t and to_np(out).tolist() == [1.0, 2.0, 3.0]


def test_asarray_of_a_tensor_with_copy_true_does_not_share_its_memory(tfxp):
    t = tfxp.asarray([1.0, 2.0, 3.0])
    assert not unibridge.shares_memory(t, tfxp.asarray(t, copy=True))


@pytest.mark.parametrize("copy_of", [
    lambda xp, t: xp.asarray(t, copy=True),
    lambda xp, t: xp.astype(t, xp.float64),  # copy=True is astype's default
    lambda xp, t: xp.astype(t, xp.float64, copy=True),
    lambda xp, t: xp.reshape(t, (2, 2), copy=True),
], ids=["asarray", "astype", "astype(copy=True)", "reshape(copy=True)"])
def test_a_copy_of_a_tensor_that_shares_a_numpy_buffer_keeps_its_values_when_numpy_writes(tfxp, copy_of):
    """The namespace imports an aligned, writable NumPy array without copying; a copy of that
    tensor must not see later writes to the array (tf.identity shares the buffer)."""
    from unibridge.backend_kit import aligned_copy

    a = aligned_copy(np.arange(4.0))
    t = tfxp.asarray(a)
    assert unibridge.shares_memory(t, a)  # the premise: a zero-copy import
    c = copy_of(tfxp, t)
    a[:] = -1.0
    assert np.asarray(c).ravel().tolist() == [0.0, 1.0, 2.0, 3.0]
    assert not unibridge.shares_memory(c, a)


def test_a_copy_made_by_asarray_inside_a_gradient_carries_the_gradient(tfxp):
    import tensorflow as tf

    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tfxp.sum(tfxp.asarray(x, copy=True) * 3.0) + tfxp.sum(tfxp.astype(x, tfxp.float32) ** 2)
    assert tape.gradient(y, x).numpy().tolist() == [5.0, 7.0]


class _HostMemoryReportedAsGpu:
    """Stands in for a GPU array on a machine without one: it reports CUDA memory (DLPack device
    type 2) but hands over an aligned host buffer, so the device route of from_dlpack runs on CPU."""

    def __init__(self, array):
        self.array = array

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, **kwargs):
        return self.array.__dlpack__()


def test_from_dlpack_of_device_memory_honours_copy(tfxp):
    src = _offset_view(8, 0)
    src[:] = np.arange(8.0)
    shared = tfxp.from_dlpack(_HostMemoryReportedAsGpu(src), device="cpu")
    assert unibridge.shares_memory(src, shared) and to_np(shared).tolist() == list(range(8))
    copied = tfxp.from_dlpack(_HostMemoryReportedAsGpu(src), device="cpu", copy=True)
    assert not unibridge.shares_memory(src, copied) and to_np(copied).tolist() == list(range(8))
    with pytest.raises(unibridge.CopyRequiredError):  # the producer says gpu:0, the memory is on the CPU
        tfxp.from_dlpack(_HostMemoryReportedAsGpu(src), copy=False)
