"""Set functions, built on a stable sort: values come out sorted, and each NaN is its own value."""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf

from ._helpers import tensor
from ._sorting import argsort

__all__ = ["unique_all", "unique_counts", "unique_inverse", "unique_values"]


class UniqueAllResult(NamedTuple):
    values: tf.Tensor
    indices: tf.Tensor
    inverse_indices: tf.Tensor
    counts: tf.Tensor


class UniqueCountsResult(NamedTuple):
    values: tf.Tensor
    counts: tf.Tensor


class UniqueInverseResult(NamedTuple):
    values: tf.Tensor
    inverse_indices: tf.Tensor


def _groups(x: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
    """(flat values, sort order, group id of each sorted element, group starts mask, group count)."""
    flat = tf.reshape(x, [-1])
    if flat.dtype.is_complex:
        # no complex sort kernel: order by (real, imag) with two stable sorts
        order = argsort(tf.math.imag(flat))
        order = tf.gather(order, argsort(tf.gather(tf.math.real(flat), order)))
    else:
        order = argsort(flat)
    s = tf.gather(flat, order)
    # NaN != NaN, so every NaN starts its own group, as the spec asks
    new = tf.concat([tf.ones([tf.minimum(tf.size(s), 1)], tf.bool), tf.not_equal(s[1:], s[:-1])], 0)
    group = tf.cumsum(tf.cast(new, tf.int64)) - 1
    return flat, order, group, new, tf.reduce_sum(tf.cast(new, tf.int32))


def unique_values(x: tf.Tensor, /) -> tf.Tensor:
    """The distinct values of ``x``, sorted, as a 1-D array (data-dependent shape)."""
    x = tensor(x)
    flat, order, _, new, _ = _groups(x)
    return tf.boolean_mask(tf.gather(flat, order), new)


def unique_counts(x: tf.Tensor, /) -> UniqueCountsResult:
    """Distinct values and how often each occurs (counts are int64)."""
    x = tensor(x)
    flat, order, group, new, k = _groups(x)
    counts = tf.math.unsorted_segment_sum(tf.ones_like(group), group, k)
    return UniqueCountsResult(tf.boolean_mask(tf.gather(flat, order), new), counts)


def unique_inverse(x: tf.Tensor, /) -> UniqueInverseResult:
    """Distinct values and, for each element of ``x``, the index of its value (shape of ``x``)."""
    x = tensor(x)
    flat, order, group, new, _ = _groups(x)
    inverse = tf.scatter_nd(order[:, None], group, tf.shape(order, out_type=tf.int64))
    return UniqueInverseResult(tf.boolean_mask(tf.gather(flat, order), new), tf.reshape(inverse, tf.shape(x)))


def unique_all(x: tf.Tensor, /) -> UniqueAllResult:
    """Distinct values, first-occurrence indices, inverse indices and counts (all int64)."""
    x = tensor(x)
    flat, order, group, new, k = _groups(x)
    inverse = tf.scatter_nd(order[:, None], group, tf.shape(order, out_type=tf.int64))
    counts = tf.math.unsorted_segment_sum(tf.ones_like(group), group, k)
    first = tf.math.unsorted_segment_min(order, group, k)  # stable sort: any index works, take the first
    return UniqueAllResult(
        tf.boolean_mask(tf.gather(flat, order), new), first, tf.reshape(inverse, tf.shape(x)), counts
    )
