"""TensorFlow values that are tensors but hold no array: unibridge's own errors, never TF's.

Resource handles, variant tensors, quantized tensors, symbolic tensors (inside
``tf.function``) and ``tf.IndexedSlices`` are all legal TensorFlow values; each
must end in :class:`~unibridge.UnsupportedInputError` saying what it is and what
to do, through every entry point, including the zero-copy fast path that is
built once the CPU device has been seen.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import unibridge as ub

from _backends import availability

tf = pytest.importorskip("tensorflow", reason="TensorFlow is not installed")


def _warm() -> None:
    """Convert one ordinary tensor first: the fast path only runs once TF's CPU device is known."""
    assert ub.to_numpy(ub.asarray(tf.constant([1.0]))).tolist() == [1.0]


def _calls() -> list[tuple[str, Callable[[Any], Any]]]:
    calls: list[tuple[str, Callable[[Any], Any]]] = [
        ("asarray", lambda x: ub.asarray(x)),
        ("asarray-twice", lambda x: (ub.asarray(x, backend="numpy"), ub.asarray(x, backend="numpy"))),
        ("to_numpy", ub.to_numpy),
        ("to_numpy-copy", lambda x: ub.to_numpy(x, copy=True)),
        ("shares_memory", lambda x: ub.shares_memory(x, np.ones(1))),
        ("shares_memory-self", lambda x: ub.shares_memory(x, x)),
        ("asarray-tensorflow", lambda x: ub.asarray(x, backend="tensorflow")),
    ]
    if availability("torch")[0]:
        calls.append(("asarray-torch", lambda x: ub.asarray(x, backend="torch")))
    return calls


def _resource() -> Any:
    return tf.Variable([1.0, 2.0]).handle


def _variant() -> Any:
    return tf.data.experimental.to_variant(tf.data.Dataset.range(3))


@pytest.mark.parametrize("name,call", _calls(), ids=[n for n, _ in _calls()])
@pytest.mark.parametrize(
    "make,fragment",
    [(_resource, "resource handle"), (_variant, "variant tensor")],
    ids=["resource", "variant"],
)
def test_tf_resource_and_variant_tensors_raise_unsupported_input(
    make: Callable[[], Any], fragment: str, name: str, call: Callable[[Any], Any]
) -> None:
    _warm()
    x = make()
    with pytest.raises(ub.UnsupportedInputError, match=fragment):
        call(x)


@pytest.mark.parametrize("dtype", ["qint8", "quint8", "qint16", "quint16", "qint32"])
def test_tf_quantized_tensors_raise_instead_of_becoming_plain_integers(dtype: str) -> None:
    _warm()
    q = tf.constant([1, 2], getattr(tf, dtype))
    # np.asarray gives a plain int8/uint8/... array for these: the fast path must not pass it on.
    for call in (ub.asarray, ub.to_numpy, lambda x: ub.shares_memory(x, x)):
        with pytest.raises(ub.UnsupportedInputError, match=dtype):
            call(q)


def test_tf_symbolic_tensor_raises_unsupported_input_naming_tf_function() -> None:
    _warm()
    seen: list[str] = []

    @tf.function(autograph=False)
    def traced(x: Any) -> Any:
        for call in (ub.asarray, ub.to_numpy, lambda t: ub.shares_memory(t, np.ones(1))):
            with pytest.raises(ub.UnsupportedInputError, match="symbolic tf.Tensor.*tf.function") as info:
                call(x)
            seen.append(str(info.value))
        # Metadata and same-framework passes stay usable while tracing.
        assert ub.dtype_of(x) == "float32"
        assert ub.asarray(x, backend="tensorflow") is x
        return x * 2

    assert traced(tf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    assert len(seen) == 3


_LOADED_WHILE_TRACING = textwrap.dedent(
    """
    import sys
    import numpy as np, tensorflow as tf, unibridge as ub
    from unibridge.registry import _REGISTRY
    assert "tensorflow" not in _REGISTRY.loaded, "the TF backend must not be loaded yet"

    @tf.function(autograph=False)
    def traced(x):
        # The first use of the TF backend in this process: it loads here, during tracing.
        assert ub.dtype_of(x) == "float32"
        try:
            ub.to_numpy(x)
        except ub.UnsupportedInputError as e:
            print("SYMBOLIC", type(e).__name__)
        return x + 1

    traced(tf.constant([1.0]))
    backend = ub.get_backend("tensorflow")
    eager = tf.constant([1.0, 2.0])
    print("EAGER_TYPE", backend._eager_type is type(eager))
    print("VALUES", ub.to_numpy(eager).tolist())  # (the fast path declines until TF's CPU is seen)
    print("FAST_VIEW", backend.numpy_view_fast_path().view(eager) is not None)
    """
)


def test_tf_backend_first_loaded_inside_tf_function_tracing_keeps_eager_fast_path() -> None:
    proc = subprocess.run([sys.executable, "-c", _LOADED_WHILE_TRACING], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.split("\n")
    assert "SYMBOLIC UnsupportedInputError" in lines, proc.stdout
    assert "EAGER_TYPE True" in lines and "FAST_VIEW True" in lines, proc.stdout
    assert "VALUES [1.0, 2.0]" in lines, proc.stdout


_NAMESPACE_FIRST_USED_WHILE_TRACING = textwrap.dedent(
    """
    import json, sys
    import numpy as np, tensorflow as tf, unibridge as ub
    from unibridge import xp

    FAST = "unibridge.adapters.tensorflow.array_api._fast"

    def f(x, k):
        loaded = FAST in sys.modules
        x32 = xp.astype(x, xp.float32)
        mixed = xp.add(x, xp.astype(xp.multiply(x32, 2.0), xp.float64))  # float32 and float64 meet
        return {
            "loaded before": xp.asarray(loaded),
            "mixed": mixed,
            "sum": ub.namespace().sum(xp.subtract(xp.exp(x), x32)),
            "normal32": ub.random.normal(k, (5,), dtype="float32"),
            "uniform64": ub.random.uniform(k, (5,), dtype="float64", minval=-2.0, maxval=3.0),
            "randint": ub.random.randint(k, (5,), 0, 10),
        }

    with ub.use("tensorflow"):
        x, k = tf.constant([0.5, 1.5, -2.0], dtype=tf.float64), ub.random.key(7)
        compiled = {n: ub.to_numpy(v).tolist() for n, v in ub.jit(f)(x, k).items()}  # the first ever call
        eager = {n: ub.to_numpy(v).tolist() for n, v in f(x, k).items()}
    print(json.dumps({"compiled": compiled, "eager": eager}))
    """
)


def test_tf_namespace_first_used_while_jit_traces_computes_what_it_computes_eagerly() -> None:
    """In a fresh process the TF namespace loads inside the trace: its eager-tensor test must still
    mean eager tensors (it took the class of a symbolic one, and raw ops then met float32 and float64)."""
    proc = subprocess.run(
        [sys.executable, "-c", _NAMESPACE_FIRST_USED_WHILE_TRACING], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    compiled, eager = got["compiled"], got["eager"]
    assert compiled.pop("loaded before") is False, "the namespace was loaded before the trace: nothing tested"
    eager.pop("loaded before")
    assert compiled == eager


def test_tf_indexed_slices_say_how_to_densify() -> None:
    s = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([0]), tf.constant([3, 2]))
    for call in (ub.asarray, ub.to_numpy, lambda x: ub.shares_memory(x, np.ones(1))):
        with pytest.raises(ub.UnsupportedInputError, match=r"IndexedSlices.*tf.convert_to_tensor"):
            call(s)
    # Shape and dtype are known: zeros_like uses nothing else.
    z = ub.zeros_like(s)
    assert z.shape == (3, 2) and ub.dtype_of(z) == "float32"


def test_tf_ragged_zeros_like_says_ragged_not_symbolic() -> None:
    with pytest.raises(ub.UnsupportedInputError, match=r"RaggedTensor.*to_tensor") as info:
        ub.zeros_like(tf.ragged.constant([[1], [2, 3]]))
    assert "symbolic" not in str(info.value)
