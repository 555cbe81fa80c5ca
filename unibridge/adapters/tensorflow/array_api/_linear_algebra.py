"""The main namespace's linear algebra: matmul, matrix_transpose, tensordot, vecdot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import tensorflow as tf

from ._fast import EAGER, INEXACT, raw
from ._helpers import ndim, normalize_axis, operands, tensor

_MATMUL, _BATCH_MATMUL = raw("MatMul"), raw("BatchMatMulV2")

__all__ = ["matmul", "matrix_transpose", "tensordot", "vecdot"]

# TF's MatMul kernels exist for int32/int64 and floats only. Integer products wrap modulo
# 2**bits, and int64 arithmetic modulo 2**64 cast back down gives exactly those bits.
_WIDEN = {tf.int8, tf.int16, tf.uint8, tf.uint16, tf.uint32, tf.uint64}


def _widen(a: tf.Tensor) -> tf.Tensor:
    if a.dtype == tf.uint64:
        return tf.bitcast(a, tf.int64)
    return tf.cast(a, tf.int64) if a.dtype in _WIDEN else a


def _narrow(out: tf.Tensor, dtype: tf.DType) -> tf.Tensor:
    if out.dtype == dtype:
        return out
    return tf.bitcast(out, dtype) if dtype == tf.uint64 else tf.cast(out, dtype)


def matmul(x1: tf.Tensor, x2: tf.Tensor, /) -> tf.Tensor:
    """Matrix product with batch broadcasting; 1-D operands act as vectors (numpy semantics)."""
    if type(x1) is EAGER and type(x2) is EAGER and x1.dtype is x2.dtype and x1.dtype in INEXACT:
        r1, r2 = x1.ndim, x2.ndim
        try:
            if r1 == 2 and r2 == 2:
                return _MATMUL(x1, x2)
            if r1 >= 2 and r2 >= 2:
                return _BATCH_MATMUL(x1, x2)  # broadcasts the batch dimensions
        except tf.errors.InvalidArgumentError:
            pass  # shapes that do not fit: the general path below says why in the namespace's words
    a, b = operands(x1, x2)
    if ndim(a) == 0 or ndim(b) == 0:
        raise ValueError("matmul does not accept 0-d arrays; use multiply")
    if a.dtype == tf.bool:
        raise TypeError("matmul needs numeric arrays, got bool")
    vec_a, vec_b = ndim(a) == 1, ndim(b) == 1
    if vec_a:
        a = a[None, :]
    if vec_b:
        b = b[:, None]
    if a.shape[-1] is not None and b.shape[-2] is not None and a.shape[-1] != b.shape[-2]:
        raise ValueError(f"matmul: inner dimensions differ ({a.shape[-1]} and {b.shape[-2]})")
    try:
        tf.broadcast_static_shape(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: the batch dimensions {a.shape[:-2].as_list()} and {b.shape[:-2].as_list()} do not broadcast"
        ) from None
    dtype = a.dtype
    out = _narrow(tf.linalg.matmul(_widen(a), _widen(b)), dtype)
    if vec_a:
        out = tf.squeeze(out, -2)
    if vec_b:
        out = tf.squeeze(out, -1)
    return out


def matrix_transpose(x: tf.Tensor, /) -> tf.Tensor:
    """Swap the last two axes."""
    x = tensor(x)
    if ndim(x) < 2:
        raise ValueError("matrix_transpose needs an array of at least two dimensions")
    return tf.linalg.matrix_transpose(x)


def tensordot(
    x1: tf.Tensor, x2: tf.Tensor, /, *, axes: Union[int, tuple[Sequence[int], Sequence[int]]] = 2
) -> tf.Tensor:
    """Sum products over ``axes`` (the last ``axes`` of ``x1`` with the first of ``x2``, or two lists)."""
    a, b = operands(x1, x2)
    if isinstance(axes, int):
        if axes < 0:
            raise ValueError("tensordot: axes must be non-negative")
        pair = (list(range(ndim(a) - axes, ndim(a))), list(range(axes)))
    else:
        pair = ([normalize_axis(i, ndim(a)) for i in axes[0]], [normalize_axis(i, ndim(b)) for i in axes[1]])
    dtype = a.dtype
    return _narrow(tf.tensordot(_widen(a), _widen(b), pair), dtype)


def vecdot(x1: tf.Tensor, x2: tf.Tensor, /, *, axis: int = -1) -> tf.Tensor:
    """``sum(conj(x1) * x2)`` along ``axis`` after broadcasting."""
    a, b = operands(x1, x2)
    shape = tf.broadcast_static_shape(a.shape, b.shape)
    axis = normalize_axis(axis, shape.rank)
    if a.shape.rank and b.shape.rank:
        n1 = a.shape[axis - shape.rank] if axis - shape.rank >= -a.shape.rank else None
        n2 = b.shape[axis - shape.rank] if axis - shape.rank >= -b.shape.rank else None
        if n1 is not None and n2 is not None and n1 != n2:
            raise ValueError(f"vecdot: the contracted axes differ in size ({n1} and {n2})")
    if a.dtype.is_complex:
        a = tf.math.conj(a)
    return tf.reduce_sum(a * b, axis=axis)
