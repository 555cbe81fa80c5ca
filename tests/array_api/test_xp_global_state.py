"""The namespace's one global effect: ``tf.TensorShape`` becomes a ``collections.abc.Sequence``.

Each check runs in a fresh interpreter, because the registration is process-wide and other
tests have long since loaded TensorFlow. The child snapshots everything unibridge could
plausibly change (the attributes of TF's tensor, variable, shape and dtype classes, TF's
numpy-behaviour switch, its config flags, which ABCs TF types satisfy), then uses the backend
or the namespace heavily, and reports what changed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Sequence

import pytest

pytest.importorskip("tensorflow")

CHILD = textwrap.dedent("""
    import collections.abc as abcs, json, sys
    import numpy as np
    import tensorflow as tf

    ABCS = [getattr(abcs, n) for n in abcs.__all__ if isinstance(getattr(abcs, n), type)]
    CLASSES = [tf.Tensor, type(tf.constant(0)), tf.Variable, tf.TensorShape, tf.DType]

    def snapshot():
        samples = {"TensorShape": tf.TensorShape([2, 3]), "Tensor": tf.constant([1.0]), "DType": tf.float32}
        try:
            tf.constant([1]) + 1.5   # numpy behaviour would make this work
            mixed = "works"
        except Exception as exc:
            mixed = type(exc).__name__
        return {
            "attributes": {c.__qualname__: sorted(f"{k}={id(v)}" for k, v in vars(c).items()) for c in CLASSES},
            "abcs": {name: [a.__name__ for a in ABCS if isinstance(obj, a)] for name, obj in samples.items()},
            "int + float": mixed,
            "soft placement": tf.config.get_soft_device_placement(),
            "functions run eagerly": tf.config.functions_run_eagerly(),
            "tf32": tf.config.experimental.tensor_float_32_execution_enabled(),
            "intra-op threads": tf.config.threading.get_intra_op_parallelism_threads(),
        }

    # Plain TF use first: TF's own dispatch creates some attributes lazily (EagerTensor.__annotations__).
    tf.reduce_sum(tf.reshape(tf.range(6.0), (2, 3)), axis=0)
    tf.function(lambda v: v * 2.0)(tf.constant(1.0))
    before = snapshot()
    if sys.argv[1] == "backend":
        import unibridge
        t = unibridge.asarray(np.arange(6.0).reshape(2, 3), backend="tensorflow")
        unibridge.to_numpy(t)
    else:
        from unibridge.adapters.tensorflow import array_api as xp
        x = xp.reshape(xp.arange(6.0), (2, 3))
        xp.std(xp.add(x, 1.0)); xp.sort(x, axis=0); xp.take(x, xp.asarray([-1]), axis=1)
        xp.linalg.solve(xp.eye(2), xp.ones(2)); xp.fft.fft(x); xp.isin(x, x); xp.unique_counts(x)
        xp.__array_namespace_info__().capabilities()
    after = snapshot()
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    print(json.dumps(changed))
""")


def _changes(entry: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, entry], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("entry", ["backend", "namespace"])
def test_first_use_registers_tensorshape_as_a_sequence_and_changes_nothing_else(entry):
    changes = _changes(entry)
    assert set(changes) == {"abcs"}, f"global state changed beyond the ABC registration: {changes}"
    before, after = changes["abcs"]
    assert {k: v for k, v in before.items() if k != "TensorShape"} == {k: v for k, v in after.items() if k != "TensorShape"}
    gained = set(after["TensorShape"]) - set(before["TensorShape"])
    sequence_and_its_bases = {c.__name__ for c in Sequence.__mro__ if c is not object}
    assert "Sequence" in gained and gained <= sequence_and_its_bases, gained
    assert set(before["TensorShape"]) <= set(after["TensorShape"])


def test_a_registered_shape_is_a_sequence_here(tfxp):
    shape = tfxp.ones((2, 3)).shape
    assert isinstance(shape, Sequence)
    assert list(shape) == [2, 3] and shape[-1] == 3 and len(shape) == 2
