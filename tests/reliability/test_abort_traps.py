"""Every known process-abort trap gets a child process that must survive it.

The traps (``docs/framework-facts.md``) kill the interpreter from C++, so ``try`` cannot
catch them and an in-process test would take the whole test run down. Each test
runs the dangerous sequence through unibridge in a fresh interpreter, computes
on the result, and requires exit status 0 and the child's ``SURVIVED`` line.

The ``canary`` tests (slow) show that each trap is real in the installed
framework version: the same sequence *without* unibridge must kill the child.
If a framework release fixes a trap, its canary skips and says so.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from _backends import require

_PRELUDE = """
import sys, numpy as np
import unibridge as ub
from unibridge._memory import address

def misaligned(n, dtype=np.float32, mod=16):
    raw = np.empty(n * np.dtype(dtype).itemsize + 128, np.uint8)
    off = (-address(raw) + mod) % 64
    a = np.ndarray((n,), dtype, raw, off)
    a[...] = np.arange(n) % 7 - 3
    assert address(a) % 64 == mod
    return a
"""


def run_child(body: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    code = _PRELUDE + textwrap.dedent(body) + "\nprint('SURVIVED', flush=True)\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)


def assert_survived(proc: subprocess.CompletedProcess[str]) -> None:
    died = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
    assert proc.returncode == 0 and "SURVIVED" in proc.stdout, (
        f"child {died}\n--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-5000:]}"
    )


def test_tensorflow_isaligned_misaligned_numpy_survives_compute() -> None:
    require("tensorflow")
    proc = run_child(
        """
        import tensorflow as tf
        for dtype in (np.float32, np.float64, np.int32, np.float16):
            for mod in (16, 8, 32, 48):
                a = misaligned(1 << 16, dtype, mod)
                for copy in (None, True):
                    t = ub.asarray(a, backend="tensorflow", copy=copy)
                    f = tf.cast(t, tf.float32)
                    float(tf.reduce_sum(tf.math.exp(f * 0.0)))
                    float(tf.reduce_sum(tf.nn.relu(f)))
                    float(tf.reduce_sum(t + t))
                    tf.negative(t)
                    ub.asarray(t, backend="tensorflow", copy=True)  # tf.raw_ops.DeepCopy on our import
                try:
                    ub.asarray(a, backend="tensorflow", copy=False)
                    raise SystemExit("copy=False must refuse a misaligned buffer")
                except ub.CopyRequiredError as e:
                    assert "aligned" in str(e), e
        # 0-d, bfloat16 and a misaligned torch slice take the same road
        import ml_dtypes
        b = misaligned(1025, np.float32)[1:].astype(ml_dtypes.bfloat16)[1:]
        tf.reduce_sum(tf.cast(ub.asarray(b, backend="tensorflow"), tf.float32))
        z = misaligned(1, np.float64)[0:1].reshape(())
        tf.math.exp(ub.asarray(z, backend="tensorflow"))
        """
    )
    assert_survived(proc)


def test_tensorflow_isaligned_misaligned_torch_slice_survives_compute() -> None:
    require("tensorflow")
    require("torch")
    proc = run_child(
        """
        import torch, tensorflow as tf
        base = torch.arange(1 << 16, dtype=torch.float32)
        for start in (1, 3, 4, 17):
            s = base[start:]
            assert s.data_ptr() % 64
            t = ub.asarray(s, backend="tensorflow")
            float(tf.reduce_sum(tf.math.exp(t * 0.0)))
            float(tf.reduce_sum(tf.nn.relu(t)))
        """
    )
    assert_survived(proc)


def test_torch_from_dlpack_negative_strides_is_never_taken() -> None:
    require("torch")
    proc = run_child(
        """
        import torch
        x = np.arange(24.0).reshape(4, 6)
        cases = [x[::-1], x[:, ::-1], x[::-2, 1::-1], np.arange(5)[::-1], x[::-1][:1]]
        for a in cases:
            for copy in (None, True):
                t = ub.asarray(a, backend="torch", copy=copy)
                assert t.tolist() == a.tolist()
                (t * 2).sum().item()
            try:
                ub.asarray(a, backend="torch", copy=False)
                raise SystemExit("copy=False must refuse negative strides")
            except ub.CopyRequiredError as e:
                assert "negative strides" in str(e), e
        # a length-1 axis with a negative stride (never stepped over) is refused too
        one = np.lib.stride_tricks.as_strided(x, shape=(1, 6), strides=(-48, 8))
        ub.asarray(one, backend="torch").sum().item()
        # shares_memory / to_numpy on the results never export a capsule torch cannot take
        t = ub.asarray(x[::-1], backend="torch")
        assert not ub.shares_memory(x, t)
        """
    )
    assert_survived(proc)


def test_tensorflow_string_tensor_is_refused_before_any_dlpack_export() -> None:
    require("tensorflow")
    proc = run_child(
        """
        import tensorflow as tf
        s = tf.constant(["a", "bb", "ccc"])
        v = tf.Variable(["x"])
        calls = [
            lambda x: ub.asarray(x, backend="numpy"),
            lambda x: ub.asarray(x, backend="tensorflow"),
            lambda x: ub.asarray(x, backend="tensorflow", copy=True),
            lambda x: ub.asarray(x, backend="numpy", dtype="float32", casting="unsafe"),
            lambda x: ub.to_numpy(x),
            lambda x: ub.to_numpy(x, copy=True),
            lambda x: ub.shares_memory(x, x),
            lambda x: ub.shares_memory(np.zeros(2), x),
            lambda x: ub.dtype_of(x),
            lambda x: ub.zeros_like(x),
            lambda x: ub.to_device(x, "cpu", copy=True),
        ]
        if any(b.name == "torch" and b.available for b in ub.backends()):
            calls.append(lambda x: ub.asarray(x, backend="torch"))
        for obj in (s, v):
            for call in calls:
                try:
                    call(obj)
                    raise SystemExit(f"no error for a string tensor via {call}")
                except ub.UnsupportedInputError as e:
                    assert "string" in str(e), e
        """
    )
    assert_survived(proc)


def test_tensorflow_empty_readonly_and_strided_imports_survive_compute() -> None:
    require("tensorflow")
    proc = run_child(
        """
        import tensorflow as tf
        x = np.arange(4096, dtype=np.float32).reshape(64, 64)
        ro = x.copy(); ro.flags.writeable = False
        big = x.astype(x.dtype.newbyteorder(">"))
        for a in (np.zeros((0, 3), np.float32), x[:, ::2], x[::-1], x.T, ro, big, np.frombuffer(x.tobytes(), np.float32)):
            t = ub.asarray(a, backend="tensorflow")
            float(tf.reduce_sum(tf.math.exp(t * 0.0)))
            float(tf.reduce_sum(tf.nn.relu(t)))
        """
    )
    assert_survived(proc)


def test_torch_complex_at_an_8_mod_16_address_survives_compute() -> None:
    require("torch")
    proc = run_child(
        """
        raw = np.zeros(4096, np.uint8)
        base = (-address(raw)) % 64
        cases = [((5,), (0,)), ((5, 1), (0, 80)), ((5, 2), (16, 0)), ((64,), (16,))]
        for shape, strides in cases:
            a = np.ndarray(shape, np.complex128, raw, base + 8, strides)  # NumPy calls this aligned
            t = ub.asarray(a, backend="torch")
            t.clone(); t.sum(); t.contiguous(); (t * 2).sum()
        c = np.ndarray((5,), np.complex64, raw, base + 4, (0,))
        t = ub.asarray(c, backend="torch"); t.clone(); t.sum()
        """
    )
    assert_survived(proc)


# -- canaries: the traps are real here (slow: one framework import each) -------------------
def _expect_abort(proc: subprocess.CompletedProcess[str], what: str) -> None:
    if proc.returncode == 0:
        pytest.skip(f"{what} no longer aborts in this framework version; the trap may be fixed upstream")
    assert proc.returncode in (-signal.SIGABRT, -signal.SIGSEGV, 134, 139), (proc.returncode, proc.stderr[-2000:])


@pytest.mark.slow
def test_canary_tensorflow_aborts_on_a_misaligned_dlpack_import_without_unibridge() -> None:
    require("tensorflow")
    proc = run_child(
        """
        import tensorflow as tf
        a = misaligned(1 << 20)
        t = tf.experimental.dlpack.from_dlpack(a.__dlpack__())
        tf.math.exp(t)
        """
    )
    _expect_abort(proc, "tf.math.exp on a misaligned DLPack import")


@pytest.mark.slow
def test_canary_torch_from_dlpack_aborts_on_negative_strides_without_unibridge() -> None:
    require("torch")
    proc = run_child(
        """
        import torch
        t = torch.from_dlpack(np.arange(10.0)[::-1])
        t.sum().item()
        """
    )
    if proc.returncode == 0 or (proc.returncode > 0 and "Error" in proc.stderr):
        pytest.skip("torch.from_dlpack no longer aborts on negative strides here (it raises or copies)")
    _expect_abort(proc, "torch.from_dlpack on negative strides")
