"""One small adapter per framework with automatic differentiation: torch, TensorFlow, JAX.

Each adapter answers the same questions, so :mod:`unibridge.autodiff` and
:mod:`unibridge.compiling` hold no per-framework branches:

* ``owns(x)``: is ``x`` one of its arrays (traced and symbolic ones included)?
* ``dtype_name(x)`` and ``differentiable(x)``: floating or complex?
* ``value_and_grad(call, leaves, check)``: run ``call(leaves)`` (which returns
  ``(value, aux)``) while recording, pass ``value`` to ``check``, and return
  ``(value, aux, gradients)``, one gradient per leaf, each the steepest-ascent
  direction (PyTorch's convention, also for complex leaves);
* ``stop_gradient(x)`` and ``jit(fun)``.

Frameworks are imported lazily: an adapter looks its framework up in
``sys.modules`` (an array of a framework that was never imported cannot exist)
and imports it only when asked to compute. Nothing here changes a framework's
global state.
"""

from __future__ import annotations

import abc
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["Autodiff", "ADAPTERS", "adapter_for"]

Leaves = list[Any]
Call = Callable[[Leaves], tuple[Any, Any]]
Check = Callable[[Any], None]


class Autodiff(abc.ABC):
    """What every framework adapter offers; see the module docstring."""

    name: str = ""
    module: str = ""  # the top-level module that must be imported for its arrays to exist

    def __init__(self) -> None:
        self._types: tuple[type, ...] = ()  # cached once the framework is imported

    @abc.abstractmethod
    def array_types(self) -> tuple[type, ...]:
        """The framework's array types (traced and symbolic ones included); () before it is imported."""
        ...

    def owns(self, x: Any) -> bool:
        types = self._types
        if not types:
            if self.module not in sys.modules:
                return False  # an array of a framework never imported cannot exist
            types = self._types = self.array_types()
        return isinstance(x, types)

    @abc.abstractmethod
    def dtype_name(self, x: Any) -> str:
        ...

    @abc.abstractmethod
    def differentiable(self, x: Any) -> bool:
        ...

    @abc.abstractmethod
    def is_real_scalar(self, x: Any) -> bool:
        """A 0-d array with a real floating dtype (what a loss must be)."""
        ...

    def shape(self, x: Any) -> tuple[Any, ...]:
        return tuple(x.shape)

    @abc.abstractmethod
    def value_and_grad(self, call: Call, leaves: Leaves, check: Check) -> tuple[Any, Any, Leaves]:
        ...

    @abc.abstractmethod
    def stop_gradient(self, x: Any) -> Any:
        ...

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        return fun


class TorchAutodiff(Autodiff):
    """``torch.autograd.grad`` on fresh leaves (``detach().requires_grad_()``).

    Each differentiated array becomes its own leaf, so the same tensor passed
    twice gets two gradients and the caller's tensors are never modified.
    When an input already requires grad inside an enabled graph (a gradient of
    a gradient), the leaf stays connected and the gradients are built with
    ``create_graph=True`` so the outer call can differentiate them.
    """

    name = "torch"
    module = "torch"

    def array_types(self) -> tuple[type, ...]:
        import torch

        return (torch.Tensor,)

    def dtype_name(self, x: Any) -> str:
        return str(x.dtype).removeprefix("torch.")

    def differentiable(self, x: Any) -> bool:
        return bool(x.dtype.is_floating_point or x.dtype.is_complex)

    def is_real_scalar(self, x: Any) -> bool:
        return bool(x.ndim == 0 and x.dtype.is_floating_point)

    def value_and_grad(self, call: Call, leaves: Leaves, check: Check) -> tuple[Any, Any, Leaves]:
        import torch

        recording = torch.is_grad_enabled()
        nested = recording and any([leaf.requires_grad for leaf in leaves])
        inputs = [
            leaf.view_as(leaf) if nested and leaf.requires_grad else leaf.detach().requires_grad_()
            for leaf in leaves
        ]
        if recording:
            value, aux, found = self._record(call, inputs, check, nested)
        else:
            with torch.enable_grad():  # JAX's convention: a gradient works inside no_grad() too
                value, aux, found = self._record(call, inputs, check, nested)
        grads = [torch.zeros_like(x) if g is None else g for x, g in zip(inputs, found)]
        if nested:
            return value, aux, grads
        return value.detach(), aux if aux is None else _detach_tree(aux, torch), grads

    @staticmethod
    def _record(call: Call, inputs: Leaves, check: Check, nested: bool) -> tuple[Any, Any, Sequence[Any]]:
        import torch

        value, aux = call(inputs)
        check(value)
        if not value.requires_grad:  # the value does not depend on any input
            return value, aux, (None,) * len(inputs)
        return value, aux, torch.autograd.grad(value, inputs, allow_unused=True, create_graph=nested)

    def stop_gradient(self, x: Any) -> Any:
        return x.detach()


def _detach_tree(aux: Any, torch: Any) -> Any:
    """``aux`` with its tensors detached, so the graph they hold can be freed."""
    from ._tree import tree_map

    return tree_map(lambda v: v.detach() if isinstance(v, torch.Tensor) else v, aux)


class TensorFlowAutodiff(Autodiff):
    """``tf.GradientTape`` watching exactly the differentiated arrays.

    A tensor passed twice is watched through two ``tf.identity`` copies (a tape
    would otherwise give both positions the sum of their gradients).
    ``tf.Variable`` leaves are watched as they are. Sparse gradients
    (``IndexedSlices``, from ``gather``) come back dense, like the other
    frameworks'. Works eagerly and inside ``tf.function``.
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

    def value_and_grad(self, call: Call, leaves: Leaves, check: Check) -> tuple[Any, Any, Leaves]:
        import tensorflow as tf

        seen: set[int] = set()
        watched = []
        for leaf in leaves:
            watched.append(tf.identity(leaf) if id(leaf) in seen else leaf)
            seen.add(id(leaf))
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            for x in watched:
                tape.watch(x)
            value, aux = call(watched)
            check(value)
        found = tape.gradient(value, watched, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        grads = [g if isinstance(g, tf.Tensor) else tf.convert_to_tensor(g) for g in found]
        return value, aux, grads

    def stop_gradient(self, x: Any) -> Any:
        import tensorflow as tf

        return tf.stop_gradient(x)

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        import tensorflow as tf

        # Traced like jax.jit: Python control flow runs once, at trace time, and an `if` on a
        # tensor's value raises on both. AutoGraph would turn it into tf.cond on TensorFlow only
        # (so code would pass on TF and fail on JAX), and would try to convert unibridge's own code.
        return tf.function(fun, autograph=False)  # type: ignore[no-any-return]


class JaxAutodiff(Autodiff):
    """``jax.value_and_grad`` over the list of leaves.

    JAX returns the conjugate of PyTorch's gradient for complex inputs (for
    ``|z|**2`` it gives ``2*conj(z)``); complex gradients are conjugated back
    so ``z - lr * g`` descends on every backend.
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

    def value_and_grad(self, call: Call, leaves: Leaves, check: Check) -> tuple[Any, Any, Leaves]:
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

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        import jax

        return jax.jit(fun)


ADAPTERS: dict[str, Autodiff] = {a.name: a for a in (TorchAutodiff(), TensorFlowAutodiff(), JaxAutodiff())}


def adapter_for(x: Any, candidates: Sequence[Autodiff] = tuple(ADAPTERS.values())) -> Autodiff | None:
    """The adapter whose framework ``x`` belongs to, or None."""
    for adapter in candidates:
        if adapter.owns(x):
            return adapter
    return None
