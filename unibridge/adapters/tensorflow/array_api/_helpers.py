"""Shared plumbing: turning operands into tensors of one dtype, and axis arguments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, Union

import tensorflow as tf

from ._dtypes import promote, scalar_dtype

Axis = Optional[Union[int, Sequence[int]]]
_SCALARS = (bool, int, float, complex)


def is_tensor(x: Any) -> bool:
    return isinstance(x, (tf.Tensor, tf.Variable))


def tensor(x: Any) -> tf.Tensor:
    """``x`` as a tensor (arrays from other libraries go through ``asarray``)."""
    if isinstance(x, tf.Tensor):
        return x
    if isinstance(x, tf.Variable):
        return tf.convert_to_tensor(x)
    import unibridge  # host data through unibridge's converter, as the namespace's asarray does

    return unibridge.asarray(x, backend="tensorflow")


def scalar_to(value: Any, dtype: tf.DType) -> tf.Tensor:
    """A Python scalar as a 0-d tensor of ``dtype``."""
    if dtype.is_integer and isinstance(value, float):
        raise TypeError(f"cannot use the float {value!r} with an integer array of dtype {dtype.name}")
    return tf.constant(value, dtype=dtype)


def operands(x1: Any, x2: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """Two operands of a binary function, promoted to one dtype by the spec's rules.

    Python scalars are weak: ``int8 array + 1`` stays int8.
    """
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


def normalize_axis(axis: int, ndim: int) -> int:
    """A possibly negative axis as a non-negative one; IndexError when out of range."""
    if not -ndim <= axis < ndim:
        raise IndexError(f"axis {axis} is out of bounds for an array of {ndim} dimensions")
    return axis % ndim if ndim else 0


def normalize_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a sequence) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    axes = tuple(normalize_axis(a, ndim) for a in axis)
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in {axis}")
    return tuple(sorted(axes))


def ndim(x: tf.Tensor) -> int:
    rank = x.shape.rank
    if rank is None:
        raise ValueError("the namespace needs arrays of known rank (inside tf.function, give an input_signature with a rank)")
    return rank


def shape_list(x: tf.Tensor) -> list[Any]:
    """The shape, static where known and a scalar tensor where not (inside ``tf.function``)."""
    static = x.shape.as_list()
    if all(d is not None for d in static):
        return static
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
