"""Manipulation functions (shape and data movement)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Optional, Union

import tensorflow as tf

from ._copy import fresh_copy
from ._fast import EAGER, raw
from ._helpers import (
    from_signed_view, ndim, normalize_axes, normalize_axis, promote_all, shape_list, signed_view, tensor,
)

_CONCAT, _PACK = raw("ConcatV2"), raw("Pack")

__all__ = [
    "broadcast_arrays", "broadcast_shapes", "broadcast_to", "concat", "expand_dims", "flip", "moveaxis", "permute_dims",
    "repeat", "reshape", "roll", "squeeze", "stack", "tile", "unstack",
]


def broadcast_arrays(*arrays: tf.Tensor) -> tuple[tf.Tensor, ...]:
    """Broadcast arrays against each other (a tuple, as the 2025.12 spec says)."""
    tensors = [tensor(a) for a in arrays]
    if not tensors:
        return ()
    shape = tf.shape(tensors[0])
    for t in tensors[1:]:
        shape = tf.broadcast_dynamic_shape(shape, tf.shape(t))
    return tuple(tf.broadcast_to(t, shape) for t in tensors)


def _broadcast_dim(sizes: list[Optional[int]], shapes: tuple[Sequence[Optional[int]], ...]) -> Optional[int]:
    known = {d for d in sizes if d is not None and d != 1}
    if len(known) > 1:
        raise ValueError(f"shapes {', '.join(str(tuple(s)) for s in shapes)} cannot be broadcast together")
    if known:
        return known.pop()
    return None if None in sizes else 1


def broadcast_shapes(*shapes: Sequence[Optional[int]]) -> tuple[Optional[int], ...]:
    """The shape that ``shapes`` broadcast to; ``None`` (an unknown size) propagates.

    A ``None`` next to a known size other than 1 takes that size (the only value that can
    broadcast); mismatched known sizes raise ValueError.
    """
    rank = builtins.max((len(s) for s in shapes), default=0)
    padded = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
    return tuple(_broadcast_dim([p[i] for p in padded], shapes) for i in range(rank))


def broadcast_to(x: tf.Tensor, /, shape: Sequence[int]) -> tf.Tensor:
    """Broadcast ``x`` to ``shape``."""
    return tf.broadcast_to(tensor(x), list(shape))


def _same_dtype_eager(arrays: Sequence[tf.Tensor]) -> Optional[tf.Tensor]:
    """The first array, when there are at least two and all are eager tensors of its dtype."""
    if type(arrays) not in (list, tuple) or len(arrays) < 2:
        return None
    first = arrays[0]
    if type(first) is not EAGER:
        return None
    dt = first.dtype
    for a in arrays:
        if type(a) is not EAGER or a.dtype is not dt:
            return None
    return first


def concat(arrays: Union[tuple[tf.Tensor, ...], list[tf.Tensor]], /, *, axis: Optional[int] = 0) -> tf.Tensor:
    """Join arrays along ``axis`` (``None`` flattens first); dtypes are promoted."""
    if type(axis) is int:
        first = _same_dtype_eager(arrays)
        if first is not None and -first.ndim <= axis < first.ndim:
            return _CONCAT(list(arrays), axis)
    tensors = promote_all(arrays)
    if axis is None:
        return tf.concat([tf.reshape(t, [-1]) for t in tensors], 0)
    return tf.concat(tensors, normalize_axis(axis, ndim(tensors[0])))


def expand_dims(x: tf.Tensor, /, axis: Union[int, tuple[int, ...]] = 0) -> tf.Tensor:
    """Insert size-one axes at ``axis`` (positions in the output, each in ``[-M, M)``, ``M = ndim + len(axis)``)."""
    x = tensor(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    m = ndim(x) + len(axes)
    for a in axes:
        if not -m <= a < m:
            raise IndexError(f"axis {a} is out of bounds for expand_dims of {ndim(x)} dimensions into {m}")
    positions = sorted(a % m for a in axes)
    if len(set(positions)) != len(positions):
        raise ValueError(f"expand_dims: axis {axis} names the same position twice")
    for a in positions:
        x = tf.expand_dims(x, a)
    return x


def flip(x: tf.Tensor, /, *, axis: Optional[Union[int, tuple[int, ...]]] = None) -> tf.Tensor:
    """Reverse the order of elements along ``axis`` (all axes by default)."""
    x = tensor(x)
    axes = normalize_axes(axis, ndim(x))
    return tf.reverse(x, list(axes)) if axes else x


def permute_dims(x: tf.Tensor, /, axes: tuple[int, ...]) -> tf.Tensor:
    """Permute the axes of ``x``."""
    x = tensor(x)
    n = ndim(x)
    perm = [normalize_axis(a, n) for a in axes]
    if sorted(perm) != list(range(n)):
        raise ValueError(f"axes {axes} is not a permutation of {n} axes")
    return tf.transpose(x, perm)


def moveaxis(
    x: tf.Tensor, source: Union[int, tuple[int, ...]], destination: Union[int, tuple[int, ...]], /
) -> tf.Tensor:
    """Move axes to new positions; the others keep their order."""
    x = tensor(x)
    n = ndim(x)
    src = [normalize_axis(a, n) for a in ((source,) if isinstance(source, int) else source)]
    dst = [normalize_axis(a, n) for a in ((destination,) if isinstance(destination, int) else destination)]
    if len(src) != len(dst) or len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError("source and destination must be distinct axes of equal count")
    order = [a for a in range(n) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tf.transpose(x, order)


def repeat(x: tf.Tensor, repeats: Union[int, tf.Tensor], /, *, axis: Optional[int] = None) -> tf.Tensor:
    """Repeat each element ``repeats`` times along ``axis`` (flattened when ``None``)."""
    x = tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    else:
        axis = normalize_axis(axis, ndim(x))
    reps = repeats if isinstance(repeats, int) else tf.cast(tensor(repeats), tf.int64)
    return from_signed_view(tf.repeat(signed_view(x), reps, axis=axis), x.dtype)


def reshape(x: tf.Tensor, /, shape: tuple[int, ...], *, copy: Optional[bool] = None) -> tf.Tensor:
    """Reshape ``x``; ``copy=True`` gives memory of its own (a NumPy array imported without a copy
    may share ``x``'s buffer, and a reshape shares it too)."""
    x = tensor(x)
    wanted = list(shape)
    if wanted.count(-1) > 1:
        raise ValueError("reshape: at most one dimension may be -1")
    out = tf.reshape(x, wanted)
    return fresh_copy(out) if copy else out


def roll(
    x: tf.Tensor, /, shift: Union[int, tuple[int, ...]], *, axis: Optional[Union[int, tuple[int, ...]]] = None
) -> tf.Tensor:
    """Roll elements along ``axis`` (the flattened array when ``None``)."""
    x = tensor(x)
    if axis is None:
        flat = tf.reshape(x, [-1])
        total = shift if isinstance(shift, int) else sum(shift)
        return tf.reshape(tf.roll(flat, total, 0), tf.shape(x))
    shifts = [shift] if isinstance(shift, int) else list(shift)
    axes = [axis] if isinstance(axis, int) else list(axis)
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    axes = [normalize_axis(a, ndim(x)) for a in axes]
    return tf.roll(x, shifts, axes)


def squeeze(x: tf.Tensor, /, axis: Union[int, tuple[int, ...]]) -> tf.Tensor:
    """Remove size-one axes; ValueError when a named axis is not of size one."""
    x = tensor(x)
    axes = normalize_axes(axis, ndim(x))
    shape = shape_list(x)
    for a in axes:
        if isinstance(shape[a], int) and shape[a] != 1:
            raise ValueError(f"cannot squeeze axis {a} of size {shape[a]}")
    return tf.squeeze(x, list(axes)) if axes else x


def stack(arrays: Union[tuple[tf.Tensor, ...], list[tf.Tensor]], /, *, axis: int = 0) -> tf.Tensor:
    """Join arrays along a new axis; dtypes are promoted."""
    if type(axis) is int:
        first = _same_dtype_eager(arrays)
        if first is not None and -first.ndim - 1 <= axis <= first.ndim:
            return _PACK(list(arrays), axis)
    tensors = promote_all(arrays)
    n = ndim(tensors[0])
    if not -n - 1 <= axis <= n:
        raise IndexError(f"axis {axis} is out of bounds for stack on {n} dimensions")
    return tf.stack(tensors, axis)


def tile(x: tf.Tensor, repetitions: tuple[int, ...], /) -> tf.Tensor:
    """Repeat the whole array ``repetitions`` times per axis (ranks are padded with ones)."""
    x = tensor(x)
    reps = list(repetitions)
    n = ndim(x)
    if len(reps) < n:
        reps = [1] * (n - len(reps)) + reps
    elif len(reps) > n:
        x = tf.reshape(x, [1] * (len(reps) - n) + shape_list(x))
    # TF's Tile kernel has no uint16 version; tiling the same bits as int16 is identical.
    return from_signed_view(tf.tile(signed_view(x), reps), x.dtype)


def unstack(x: tf.Tensor, /, *, axis: int = 0) -> tuple[tf.Tensor, ...]:
    """Split ``x`` along ``axis`` into a tuple of arrays."""
    x = tensor(x)
    return tuple(tf.unstack(x, axis=normalize_axis(axis, ndim(x))))
