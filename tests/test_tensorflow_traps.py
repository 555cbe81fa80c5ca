"""TensorFlow's process-abort traps, each in a child process that must exit 0.

Measured (docs/framework-facts.md, "TensorFlow DLPack import: alignment"): computing on a DLPack import that is not
64-byte aligned aborts the process with ``Check failed: IsAligned()``; a
``try/except`` cannot catch it. unibridge never lets such a buffer reach TF.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import unibridge as ub

tf = pytest.importorskip("tensorflow", reason="TensorFlow is not installed")

CHILD = textwrap.dedent(
    """
    import numpy as np, tensorflow as tf, unibridge as ub
    raw = np.zeros(4 * 4096 + 128, np.uint8)
    start = (-raw.ctypes.data % 64) + 16           # 16 bytes past a 64-byte boundary
    src = raw[start:start + 4 * 4096].view(np.float32)
    src[:] = np.linspace(-1, 1, src.size, dtype=np.float32)
    cases = {
        "misaligned": src,
        "sliced": np.arange(4097, dtype=np.float32)[1:],
        "negative": np.arange(4096, dtype=np.float32)[::-1],
        "fortran": np.asfortranarray(np.arange(64.0).reshape(8, 8)),
        "readonly": np.frombuffer(np.arange(64, dtype=np.float32).tobytes(), np.float32),
        "bigendian": np.arange(64, dtype=">f4"),
    }
    try:
        import torch
        cases["torch_sliced"] = torch.arange(4097, dtype=torch.float32)[1:]
    except ImportError:
        pass
    for name, a in cases.items():
        t = ub.asarray(a, backend="tensorflow")
        total = float(tf.reduce_sum(tf.nn.relu(tf.math.exp(-tf.abs(t)))))
        assert np.isfinite(total), name
        print(name, "ok")
    """
)


def test_misaligned_and_strided_inputs_never_abort_the_process() -> None:
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"child died ({proc.returncode}):\n{proc.stderr[-2000:]}"
    assert proc.stdout.count(" ok") >= 6


def test_string_tensors_raise_instead_of_aborting_in_dlpack() -> None:
    strings = tf.constant(["a", "bc"])
    for call in (ub.to_numpy, ub.dtype_of, lambda x: ub.asarray(x, backend="numpy"),
                 lambda x: ub.shares_memory(x, x)):
        with pytest.raises(ub.UnsupportedInputError, match="string"):
            call(strings)


def test_tensorflow_ops_on_a_zero_copy_import_never_write_into_the_source() -> None:
    from unibridge._memory import aligned_copy

    a = aligned_copy(np.linspace(-2, 2, 4096, dtype=np.float32))
    before = a.copy()
    t = ub.asarray(a, backend="tensorflow", copy=False)
    assert ub.shares_memory(a, t)
    results = [
        t + 1.0, tf.nn.relu(t), tf.math.exp(t), -t, t * t, tf.square(t), tf.sigmoid(t), tf.tanh(t),
        tf.add_n([t, t]), tf.cast(t, tf.float64), tf.clip_by_value(t, -1, 1), tf.abs(t),
        tf.nn.softmax(t), tf.where(t > 0, t, 0.0), tf.function(lambda x: x * 2 + 1)(t),
    ]
    del results, t
    np.testing.assert_array_equal(a, before)


def test_a_variable_converts_to_a_snapshot() -> None:
    var = tf.Variable([1.0, 2.0, 3.0])
    snap = ub.asarray(var, backend="tensorflow")
    view = ub.to_numpy(var)
    var.assign([7.0, 8.0, 9.0])
    assert ub.to_numpy(snap).tolist() == [1.0, 2.0, 3.0]
    assert view.tolist() == [1.0, 2.0, 3.0] and not view.flags.writeable
    assert ub.dtype_of(var) == "float32"


@pytest.mark.parametrize("kind", ["ragged", "sparse"])
def test_ragged_and_sparse_tensors_say_how_to_densify(kind: str) -> None:
    x = tf.ragged.constant([[1, 2], [3]]) if kind == "ragged" else tf.sparse.eye(3)
    with pytest.raises(ub.UnsupportedInputError, match="to_tensor|to_dense"):
        ub.asarray(x, backend="numpy")


def test_every_tensorflow_dtype_with_an_equivalent_maps_both_ways() -> None:
    for name in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float16", "bfloat16", "float32", "float64", "complex64", "complex128"):
        native = getattr(tf, name)
        t = tf.zeros(2, dtype=native)
        assert ub.dtype_of(t) == name  # TensorFlow -> unibridge, from a tensor
        assert ub.as_dtype(native) == name  # and from the dtype object
        made = ub.zeros(2, dtype=name, backend="tensorflow")  # unibridge -> TensorFlow
        assert made.dtype == native and ub.dtype_of(made) == name


def test_int64_overflow_into_int32_raises_where_tf_constant_wraps() -> None:
    src = np.array([1, 2**40])
    assert tf.constant(src, dtype=tf.int32).numpy().tolist() == [1, 0]  # TF's silent wrap, measured
    with pytest.raises(ub.LossyCastError, match="int32"):
        ub.asarray(src, dtype="int32", backend="tensorflow")
