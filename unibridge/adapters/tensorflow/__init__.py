"""The TensorFlow backend. Importing this package does not import TensorFlow.

``array_api`` (a subpackage) is the conforming Array API namespace for
``tf.Tensor``; import it with ``from unibridge.adapters.tensorflow import array_api``.
"""

from ._backend import TensorFlowBackend

__all__ = ["TensorFlowBackend"]
