"""Searching: argmax, argmin, count_nonzero, nonzero, searchsorted, where."""

from __future__ import annotations

import math
from typing import Any, Literal, Optional, Union

import tensorflow as tf

from ._fast import EAGER, REAL, REAL_FLOATS, int_fits, raw
from ._helpers import Axis, ndim, normalize_axes, normalize_axis, operands, tensor

_SELECT, _ARG_MAX, _ARG_MIN = raw("SelectV2"), raw("ArgMax"), raw("ArgMin")

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where"]


def _arg_reduce(x: tf.Tensor, axis: Optional[int], keepdims: bool, fn: Any, raw_op: Any) -> tf.Tensor:
    if type(x) is EAGER and type(axis) is int and keepdims is False and x.dtype in REAL and -x.ndim <= axis < x.ndim:
        return raw_op(x, axis, tf.int64)
    x = tensor(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int8)
    n = ndim(x)
    if axis is None:
        out = fn(tf.reshape(x, [-1]), axis=0, output_type=tf.int64)
        return tf.reshape(out, [1] * n) if keepdims else out
    axis = normalize_axis(axis, n)
    out = fn(x, axis=axis, output_type=tf.int64)
    return tf.expand_dims(out, axis) if keepdims else out


def argmax(x: tf.Tensor, /, *, axis: Optional[int] = None, keepdims: bool = False) -> tf.Tensor:
    """Index (int64) of the first maximum along ``axis`` (flattened when ``None``)."""
    return _arg_reduce(x, axis, keepdims, tf.math.argmax, _ARG_MAX)


def argmin(x: tf.Tensor, /, *, axis: Optional[int] = None, keepdims: bool = False) -> tf.Tensor:
    """Index (int64) of the first minimum along ``axis`` (flattened when ``None``)."""
    return _arg_reduce(x, axis, keepdims, tf.math.argmin, _ARG_MIN)


def count_nonzero(x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False) -> tf.Tensor:
    """Number of non-zero elements (int64, the default integer)."""
    x = tensor(x)
    nz = x if x.dtype == tf.bool else tf.not_equal(x, tf.zeros((), x.dtype))
    axes = list(normalize_axes(axis, ndim(x)))
    return tf.reduce_sum(tf.cast(nz, tf.int64), axis=axes, keepdims=keepdims)


def nonzero(x: tf.Tensor, /) -> tuple[tf.Tensor, ...]:
    """Indices of the non-zero elements, one int64 array per axis (data-dependent shape)."""
    x = tensor(x)
    if ndim(x) == 0:
        raise ValueError("nonzero needs an array of at least one dimension")
    nz = x if x.dtype == tf.bool else tf.not_equal(x, tf.zeros((), x.dtype))
    coords = tf.where(nz)  # int64, shape (count, ndim), row-major order
    return tuple(coords[:, i] for i in range(ndim(x)))


def _nan_last_search(a: tf.Tensor, b: tf.Tensor, side: str) -> tf.Tensor:
    """``searchsorted`` for floats with NaN sorting after everything, as ``sort`` puts it.

    TF compares with ``<``, for which NaN is neither smaller nor larger. Here NaNs in ``a``
    (all at its end, since ``a`` is sorted) become +inf for the search, results are capped
    at the count of non-NaN values, and a NaN needle lands before (left) or after (right)
    the NaNs: ``searchsorted([1, 2, 3], nan)`` is 3, as in NumPy.
    """
    inf = tf.constant(math.inf, a.dtype)
    a_nan, b_nan = tf.math.is_nan(a), tf.math.is_nan(b)
    finite_count = tf.reduce_sum(tf.cast(tf.logical_not(a_nan), tf.int64), axis=-1, keepdims=True)
    pos = tf.searchsorted(tf.where(a_nan, inf, a), tf.where(b_nan, inf, b), side=side, out_type=tf.int64)
    pos = tf.minimum(pos, finite_count)
    nan_pos = finite_count if side == "left" else tf.shape(a, out_type=tf.int64)[-1:]
    return tf.where(b_nan, tf.broadcast_to(nan_pos, tf.shape(pos)), pos)


def searchsorted(
    x1: tf.Tensor, x2: Union[tf.Tensor, int, float], /, *, side: Literal["left", "right"] = "left",
    sorter: Optional[tf.Tensor] = None,
) -> tf.Tensor:
    """Insertion indices (int64) of ``x2`` into the sorted 1-D ``x1``; NaN sorts last, as in ``sort``."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    a, b = operands(x1, x2)
    if sorter is not None:
        a = tf.gather(a, tf.cast(tensor(sorter), tf.int64))
    if a.dtype == tf.bool:
        a, b = tf.cast(a, tf.uint8), tf.cast(b, tf.uint8)
    a, flat = tf.reshape(a, [1, -1]), tf.reshape(b, [1, -1])
    if a.dtype.is_floating:
        out = _nan_last_search(a, flat, side)
    else:
        out = tf.searchsorted(a, flat, side=side, out_type=tf.int64)
    return tf.reshape(out, tf.shape(b))


def _branch_fits(value: Any, dtype: tf.DType) -> bool:
    """A ``where`` branch the raw op takes as is: a tensor of ``dtype`` or a Python scalar the
    weak-scalar rule casts to it exactly."""
    kind = type(value)
    if kind is EAGER:
        return value.dtype is dtype
    if kind is float:
        return dtype in REAL_FLOATS
    if kind is int:
        return dtype in REAL_FLOATS or (dtype.is_integer and int_fits(value, dtype))
    return False


def where(
    condition: tf.Tensor, x1: Any, x2: Any, /
) -> tf.Tensor:
    """``x1`` where ``condition`` else ``x2``, broadcast together and promoted."""
    if type(condition) is EAGER and condition.dtype is tf.bool:
        dt = x1.dtype if type(x1) is EAGER else x2.dtype if type(x2) is EAGER else None
        if dt is not None and _branch_fits(x1, dt) and _branch_fits(x2, dt):
            return _SELECT(condition, x1, x2)
    condition = tensor(condition)
    if condition.dtype != tf.bool:
        condition = tf.not_equal(condition, tf.zeros((), condition.dtype))
    scalars = (bool, int, float, complex)
    if isinstance(x1, scalars) and isinstance(x2, scalars):
        raise TypeError("where: at least one of x1 and x2 must be an array")
    a, b = operands(x1, x2)
    return tf.where(condition, a, b)
