"""Indexing functions: ``take`` and ``take_along_axis``."""

from __future__ import annotations

from typing import Optional

import tensorflow as tf

from ._fast import EAGER, raw
from ._helpers import ndim, normalize_axis, shape_list, tensor

__all__ = ["take", "take_along_axis"]

_GATHER = raw("GatherV2")
_INDEX = frozenset({tf.int32, tf.int64})
_on_cpu: dict[str, bool] = {}  # TF device string -> whether it names a CPU


def _is_cpu(x: tf.Tensor) -> bool:
    name = x.device
    found = _on_cpu.get(name)
    if found is None:
        found = _on_cpu[name] = "CPU" in name.upper()
    return found


def _wrap(indices: tf.Tensor, size: object) -> tf.Tensor:
    # The spec allows negative indices (counted from the end); tf.gather does not.
    indices = tf.cast(indices, tf.int64)
    return tf.where(indices < 0, indices + tf.cast(size, tf.int64), indices)


def take(x: tf.Tensor, indices: tf.Tensor, /, *, axis: Optional[int] = None) -> tf.Tensor:
    """Elements of ``x`` at ``indices`` along ``axis`` (required unless ``x`` is 1-D); negative indices count from the end.

    Eager CPU tensors try TF's gather first: its CPU kernel checks every index and raises on a
    negative one, and only then are negative indices wrapped. (TF's GPU kernel gives zeros for
    out-of-range indices instead of raising, so GPU and graph calls always wrap.)
    """
    if type(x) is EAGER and type(indices) is EAGER and indices.dtype in _INDEX:
        fast_axis = 0 if axis is None and x.ndim == 1 else axis
        if type(fast_axis) is int and -x.ndim <= fast_axis < x.ndim and _is_cpu(x):
            try:
                return _GATHER(x, indices, fast_axis)
            except tf.errors.InvalidArgumentError:
                pass  # a negative index (or one out of range, which the general path reports)
    x = tensor(x)
    if axis is None:
        if ndim(x) != 1:
            raise ValueError("take needs axis= for arrays of more than one dimension")
        axis = 0
    axis = normalize_axis(axis, ndim(x))
    return tf.gather(x, _wrap(tensor(indices), shape_list(x)[axis]), axis=axis)


def take_along_axis(x: tf.Tensor, indices: tf.Tensor, /, *, axis: int = -1) -> tf.Tensor:
    """Pick values along ``axis`` at the matching positions of ``indices`` (batch dims broadcast)."""
    x, indices = tensor(x), tensor(indices)
    n = ndim(x)
    axis = normalize_axis(axis, n)
    xs, is_ = shape_list(x), shape_list(indices)
    batch_x = xs[:axis] + [1] + xs[axis + 1:]
    batch_i = is_[:axis] + [1] + is_[axis + 1:]
    batch = tf.broadcast_dynamic_shape(tf.shape(tf.zeros(batch_x, tf.int8)), tf.shape(tf.zeros(batch_i, tf.int8)))
    x_shape = tf.tensor_scatter_nd_update(batch, [[axis]], [tf.shape(x)[axis]])
    i_shape = tf.tensor_scatter_nd_update(batch, [[axis]], [tf.shape(indices)[axis]])
    x = tf.broadcast_to(x, x_shape)
    idx = _wrap(tf.broadcast_to(indices, i_shape), xs[axis])
    perm = [a for a in range(n) if a != axis] + [axis]
    inv = [perm.index(a) for a in range(n)]
    out = tf.gather(tf.transpose(x, perm), tf.transpose(idx, perm), batch_dims=n - 1)
    return tf.transpose(out, inv)
