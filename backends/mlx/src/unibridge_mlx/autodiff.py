"""Gradients and compilation for MLX arrays: ``mx.value_and_grad`` and ``mx.compile``.

What ``unibridge.value_and_grad`` needs from MLX, measured with mlx 0.32.4:

* ``mx.value_and_grad`` over a list of arrays differentiates each *position*: the same
  array twice in the list gets two gradients, and the same array reaching the function
  through a closure is a constant. That is unibridge's rule (only the leaves are
  variables), with no copies to make.
* Complex gradients already follow PyTorch's convention: the gradient of ``|z|**2`` is
  ``2*z`` (JAX's is ``2*conj(z)``), so nothing is conjugated here.
* Gradients of gradients work (``mx.grad`` nests), and ``mx.eval`` inside ``mx.grad``
  keeps the graph of the differentiated inputs.
* Results are lazy, as every MLX array is: reading them (``ub.to_numpy``, ``float``) or
  ``mx.eval`` computes them. MLX records no tape: a result holds the computation that
  makes it until it is evaluated, and nothing after that.

Example:
    >>> import numpy as np, unibridge as ub
    >>> w = ub.asarray(np.array([1.0, -2.0]), backend="mlx")
    >>> value, g = ub.value_and_grad(lambda w: ub.namespace("mlx").sum(w ** 3))(w)
    >>> float(ub.to_numpy(value)), ub.to_numpy(g).tolist(), ub.dtype_of(g)
    (-7.0, [3.0, 12.0], DType('float64'))
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from unibridge.backend_kit import Autodiff

__all__ = ["MlxAutodiff", "compiled"]


def _mx() -> ModuleType:
    import mlx.core as mx

    return mx


class MlxAutodiff(Autodiff):
    """``mx.value_and_grad`` over the flat list of leaves.

    Example:
        >>> from unibridge_mlx.autodiff import MlxAutodiff
        >>> import mlx.core as mx
        >>> ad = MlxAutodiff()
        >>> ad.owns(mx.array([1.0])), ad.differentiable(mx.array([1, 2])), ad.dtype_name(mx.array([1, 2]))
        (True, False, 'int32')
    """

    name = "mlx"
    module = "mlx"

    def array_types(self) -> tuple[type, ...]:
        return (_mx().array,)

    def dtype_name(self, x: Any) -> str:
        return str(x.dtype).removeprefix("mlx.core.").replace("bool_", "bool")

    def differentiable(self, x: Any) -> bool:
        mx = _mx()
        return bool(mx.issubdtype(x.dtype, mx.inexact))  # float16, bfloat16, float32/64, complex64

    def is_real_scalar(self, x: Any) -> bool:
        mx = _mx()
        return bool(x.ndim == 0 and mx.issubdtype(x.dtype, mx.floating))

    def value_and_grad(
        self, call: Callable[[list[Any]], tuple[Any, Any]], leaves: list[Any], check: Callable[[Any], None]
    ) -> tuple[Any, Any, list[Any]]:
        mx = _mx()
        auxes: list[Any] = []

        def loss(inputs: list[Any]) -> Any:
            value, aux = call(inputs)
            check(value)  # our error, before MLX's own
            auxes.append(aux)  # aux leaves through the closure: MLX differentiates the value only
            return value

        value, grads = mx.value_and_grad(loss)(list(leaves))
        return value, auxes[-1], list(grads)

    def stop_gradient(self, x: Any) -> Any:
        return _mx().stop_gradient(x)


def compiled(mx: ModuleType, fun: Callable[..., Any]) -> Callable[..., Any]:
    """``mx.compile(fun)``: traced once per input shapes and dtypes, elementwise chains fused.

    Traced like ``jax.jit``: Python control flow runs at trace time, and reading values
    (``float(x)``, ``ub.to_numpy``) inside raises (``UnsupportedInputError`` from unibridge).
    Fused float64 kernels can round the last bit differently from eager MLX.

    Example:
        >>> import mlx.core as mx
        >>> f = compiled(mx, lambda x: x * 2 + 1)
        >>> f(mx.array([1.0, 2.0])).tolist()
        [3.0, 5.0]
    """
    return mx.compile(fun)  # type: ignore[no-any-return]
