"""Gradients on TensorFlow tensors: the TensorFlow backend's :class:`~unibridge.backend_kit.Autodiff`.

A ``tf.GradientTape`` watches objects: watching a tensor ``x`` makes *every* use
of ``x`` inside the tape a variable, so ``sum(u * v)`` at ``u = v = x`` would give
``2x`` for ``u`` alone, and a ``tf.Variable`` the function captures would be
differentiated too. unibridge's rule is that only the arguments selected by
``argnums`` are variables, so each differentiated leaf gets a fresh identity
(``tf.identity`` inside the tape), only those copies are watched
(``watch_accessed_variables=False``), and the function receives the copies.
Every other way the same tensor reaches the function is a constant.

Sparse gradients (``IndexedSlices``, from ``gather``) come back dense, like the
other frameworks'. Works eagerly and inside ``tf.function``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...backend_kit import Autodiff

__all__ = ["TensorFlowAutodiff"]

Leaves = list[Any]


class TensorFlowAutodiff(Autodiff):
    """``tf.GradientTape`` watching a fresh copy of each differentiated leaf, and nothing else.

    Example:
        >>> import tensorflow as tf
        >>> x = tf.constant([3.0])
        >>> value, aux, grads = TensorFlowAutodiff().value_and_grad(
        ...     lambda xs: (tf.reduce_sum(xs[0] * x), None), [x], lambda v: None)
        >>> float(value), grads[0].numpy().tolist()   # x reached the function twice; only xs[0] varies
        (9.0, [3.0])
    """

    name = "tensorflow"
    module = "tensorflow"

    def array_types(self) -> tuple[type, ...]:
        import tensorflow as tf

        return (tf.Tensor, tf.Variable)

    def dtype_name(self, x: Any) -> str:
        return str(x.dtype.name)

    def differentiable(self, x: Any) -> bool:
        return bool(x.dtype.is_floating or x.dtype.is_complex)

    def is_real_scalar(self, x: Any) -> bool:
        return bool(x.shape.rank == 0 and x.dtype.is_floating)

    def shape(self, x: Any) -> tuple[Any, ...]:
        return tuple(x.shape) if x.shape.rank is not None else ("unknown rank",)

    def value_and_grad(
        self, call: Callable[[Leaves], tuple[Any, Any]], leaves: Leaves, check: Callable[[Any], None]
    ) -> tuple[Any, Any, Leaves]:
        import tensorflow as tf

        with tf.GradientTape(watch_accessed_variables=False) as tape:
            # Made inside the tape, so an enclosing tape (grad of grad) sees each copy depend on its leaf.
            inputs = [tf.identity(leaf) for leaf in leaves]
            for x in inputs:
                tape.watch(x)
            value, aux = call(inputs)
            check(value)
        found = tape.gradient(value, inputs, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        grads = [g if isinstance(g, tf.Tensor) else tf.convert_to_tensor(g) for g in found]
        return value, aux, grads

    def stop_gradient(self, x: Any) -> Any:
        import tensorflow as tf

        return tf.stop_gradient(x)
