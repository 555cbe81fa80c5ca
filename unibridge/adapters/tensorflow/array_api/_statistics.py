"""Statistical and utility reductions: sums, products, extrema, moments, cumulative, diff, all, any."""

from __future__ import annotations

from typing import Any, Optional, Union

import tensorflow as tf

from ._dtypes import as_tf_dtype, default_float
from ._helpers import Axis, ndim, normalize_axes, normalize_axis, promote_all, shape_list, tensor

__all__ = [
    "cumulative_prod", "cumulative_sum", "diff", "max", "mean", "min", "prod", "std", "sum", "var",
    "all", "any",
]


def _accumulator(x: tf.Tensor, dtype: Any) -> tf.DType:
    """The spec's sum/prod dtype: small integers widen to int64/uint64, bool to int64."""
    if dtype is not None:
        return as_tf_dtype(dtype)
    if x.dtype == tf.bool or (x.dtype.is_integer and not x.dtype.is_unsigned):
        return tf.int64
    if x.dtype.is_unsigned:
        return tf.uint64
    return x.dtype


def _reduce(fn: Any, x: tf.Tensor, axis: Axis, keepdims: bool) -> tf.Tensor:
    axes = list(normalize_axes(axis, ndim(x)))
    return fn(x, axis=axes, keepdims=keepdims)


def sum(x: tf.Tensor, /, *, axis: Axis = None, dtype: Any = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Sum over ``axis`` (all axes by default); integers accumulate in int64/uint64."""
    x = tensor(x)
    return _reduce(tf.math.reduce_sum, tf.cast(x, _accumulator(x, dtype)), axis, keepdims)


def prod(x: tf.Tensor, /, *, axis: Axis = None, dtype: Any = None, keepdims: bool = False) -> tf.Tensor:
    """Product over ``axis``; integers accumulate in int64/uint64."""
    x = tensor(x)
    return _reduce(tf.math.reduce_prod, tf.cast(x, _accumulator(x, dtype)), axis, keepdims)


def max(x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Maximum over ``axis``; NaN propagates. Empty reductions raise ValueError."""
    x = tensor(x)
    _check_nonempty(x, axis)
    if x.dtype == tf.bool:
        return _reduce(tf.math.reduce_any, x, axis, keepdims)
    return _reduce(tf.math.reduce_max, x, axis, keepdims)


def min(x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Minimum over ``axis``; NaN propagates. Empty reductions raise ValueError."""
    x = tensor(x)
    _check_nonempty(x, axis)
    if x.dtype == tf.bool:
        return _reduce(tf.math.reduce_all, x, axis, keepdims)
    return _reduce(tf.math.reduce_min, x, axis, keepdims)


def _check_nonempty(x: tf.Tensor, axis: Axis) -> None:
    # TF returns -inf/the dtype's lowest value for empty max; the spec leaves it undefined,
    # NumPy raises, and raising is the useful answer.
    shape = x.shape.as_list()
    for a in normalize_axes(axis, len(shape)):
        if shape[a] == 0:
            raise ValueError("zero-size reduction: max/min of an empty axis is undefined")


def _inexact(x: tf.Tensor) -> tf.Tensor:
    return x if (x.dtype.is_floating or x.dtype.is_complex) else tf.cast(x, default_float())


def _count(x: tf.Tensor, axes: list[int]) -> tf.Tensor:
    shape = tf.shape(x, out_type=tf.int64)
    return tf.reduce_prod(tf.gather(shape, axes)) if axes else tf.constant(1, tf.int64)


def mean(x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False) -> tf.Tensor:
    """Arithmetic mean (integer input is averaged in the default float); empty gives NaN."""
    x = _inexact(tensor(x))
    axes = list(normalize_axes(axis, ndim(x)))
    total = tf.math.reduce_sum(x, axis=axes, keepdims=keepdims)
    return total / tf.cast(_count(x, axes), x.dtype)


def var(
    x: tf.Tensor, /, *, axis: Axis = None, correction: Union[int, float] = 0.0, keepdims: bool = False
) -> tf.Tensor:
    """Variance with ``correction`` (0: population, 1: Bessel's); ``N - correction <= 0`` gives inf/NaN."""
    x = _inexact(tensor(x))
    axes = list(normalize_axes(axis, ndim(x)))
    centred = x - tf.math.reduce_mean(x, axis=axes, keepdims=True)
    squares = tf.math.real(centred * tf.math.conj(centred)) if x.dtype.is_complex else centred * centred
    total = tf.math.reduce_sum(squares, axis=axes, keepdims=keepdims)
    dof = tf.cast(_count(x, axes), total.dtype) - tf.constant(correction, total.dtype)
    return total / tf.where(dof > 0, dof, tf.zeros((), dof.dtype))


def std(
    x: tf.Tensor, /, *, axis: Axis = None, correction: Union[int, float] = 0.0, keepdims: bool = False
) -> tf.Tensor:
    """Standard deviation: ``sqrt(var(...))``."""
    return tf.math.sqrt(var(x, axis=axis, correction=correction, keepdims=keepdims))


def _cumulative(fn: Any, initial: int, x: tf.Tensor, axis: Optional[int], dtype: Any, include_initial: bool) -> tf.Tensor:
    x = tensor(x)
    n = ndim(x)
    if axis is None:
        if n > 1:
            raise ValueError("axis is required for arrays of more than one dimension")
        axis = 0
    if n == 0:
        raise ValueError("cumulative functions need an array of at least one dimension")
    axis = normalize_axis(axis, n)
    x = tf.cast(x, _accumulator(x, dtype))
    out = fn(x, axis=axis)
    if include_initial:
        shape = shape_list(x)
        shape[axis] = 1
        out = tf.concat([tf.fill(shape, tf.constant(initial, x.dtype)), out], axis)
    return out


def cumulative_sum(
    x: tf.Tensor, /, *, axis: Optional[int] = None, dtype: Any = None, include_initial: bool = False
) -> tf.Tensor:
    """Running sum along ``axis``; ``include_initial`` prepends a zero."""
    return _cumulative(tf.math.cumsum, 0, x, axis, dtype, include_initial)


def cumulative_prod(
    x: tf.Tensor, /, *, axis: Optional[int] = None, dtype: Any = None, include_initial: bool = False
) -> tf.Tensor:
    """Running product along ``axis``; ``include_initial`` prepends a one."""
    return _cumulative(tf.math.cumprod, 1, x, axis, dtype, include_initial)


def diff(
    x: tf.Tensor, /, *, axis: int = -1, n: int = 1, prepend: Optional[tf.Tensor] = None,
    append: Optional[tf.Tensor] = None,
) -> tf.Tensor:
    """The ``n``-th discrete difference along ``axis`` (booleans use ``!=``)."""
    x = tensor(x)
    axis = normalize_axis(axis, ndim(x))
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        parts = promote_all(parts)
        x = tf.concat(parts, axis)
    for _ in range(n):
        size = shape_list(x)[axis]
        hi = tf.gather(x, tf.range(1, size), axis=axis)
        lo = tf.gather(x, tf.range(0, size - 1), axis=axis)
        x = tf.not_equal(hi, lo) if x.dtype == tf.bool else hi - lo
    return x


def _truthy(x: tf.Tensor) -> tf.Tensor:
    return x if x.dtype == tf.bool else tf.not_equal(x, tf.zeros((), x.dtype))


def all(x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Whether every element along ``axis`` is true (NaN counts as true)."""
    x = tensor(x)
    return _reduce(tf.math.reduce_all, _truthy(x), axis, keepdims)


def any(x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Whether any element along ``axis`` is true (NaN counts as true)."""
    x = tensor(x)
    return _reduce(tf.math.reduce_any, _truthy(x), axis, keepdims)
