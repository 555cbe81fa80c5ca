"""Set functions, built on a stable sort: values come out sorted, and each NaN is its own value."""

from __future__ import annotations

from typing import NamedTuple, Union

import tensorflow as tf

from ._helpers import operands, tensor
from ._sorting import argsort, sort

__all__ = ["isin", "unique_all", "unique_counts", "unique_inverse", "unique_values"]


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


def isin(x1: Union[tf.Tensor, int], x2: Union[tf.Tensor, int], /, *, invert: bool = False) -> tf.Tensor:
    """Whether each element of ``x1`` equals some element of ``x2`` (bool, shaped like ``x1``).

    Equality is ``equal``'s, so NaN is in nothing. Real values binary-search a sorted copy of
    ``x2`` (``O((n + m) log m)``); complex values, which TF cannot sort, compare all pairs.
    """
    a, b = operands(x1, x2)
    needles, haystack = tf.reshape(a, [-1]), tf.reshape(b, [-1])
    if a.dtype.is_complex:
        found = tf.reduce_any(tf.equal(needles[:, None], haystack[None, :]), axis=1)
    else:
        if a.dtype == tf.bool:
            needles, haystack = tf.cast(needles, tf.uint8), tf.cast(haystack, tf.uint8)
        ordered = sort(haystack)  # NaNs last, where a binary search for a number never lands
        n = tf.size(ordered, out_type=tf.int64)
        pos = tf.searchsorted(ordered, needles, side="left", out_type=tf.int64)
        # one padding element keeps the gather in range when a needle sorts past the end
        padded = tf.concat([ordered, tf.zeros([1], ordered.dtype)], 0)
        found = tf.logical_and(pos < n, tf.equal(tf.gather(padded, pos), needles))
    found = tf.reshape(found, tf.shape(a))
    return tf.logical_not(found) if invert else found
