"""Sorting: ``argsort`` and ``sort``, stable by default, NaNs last in both directions."""

from __future__ import annotations

import tensorflow as tf

from ._helpers import ndim, normalize_axis, tensor

__all__ = ["argsort", "sort"]


def _argsort_last(x: tf.Tensor, descending: bool) -> tf.Tensor:
    """Stable argsort along the last axis."""
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.uint8)  # TF's sort kernels have no bool version
    direction = "DESCENDING" if descending else "ASCENDING"
    if not x.dtype.is_floating:
        return tf.argsort(x, axis=-1, direction=direction, stable=True)
    # tf.argsort misplaces NaNs (they land mid-array). Sort with NaNs replaced by an
    # extreme, then stable-sort on the NaN flag so NaNs go last, keeping everyone's order.
    nan = tf.math.is_nan(x)
    fill = tf.constant(float("-inf") if descending else float("inf"), x.dtype)
    first = tf.argsort(tf.where(nan, fill, x), axis=-1, direction=direction, stable=True)
    flags = tf.gather(tf.cast(nan, tf.int8), first, batch_dims=x.shape.rank - 1)
    second = tf.argsort(flags, axis=-1, stable=True)
    return tf.gather(first, second, batch_dims=x.shape.rank - 1)


def argsort(x: tf.Tensor, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> tf.Tensor:
    """Indices (int64) that sort ``x`` along ``axis``; always stable (equal elements keep their order)."""
    x = tensor(x)
    n = ndim(x)
    if n == 0:
        return tf.zeros((), tf.int64)
    axis = normalize_axis(axis, n)
    perm = [a for a in range(n) if a != axis] + [axis]
    inv = [perm.index(a) for a in range(n)]
    xt = tf.transpose(x, perm) if axis != n - 1 else x
    out = tf.cast(_argsort_last(xt, descending), tf.int64)
    return tf.transpose(out, inv) if axis != n - 1 else out


def sort(x: tf.Tensor, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> tf.Tensor:
    """``x`` sorted along ``axis`` (NaNs last)."""
    x = tensor(x)
    n = ndim(x)
    if n == 0:
        return x
    axis = normalize_axis(axis, n)
    idx = argsort(x, axis=axis, descending=descending)
    perm = [a for a in range(n) if a != axis] + [axis]
    inv = [perm.index(a) for a in range(n)]
    out = tf.gather(tf.transpose(x, perm), tf.transpose(idx, perm), batch_dims=n - 1)
    return tf.transpose(out, inv)
