"""Searching: argmax, argmin, count_nonzero, nonzero, searchsorted, where."""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

import tensorflow as tf

from ._helpers import Axis, ndim, normalize_axes, normalize_axis, operands, tensor

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where"]


def _arg_reduce(x: tf.Tensor, axis: Optional[int], keepdims: bool, fn: Any) -> tf.Tensor:
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
    return _arg_reduce(x, axis, keepdims, tf.math.argmax)


def argmin(x: tf.Tensor, /, *, axis: Optional[int] = None, keepdims: bool = False) -> tf.Tensor:
    """Index (int64) of the first minimum along ``axis`` (flattened when ``None``)."""
    return _arg_reduce(x, axis, keepdims, tf.math.argmin)


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


def searchsorted(
    x1: tf.Tensor, x2: tf.Tensor, /, *, side: Literal["left", "right"] = "left", sorter: Optional[tf.Tensor] = None
) -> tf.Tensor:
    """Insertion indices (int64) of ``x2`` into the sorted 1-D ``x1``."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    a, b = operands(x1, x2)
    if sorter is not None:
        a = tf.gather(a, tf.cast(tensor(sorter), tf.int64))
    if a.dtype == tf.bool:
        a, b = tf.cast(a, tf.uint8), tf.cast(b, tf.uint8)
    flat = tf.reshape(b, [1, -1])
    out = tf.searchsorted(tf.reshape(a, [1, -1]), flat, side=side, out_type=tf.int64)
    return tf.reshape(out, tf.shape(b))


def where(
    condition: tf.Tensor, x1: Union[tf.Tensor, bool, int, float, complex], x2: Union[tf.Tensor, bool, int, float, complex], /
) -> tf.Tensor:
    """``x1`` where ``condition`` else ``x2``, broadcast together and promoted."""
    condition = tensor(condition)
    if condition.dtype != tf.bool:
        condition = tf.not_equal(condition, tf.zeros((), condition.dtype))
    scalars = (bool, int, float, complex)
    if isinstance(x1, scalars) and isinstance(x2, scalars):
        raise TypeError("where: at least one of x1 and x2 must be an array")
    a, b = operands(x1, x2)
    return tf.where(condition, a, b)
