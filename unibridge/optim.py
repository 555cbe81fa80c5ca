"""Optimizers with optax's functional interface, on pytrees of any backend's arrays.

::

    opt = unibridge.optim.adam(1e-3)
    state = opt.init(params)
    updates, state = opt.update(grads, state, params)
    params = unibridge.optim.apply_updates(params, updates)

``params``, ``grads`` and ``updates`` are pytrees (:mod:`unibridge.tree`) of
one backend's arrays; the state is a namedtuple of such trees plus a step
count, a 0-d int32 array, so ``init``, ``update`` and ``apply_updates`` run
inside :func:`unibridge.jit` (``tf.function``, ``jax.jit``) and a compiled
step takes and returns the state. Everything is computed with the
namespace of the parameters' backend, on their device, in their dtype (the
bias corrections too: in float32 for float32 parameters, as optax does).

The updates are PyTorch's (``torch.optim.SGD``, ``Adam``, ``AdamW`` with the
same hyperparameters follow the same trajectory) and optax's:

* ``sgd``: ``trace = momentum * trace + g``; the update is ``-lr * trace``
  (``-lr * (g + momentum * trace)`` with Nesterov); torch's ``dampening=0``;
* ``adam``: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``, the update
  is ``-lr m_hat / (sqrt(v_hat) + eps)`` with the bias-corrected moments;
* ``adamw``: Adam's update minus ``lr * weight_decay * params`` (decoupled
  decay; optax's default ``weight_decay=1e-4``, PyTorch's is ``1e-2``).

``learning_rate`` may also be a schedule: a function of the step count (an
int32 array, 0 on the first step) returning the rate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from . import tree
from ._namespace_of import namespace_of, on_device_of
from .errors import ConfigurationError

__all__ = [
    "GradientTransformation",
    "TraceState",
    "AdamState",
    "sgd",
    "adam",
    "adamw",
    "apply_updates",
]

Schedule = Callable[[Any], Any]
LearningRate = float | Schedule


class GradientTransformation(NamedTuple):
    """An optimizer: ``init(params) -> state`` and ``update(grads, state, params=None) -> (updates, state)``.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> opt = ub.optim.sgd(0.1)
        >>> updates, state = opt.update({"w": np.array([1.0])}, opt.init({"w": np.array([2.0])}))
        >>> updates["w"].tolist()
        [-0.1]
    """

    init: Callable[[Any], Any]
    update: Callable[..., tuple[Any, Any]]


class TraceState(NamedTuple):
    """The state of :func:`sgd`: the step count and the momentum trace (None without momentum)."""

    count: Any
    trace: Any


class AdamState(NamedTuple):
    """The state of :func:`adam` and :func:`adamw`: the step count and the two moment estimates."""

    count: Any
    mu: Any
    nu: Any


def _first_leaf(params: Any, what: str) -> Any:
    leaves = tree.leaves(params)
    if not leaves:
        raise ConfigurationError(f"{what} holds no arrays; give the parameters as a pytree of arrays")
    return leaves[0]


def _zero_count(leaf: Any) -> Any:
    xp = namespace_of(leaf, "a parameter")
    return xp.zeros((), dtype=xp.int32, **on_device_of(leaf))


def _check_rate(learning_rate: Any) -> None:
    if callable(learning_rate):
        return
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)):
        raise ConfigurationError(
            f"learning_rate must be a Python number or a schedule (a function of the step count), "
            f"got {type(learning_rate).__name__}"
        )


def _next(count: Any) -> Any:
    """``count + 1`` as an array (NumPy turns arithmetic on 0-d arrays into scalars)."""
    new = count + 1
    return new if type(new) is type(count) else namespace_of(count, "the step count").asarray(new)


def _rate(learning_rate: LearningRate, count: Any) -> Any:
    return learning_rate(count) if callable(learning_rate) else learning_rate


def sgd(learning_rate: LearningRate, momentum: float | None = None, nesterov: bool = False) -> GradientTransformation:
    """Stochastic gradient descent, with optional (Nesterov) momentum; optax's ``sgd``.

    The same trajectory as ``torch.optim.SGD(lr, momentum, nesterov=nesterov)``.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> opt = ub.optim.sgd(0.5, momentum=0.9)
        >>> p = {"w": np.array([1.0])}
        >>> state = opt.init(p)
        >>> for _ in range(2):
        ...     updates, state = opt.update({"w": np.array([1.0])}, state)
        ...     p = ub.optim.apply_updates(p, updates)
        >>> p["w"].round(12).tolist()  # 1 - 0.5 * 1 - 0.5 * 1.9
        [-0.45]
    """
    _check_rate(learning_rate)
    if nesterov and not momentum:
        raise ConfigurationError("nesterov=True needs a momentum; give momentum=0.9 (say)")

    def init(params: Any) -> TraceState:
        leaf = _first_leaf(params, "the parameters")
        trace = None if momentum is None else tree.map(_zeros_like, params)
        return TraceState(_zero_count(leaf), trace)

    def update(grads: Any, state: TraceState, params: Any = None) -> tuple[Any, TraceState]:
        rate = _rate(learning_rate, state.count)
        if momentum is None:
            return tree.map(lambda g: -rate * g, grads), TraceState(_next(state.count), None)
        trace = tree.map(lambda g, t: momentum * t + g, grads, state.trace)
        if nesterov:
            updates = tree.map(lambda g, t: -rate * (g + momentum * t), grads, trace)
        else:
            updates = tree.map(lambda t: -rate * t, trace)
        return updates, TraceState(_next(state.count), trace)

    return GradientTransformation(init, update)


def _zeros_like(x: Any) -> Any:
    return namespace_of(x, "a parameter").zeros_like(x)


def _adam(learning_rate: LearningRate, b1: float, b2: float, eps: float, weight_decay: float | None) -> GradientTransformation:
    _check_rate(learning_rate)

    def init(params: Any) -> AdamState:
        leaf = _first_leaf(params, "the parameters")
        return AdamState(_zero_count(leaf), tree.map(_zeros_like, params), tree.map(_zeros_like, params))

    def update(grads: Any, state: AdamState, params: Any = None) -> tuple[Any, AdamState]:
        if weight_decay is not None and params is None:
            raise ConfigurationError("adamw's update needs the parameters: opt.update(grads, state, params)")
        g0 = _first_leaf(grads, "the gradients")
        xp = namespace_of(g0, "a gradient")
        count = _next(state.count)
        rate = _rate(learning_rate, state.count)
        mu = tree.map(lambda g, m: b1 * m + (1.0 - b1) * g, grads, state.mu)
        nu = tree.map(lambda g, v: b2 * v + (1.0 - b2) * (g * g), grads, state.nu)
        # The bias corrections, once per dtype: 0-d arrays, since the count is an array under jit.
        corrections: dict[Any, tuple[Any, Any]] = {}

        def corrected(m: Any, v: Any) -> Any:
            # -lr m_hat / (sqrt(v_hat) + eps), with the corrections folded into two 0-d factors:
            # = -(lr / c1) sqrt(c2) m / (sqrt(v) + eps sqrt(c2)), c1 = 1 - b1**t, c2 = 1 - b2**t.
            found = corrections.get(m.dtype)
            if found is None:
                t = xp.astype(count, m.dtype)
                root = xp.sqrt(1.0 - b2 ** t)
                found = corrections[m.dtype] = (-rate * root / (1.0 - b1 ** t), eps * root)
            scale, eps_hat = found
            return scale * m / (xp.sqrt(v) + eps_hat)

        updates = tree.map(corrected, mu, nu)
        if weight_decay is not None:
            updates = tree.map(lambda u, p: u - (rate * weight_decay) * p, updates, params)
        return updates, AdamState(count, mu, nu)

    return GradientTransformation(init, update)


def adam(learning_rate: LearningRate, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> GradientTransformation:
    """Adam; optax's ``adam``, the trajectory of ``torch.optim.Adam(lr, betas=(b1, b2), eps=eps)``.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> opt = ub.optim.adam(0.1)
        >>> updates, state = opt.update({"w": np.array([3.0])}, opt.init({"w": np.array([0.0])}))
        >>> round(updates["w"].item(), 6), state.count.item()  # the first step is -lr * sign(g)
        (-0.1, 1)
    """
    return _adam(learning_rate, b1, b2, eps, None)


def adamw(
    learning_rate: LearningRate, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, weight_decay: float = 1e-4
) -> GradientTransformation:
    """Adam with decoupled weight decay; optax's ``adamw``, the trajectory of ``torch.optim.AdamW``.

    ``update`` needs the parameters. The default ``weight_decay`` is optax's
    (1e-4); ``torch.optim.AdamW``'s is 1e-2.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> opt = ub.optim.adamw(0.1, weight_decay=0.5)
        >>> p = {"w": np.array([2.0])}
        >>> updates, _ = opt.update({"w": np.array([0.0])}, opt.init(p), p)
        >>> updates["w"].tolist()  # no gradient: only the decay, -0.1 * 0.5 * 2
        [-0.1]
    """
    return _adam(learning_rate, b1, b2, eps, weight_decay)


def apply_updates(params: Any, updates: Any) -> Any:
    """``params + updates``, leaf by leaf; optax's ``apply_updates``.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.optim.apply_updates({"w": np.array([1.0])}, {"w": np.array([-0.25])})["w"].tolist()
        [0.75]
    """
    return tree.map(lambda p, u: p + u, params, updates)
