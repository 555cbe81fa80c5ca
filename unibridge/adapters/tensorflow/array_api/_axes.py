"""Axis arguments: checked against the rank, and (eagerly) reused as cached constant tensors.

A reduction over ``axis=None`` of a rank-2 tensor needs the tensor ``[0, 1]``; building it
costs as much as a small reduction itself, so eager calls reuse one per ``(axis, rank)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, Union

import tensorflow as tf

__all__ = ["Axis", "normalize_axis", "normalize_axes", "reduction_axes"]

Axis = Optional[Union[int, Sequence[int]]]

_CACHE: dict[tuple[Any, int], tuple[tf.Tensor, tuple[int, ...]]] = {}
_CACHE_LIMIT = 4096  # distinct (axis, rank) pairs; past this, build each time


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


def reduction_axes(axis: Axis, ndim: int) -> tuple[tf.Tensor, tuple[int, ...]]:
    """The normalized axes, as an int32 tensor on the host and as a tuple; built once per ``(axis, rank)``.

    For eager calls only: inside ``tf.function`` a Python list becomes a graph constant for free.
    """
    key = (tuple(axis) if type(axis) is list else axis, ndim)
    found = _CACHE.get(key)
    if found is None:
        axes = normalize_axes(axis, ndim)
        with tf.device("/CPU:0"):  # reduction kernels read their axes from host memory
            found = (tf.constant(axes, tf.int32), axes)
        if len(_CACHE) < _CACHE_LIMIT:
            _CACHE[key] = found
    return found
