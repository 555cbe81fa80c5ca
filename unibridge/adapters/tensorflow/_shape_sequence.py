"""``tf.TensorShape`` registered as a ``collections.abc.Sequence``: unibridge's one global effect on TF.

The Array API says ``x.shape`` is a tuple-like sequence. ``TensorShape`` indexes, slices,
iterates and has a length, but it is not a ``Sequence`` to ``isinstance``, so code that checks
for one (``ndindex``, the official conformance suite, array-api-extra) rejects TF shapes.

``Sequence.register`` only makes ``isinstance(shape, Sequence)`` true. It adds no method and
changes no TensorFlow object's behaviour: ``TensorShape`` still has no ``index``/``count``
(an ABC registration never adds the mixin methods). It runs once, when the TF backend or the
namespace is first used; nothing else global is touched (no patching of ``tf.Tensor``, no
``experimental_enable_numpy_behavior``). ``tests/array_api/test_xp_global_state.py`` checks both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["register_tensorshape_as_sequence"]


def register_tensorshape_as_sequence(tf: Any) -> None:
    """Make ``isinstance(tf.TensorShape(...), Sequence)`` true (idempotent)."""
    shape_type = tf.TensorShape
    if not issubclass(shape_type, Sequence):
        Sequence.register(shape_type)
