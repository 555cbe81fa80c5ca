"""What the per-call fast paths test for: eager tensors, and the dtypes a raw op handles exactly.

Every function first checks, for well under a microsecond, whether its arguments are the
common case: eager tensors (``type(x) is EAGER``), the same dtype, one for which TF's raw op
already gives the spec's answer. Those go straight to ``tf.raw_ops``, skipping the dispatch
layers of ``tf.math``; everything else takes the general path with the spec's promotion and
special cases. The dtype objects are interned, so ``a.dtype is b.dtype`` is an exact test.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import tensorflow as tf

__all__ = [
    "raw", "ids", "EAGER", "REAL_FLOATS", "COMPLEX", "INEXACT", "SIGNED", "UNSIGNED", "INTEGERS", "REAL", "NUMERIC",
    "ALL", "int_fits",
]



class _NoTensorIsThis:
    """What :data:`EAGER` is where TensorFlow never runs eagerly (eager execution disabled): no fast path."""


def _eager_tensor_class() -> Any:
    """The class of eager tensors, also when this module is first imported while ``tf.function`` traces.

    There ``tf.constant`` makes a symbolic tensor, whose class would send graph tensors down the
    eager fast paths (raw ops that skip the promotion rules: a float32 and a float64 would meet in
    one op and raise). ``tf.init_scope`` steps out of every graph being built to the eager context.
    """
    with tf.init_scope():
        if tf.executing_eagerly():
            return type(tf.constant(0))
    return _NoTensorIsThis


EAGER: Any = _eager_tensor_class()  # Any: mypy cannot narrow by `type(x) is EAGER`

REAL_FLOATS = frozenset({tf.float32, tf.float64})
COMPLEX = frozenset({tf.complex64, tf.complex128})
INEXACT = REAL_FLOATS | COMPLEX
SIGNED = frozenset({tf.int8, tf.int16, tf.int32, tf.int64})
UNSIGNED = frozenset({tf.uint8, tf.uint16, tf.uint32, tf.uint64})
INTEGERS = SIGNED | UNSIGNED
REAL = INTEGERS | REAL_FLOATS
NUMERIC = REAL | COMPLEX
ALL = NUMERIC | {tf.bool}

_INT_RANGE = {dt: (dt.min, dt.max) for dt in INTEGERS}


def ids(dtypes: frozenset[Any]) -> frozenset[int]:
    """The ``id`` of each dtype: ``id(x.dtype) in ids(...)`` costs a third of ``x.dtype in ...``.

    TF interns its dtype objects (one per type for the life of the process), so their ids are
    stable; a set of ids skips ``DType.__hash__``, a Python method, on every call.
    """
    return frozenset(id(dt) for dt in dtypes)


def int_fits(value: Any, dtype: tf.DType) -> bool:
    """Whether a Python int is representable in the integer ``dtype`` (TF would wrap it silently)."""
    lo, hi = _INT_RANGE[dtype]
    return bool(lo <= value <= hi)


def raw(name: str) -> Callable[..., Any]:
    """``tf.raw_ops.<name>`` taking positional arguments, in the op's order.

    ``tf.raw_ops`` functions accept keywords only, through a wrapper that costs about 0.4 us a
    call, a tenth of a small op; the generated op function it wraps (``__wrapped__``) takes
    the same arguments positionally. Without one, the names come from the signature.
    """
    op = getattr(tf.raw_ops, name)
    inner = getattr(op, "__wrapped__", None)
    if inner is not None:
        return inner  # type: ignore[no-any-return]
    names = list(inspect.signature(op).parameters)
    return lambda *args: op(**dict(zip(names, args)))
