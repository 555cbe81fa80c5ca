"""Gradients on JAX arrays: the JAX backend's :class:`~unibridge.backend_kit.Autodiff`.

``jax.value_and_grad`` over the list of leaves. JAX already treats every other
way an array reaches the function (a keyword, a closure, a global) as a constant,
and its results carry no history, so the rule holds as it is. Two adjustments:
complex gradients are conjugated (JAX gives ``2*conj(z)`` for ``|z|**2``; the rule
is steepest ascent, ``2*z``, as on the other backends), and the loss is checked
while tracing, so unibridge's error comes before JAX's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from unibridge.backend_kit import Autodiff

__all__ = ["JaxAutodiff"]

Leaves = list[Any]


class JaxAutodiff(Autodiff):
    """``jax.value_and_grad`` over the leaves; complex gradients point uphill.

    Example:
        >>> import jax.numpy as jnp
        >>> value, aux, grads = JaxAutodiff().value_and_grad(
        ...     lambda xs: (jnp.sum(xs[0] ** 2), None), [jnp.array([3.0])], lambda v: None)
        >>> float(value), grads[0].tolist()
        (9.0, [6.0])
    """

    name = "jax"
    module = "jax"

    def array_types(self) -> tuple[type, ...]:
        import jax

        return (jax.Array,)  # tracers inside jit included

    def dtype_name(self, x: Any) -> str:
        return str(x.dtype.name)

    def differentiable(self, x: Any) -> bool:
        import jax.numpy as jnp

        return bool(jnp.issubdtype(x.dtype, jnp.inexact))  # bfloat16 included

    def is_real_scalar(self, x: Any) -> bool:
        import jax.numpy as jnp

        return bool(x.ndim == 0 and jnp.issubdtype(x.dtype, jnp.floating))

    def value_and_grad(
        self, call: Callable[[Leaves], tuple[Any, Any]], leaves: Leaves, check: Callable[[Any], None]
    ) -> tuple[Any, Any, Leaves]:
        import jax
        import jax.numpy as jnp

        def checked(inputs: Leaves) -> tuple[Any, Any]:
            value, aux = call(inputs)
            check(value)  # runs while tracing: our error, before JAX's own
            return value, aux

        (value, aux), grads = jax.value_and_grad(checked, has_aux=True)(list(leaves))
        grads = [jnp.conj(g) if jnp.iscomplexobj(g) else g for g in grads]
        return value, aux, grads

    def stop_gradient(self, x: Any) -> Any:
        import jax

        return jax.lax.stop_gradient(x)
