"""Statistical and utility reductions: sums, products, extrema, moments, cumulative, diff, all, any.

Reductions over eager tensors of a dtype the raw op handles exactly (floats for sums and
moments, real numbers for extrema of non-empty tensors, bools for all/any) call ``tf.raw_ops``
with a cached axes constant; the rest take the general path. Inside ``tf.function`` the general
path builds the same single op for those dtypes.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Union

import tensorflow as tf

from ._axes import reduction_axes
from ._dtypes import as_tf_dtype, default_float
from ._fast import EAGER, INEXACT, REAL, REAL_FLOATS, ids, raw
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


_BOOL = frozenset({tf.bool})
_SUM, _PROD, _MAX, _MIN, _MEAN, _ALL, _ANY = (raw(n) for n in ("Sum", "Prod", "Max", "Min", "Mean", "All", "Any"))
_SQUARED_DIFFERENCE, _MUL, _REAL_DIV, _SQRT = (raw(n) for n in ("SquaredDifference", "Mul", "RealDiv", "Sqrt"))


INEXACT_IDS, REAL_IDS, REAL_FLOAT_IDS, BOOL_IDS = (ids(d) for d in (INEXACT, REAL, REAL_FLOATS, _BOOL))


def _fast(x: Any, dtype_ids: frozenset[int], keepdims: Any) -> bool:
    """Whether ``x`` takes a raw reduction at once: eager, of one of the dtypes, ``keepdims`` a bool."""
    return type(x) is EAGER and id(x.dtype) in dtype_ids and type(keepdims) is bool


def _nonempty(x: tf.Tensor) -> bool:
    return 0 not in x.shape.as_list()


def _reduce(fn: Any, x: tf.Tensor, axis: Axis, keepdims: bool) -> tf.Tensor:
    axes = list(normalize_axes(axis, ndim(x)))
    return fn(x, axis=axes, keepdims=keepdims)


def sum(x: tf.Tensor, /, *, axis: Axis = None, dtype: Any = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Sum over ``axis`` (all axes by default); integers accumulate in int64/uint64."""
    if dtype is None and _fast(x, INEXACT_IDS, keepdims):
        return _SUM(x, reduction_axes(axis, x.ndim)[0], keepdims)
    x = tensor(x)
    return _reduce(tf.math.reduce_sum, tf.cast(x, _accumulator(x, dtype)), axis, keepdims)


def prod(x: tf.Tensor, /, *, axis: Axis = None, dtype: Any = None, keepdims: bool = False) -> tf.Tensor:
    """Product over ``axis``; integers accumulate in int64/uint64."""
    if dtype is None and _fast(x, INEXACT_IDS, keepdims):
        return _PROD(x, reduction_axes(axis, x.ndim)[0], keepdims)
    x = tensor(x)
    return _reduce(tf.math.reduce_prod, tf.cast(x, _accumulator(x, dtype)), axis, keepdims)


def max(x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Maximum over ``axis``; NaN propagates. Empty reductions raise ValueError."""
    if _fast(x, REAL_IDS, keepdims) and _nonempty(x):
        return _MAX(x, reduction_axes(axis, x.ndim)[0], keepdims)
    x = tensor(x)
    _check_nonempty(x, axis)
    if x.dtype == tf.bool:
        return _reduce(tf.math.reduce_any, x, axis, keepdims)
    return _reduce(tf.math.reduce_max, x, axis, keepdims)


def min(x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Minimum over ``axis``; NaN propagates. Empty reductions raise ValueError."""
    if _fast(x, REAL_IDS, keepdims) and _nonempty(x):
        return _MIN(x, reduction_axes(axis, x.ndim)[0], keepdims)
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
    if _fast(x, REAL_FLOAT_IDS, keepdims):
        return _MEAN(x, reduction_axes(axis, x.ndim)[0], keepdims)
    x = _inexact(tensor(x))
    axes = list(normalize_axes(axis, ndim(x)))
    if x.dtype.is_floating:
        return tf.math.reduce_mean(x, axis=axes, keepdims=keepdims)  # real Mean of nothing is 0/0 = NaN
    # TF's complex Mean of nothing is 0; the spec asks for NaN, which sum / count gives
    total = tf.math.reduce_sum(x, axis=axes, keepdims=keepdims)
    return total / tf.cast(_count(x, axes), x.dtype)


def _static_count(x: tf.Tensor, axes: tuple[int, ...]) -> Optional[int]:
    dims = x.shape.as_list()
    count = 1
    for a in axes:
        if dims[a] is None:
            return None
        count *= dims[a]
    return count


def _var_general(x: tf.Tensor, axis: Axis, correction: Union[int, float], keepdims: bool) -> tf.Tensor:
    """Any dtype and shape: complex magnitudes, integers in the default float, dynamic counts."""
    x = _inexact(x)
    axes = list(normalize_axes(axis, ndim(x)))
    centred = x - tf.math.reduce_mean(x, axis=axes, keepdims=True)
    squares = tf.math.real(centred * tf.math.conj(centred)) if x.dtype.is_complex else centred * centred
    total = tf.math.reduce_sum(squares, axis=axes, keepdims=keepdims)
    dof = tf.cast(_count(x, axes), total.dtype) - tf.constant(correction, total.dtype)
    return tf.where(dof > 0, total / tf.where(dof > 0, dof, tf.ones((), dof.dtype)), tf.constant(math.nan, total.dtype))


def var(
    x: tf.Tensor, /, *, axis: Axis = None, correction: Union[int, float] = 0.0, keepdims: bool = False
) -> tf.Tensor:
    """Variance with ``correction`` (0: population, 1: Bessel's); ``N - correction <= 0`` gives NaN.

    Real floats of known shape take four raw ops (mean, squared difference, sum or mean, scale).
    """
    if type(x) is not EAGER:
        x = tensor(x)
    if x.dtype not in REAL_FLOATS or type(keepdims) is not bool:
        return _var_general(x, axis, correction, bool(keepdims))
    if type(x) is EAGER:
        axes_arg, axes = reduction_axes(axis, x.ndim)
    else:
        axes = normalize_axes(axis, ndim(x))
        axes_arg = list(axes)
    count = _static_count(x, axes)
    if count is None:
        return _var_general(x, axis, correction, keepdims)
    squares = _SQUARED_DIFFERENCE(x, _MEAN(x, axes_arg, True))
    dof = count - correction
    if dof <= 0:
        return _MUL(_SUM(squares, axes_arg, keepdims), math.nan)
    if correction == 0:
        return _MEAN(squares, axes_arg, keepdims)
    return _REAL_DIV(_SUM(squares, axes_arg, keepdims), float(dof))


def std(
    x: tf.Tensor, /, *, axis: Axis = None, correction: Union[int, float] = 0.0, keepdims: bool = False
) -> tf.Tensor:
    """Standard deviation: ``sqrt(var(...))``."""
    return _SQRT(var(x, axis=axis, correction=correction, keepdims=keepdims))


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
    if _fast(x, BOOL_IDS, keepdims):
        return _ALL(x, reduction_axes(axis, x.ndim)[0], keepdims)
    x = tensor(x)
    return _reduce(tf.math.reduce_all, _truthy(x), axis, keepdims)


def any(x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Whether any element along ``axis`` is true (NaN counts as true)."""
    if _fast(x, BOOL_IDS, keepdims):
        return _ANY(x, reduction_axes(axis, x.ndim)[0], keepdims)
    x = tensor(x)
    return _reduce(tf.math.reduce_any, _truthy(x), axis, keepdims)
