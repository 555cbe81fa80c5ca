"""Shared plumbing: turning operands into tensors of one dtype (axis helpers live in ``_axes``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from ._axes import Axis as Axis, normalize_axes as normalize_axes, normalize_axis as normalize_axis  # re-exported
from ._convert import from_host
from ._dtypes import promote, scalar_dtype
from ._fast import EAGER

_SCALARS = (bool, int, float, complex)


def is_tensor(x: Any) -> bool:
    return isinstance(x, (tf.Tensor, tf.Variable))


def tensor(x: Any) -> tf.Tensor:
    """``x`` as a tensor (host data and other libraries' arrays through the backend)."""
    if isinstance(x, tf.Tensor):
        return x
    if isinstance(x, tf.Variable):
        return tf.convert_to_tensor(x)
    return from_host(x)


def scalar_to(value: Any, dtype: tf.DType) -> tf.Tensor:
    """A Python scalar as a 0-d tensor of ``dtype``."""
    if dtype.is_integer and isinstance(value, float):
        raise TypeError(f"cannot use the float {value!r} with an integer array of dtype {dtype.name}")
    return tf.constant(value, dtype=dtype)


def operands(x1: Any, x2: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """Two operands of a binary function, promoted to one dtype by the spec's rules.

    Python scalars are weak: ``int8 array + 1`` stays int8.
    """
    if type(x1) is EAGER and type(x2) is EAGER and x1.dtype is x2.dtype:
        return x1, x2
    s1, s2 = isinstance(x1, _SCALARS), isinstance(x2, _SCALARS)
    if s1 and s2:
        raise TypeError("at least one argument must be an array, not two Python scalars")
    if s2:
        x1 = tensor(x1)
        dt = scalar_dtype(x2, x1.dtype)
        return (x1 if dt == x1.dtype else tf.cast(x1, dt)), scalar_to(x2, dt)
    if s1:
        x2 = tensor(x2)
        dt = scalar_dtype(x1, x2.dtype)
        return scalar_to(x1, dt), (x2 if dt == x2.dtype else tf.cast(x2, dt))
    x1, x2 = tensor(x1), tensor(x2)
    if x1.dtype == x2.dtype:
        return x1, x2
    dt = promote(x1.dtype, x2.dtype)
    return tf.cast(x1, dt), tf.cast(x2, dt)


def promote_all(arrays: Sequence[Any]) -> list[tf.Tensor]:
    """All arrays cast to their common promoted dtype."""
    tensors = [tensor(a) for a in arrays]
    if not tensors:
        return tensors
    dt = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != dt:
            dt = promote(dt, t.dtype)
    return [t if t.dtype == dt else tf.cast(t, dt) for t in tensors]


def ndim(x: tf.Tensor) -> int:
    rank = x.shape.rank
    if rank is None:
        raise ValueError("the namespace needs arrays of known rank (inside tf.function, give an input_signature with a rank)")
    return int(rank)


def shape_list(x: tf.Tensor) -> list[Any]:
    """The shape, static where known and a scalar tensor where not (inside ``tf.function``)."""
    static = x.shape.as_list()
    if all(d is not None for d in static):
        return list(static)
    dynamic = tf.shape(x)
    return [d if d is not None else dynamic[i] for i, d in enumerate(static)]


def signed_view(x: tf.Tensor) -> tf.Tensor:
    """Unsigned integers reinterpreted as the signed type of the same width (same bits).

    Some TF kernels lack unsigned versions; add, multiply and data movement give the same
    bits either way (two's complement), so computing on the view is exact.
    """
    signed = {tf.uint8: tf.int8, tf.uint16: tf.int16, tf.uint32: tf.int32, tf.uint64: tf.int64}
    return tf.bitcast(x, signed[x.dtype]) if x.dtype in signed else x


def from_signed_view(y: tf.Tensor, dtype: tf.DType) -> tf.Tensor:
    return tf.bitcast(y, dtype) if y.dtype != dtype else y
