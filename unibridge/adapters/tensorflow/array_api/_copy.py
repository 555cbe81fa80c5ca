"""A copy of a tensor in memory of its own.

``tf.identity`` returns a tensor that shares its input's buffer, and that buffer
may be a NumPy array's: the namespace imports compact, aligned, writable host
arrays without copying (DLPack). A "copy" made with ``tf.identity`` would then
change whenever the NumPy array is written. ``tf.raw_ops.DeepCopy`` allocates;
TensorFlow registers no gradient for it, so it carries the identity's. XLA has
no DeepCopy kernel, so inside a traced function (``tf.function``, compiled or
not: the trace cannot tell) the copy is ``tf.identity``, TensorFlow's own.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

__all__ = ["fresh_copy"]


@tf.custom_gradient  # type: ignore[untyped-decorator]
def _deep_copy(x: tf.Tensor) -> Any:
    return tf.raw_ops.DeepCopy(x=x), lambda upstream: upstream


def fresh_copy(x: tf.Tensor) -> tf.Tensor:
    """``x``'s values in a buffer no other array shares, differentiable as ``x`` itself.

    Example:
        >>> import numpy as np
        >>> fresh_copy(tf.constant([1.0, 2.0])).numpy().tolist()
        [1.0, 2.0]
    """
    return _deep_copy(x) if tf.executing_eagerly() else tf.identity(x)
