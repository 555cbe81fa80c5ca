"""Gradients on torch tensors: the torch backend's :class:`~unibridge.backend_kit.Autodiff`.

``torch.autograd.grad`` on fresh leaves (``detach().requires_grad_()``): each
differentiated tensor becomes its own leaf, so the same tensor passed twice gets
two gradients, the same tensor reaching the function any other way (a keyword, a
closure, an ``nn.Parameter`` it captures) is a constant, and the caller's tensors
are never modified.

A graph is built for the gradients only while an enclosing ``unibridge.grad``
records (``grad(grad(f))``): then the leaves stay connected to the outer graph and
the gradients are made with ``create_graph=True``. At top level nothing returned
carries autograd history, whether or not the inputs require grad (an
``nn.Parameter`` does): a training loop's graph and memory stay flat.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from ..backend_kit import Autodiff
from ..errors import NotDifferentiableError

__all__ = ["TorchAutodiff"]

Leaves = list[Any]


class TorchAutodiff(Autodiff):
    """``torch.autograd.grad`` over fresh leaves; graphs for gradients only when nested.

    Example:
        >>> import torch
        >>> ad = TorchAutodiff()
        >>> value, aux, grads = ad.value_and_grad(lambda xs: ((xs[0] ** 2).sum(), None),
        ...                                       [torch.tensor([3.0])], lambda v: None)
        >>> float(value), grads[0].tolist(), grads[0].requires_grad
        (9.0, [6.0], False)
    """

    name = "torch"
    module = "torch"

    def __init__(self) -> None:
        super().__init__()
        # How many unibridge differentiations on this backend are recording around this call,
        # in this thread or task. Only they need a graph for the gradients (to differentiate
        # them again); torch's own grad mode cannot tell, since it is on by default.
        self._depth: ContextVar[int] = ContextVar(f"unibridge_torch_recording_{id(self)}", default=0)

    def array_types(self) -> tuple[type, ...]:
        import torch

        return (torch.Tensor,)

    def dtype_name(self, x: Any) -> str:
        return str(x.dtype).removeprefix("torch.")

    def differentiable(self, x: Any) -> bool:
        return bool(x.dtype.is_floating_point or x.dtype.is_complex)

    def refusal(self, x: Any) -> str | None:
        if x.is_inference():
            return ("it was made under torch.inference_mode(), which records nothing and lets no "
                    "tensor made there require grad; make it outside inference_mode (or use "
                    "torch.no_grad() there), or pass x.clone() made outside inference_mode")
        return super().refusal(x)

    def is_real_scalar(self, x: Any) -> bool:
        return bool(x.ndim == 0 and x.dtype.is_floating_point)

    def value_and_grad(
        self, call: Callable[[Leaves], tuple[Any, Any]], leaves: Leaves, check: Callable[[Any], None]
    ) -> tuple[Any, Any, Leaves]:
        import torch

        if torch.is_inference_mode_enabled():
            raise NotDifferentiableError(
                "unibridge.grad was called inside torch.inference_mode(), where torch records no "
                "gradients; call it outside the inference_mode block (torch.no_grad() is fine)"
            )
        nested = self._depth.get() > 0
        inputs = [
            leaf.view_as(leaf) if nested and leaf.requires_grad else leaf.detach().requires_grad_()
            for leaf in leaves
        ]
        token = self._depth.set(self._depth.get() + 1)
        try:
            with torch.enable_grad():  # JAX's convention: a gradient works inside no_grad() too
                value, aux = call(inputs)
                check(value)
                found = self._gradients(torch, value, inputs, nested)
        finally:
            self._depth.reset(token)
        grads = [torch.zeros_like(x) if g is None else g for x, g in zip(inputs, found)]
        if nested:
            return value, aux, grads
        return value.detach(), _detached(aux, torch), grads

    @staticmethod
    def _gradients(torch: Any, value: Any, inputs: Leaves, nested: bool) -> Sequence[Any]:
        if not value.requires_grad:  # the value does not depend on any input
            return (None,) * len(inputs)
        return torch.autograd.grad(value, inputs, allow_unused=True, create_graph=nested)  # type: ignore[no-any-return]

    def stop_gradient(self, x: Any) -> Any:
        return x.detach()


def _detached(aux: Any, torch: Any) -> Any:
    """``aux`` with every tensor that records history detached, so the graph it holds is freed."""
    if aux is None:
        return None
    from ..autodiff._tree import tree_map

    return tree_map(lambda v: v.detach() if isinstance(v, torch.Tensor) and v.requires_grad else v, aux)
