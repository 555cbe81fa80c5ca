"""Function transformations beyond gradients: ``unibridge.vmap``, JAX's convention on every backend.

``vmap`` maps a function over an axis of its arguments.

``vmap(fun, in_axes=0, out_axes=0)`` returns a function that calls ``fun`` on
each slice of its mapped arguments and stacks the results along ``out_axes``.
``in_axes`` is an int, None, or a tuple with one entry per positional argument,
each an int, None (not mapped: every call sees the whole argument) or a pytree
prefix of the argument; ``out_axes`` likewise for the output.

Who computes: a backend that offers the optional ``vmap`` capability
(:class:`unibridge.protocol.SupportsVmap`) vectorises with its framework:
``torch.func.vmap``, ``tf.vectorized_map``, ``jax.vmap``. A backend without one
(NumPy, Dask, array-api-strict) gets the documented fallback: a Python loop
over the slices, then ``stack`` (same results, one call of ``fun`` per
example). The backend is the one whose array the first mapped argument is.

Composes with :func:`unibridge.grad`: ``vmap(grad(loss), in_axes=(None, 0, 0))``
gives per-example gradients.

Example:
    >>> import numpy as np, unibridge as ub
    >>> dot = lambda w, x: (w * x).sum()
    >>> ub.vmap(dot, in_axes=(None, 0))(np.array([1.0, 2.0]), np.array([[1.0, 1.0], [3.0, 0.5]])).tolist()
    [3.0, 4.0]
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import tree
from ._batching import batch_size, check_axis_spec, mapped_leaves, normalise_in_axes, place_outputs
from ._namespace_of import namespace_of
from .errors import ConfigurationError
from .protocol import SupportsVmap
from .registry import owner_of

__all__ = ["vmap", "loop_and_stack"]


def vmap(fun: Callable[..., Any], in_axes: Any = 0, out_axes: Any = 0) -> Callable[..., Any]:
    """``fun`` mapped over axis ``in_axes`` of its arguments, results stacked along ``out_axes`` (``jax.vmap``).

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.vmap(lambda x: x.sum(), in_axes=1)(np.arange(6.0).reshape(2, 3)).tolist()
        [3.0, 5.0, 7.0]
    """
    if not callable(fun):
        raise ConfigurationError(f"vmap needs a function, got {type(fun).__name__}")
    check_axis_spec(in_axes, "in_axes")
    check_axis_spec(out_axes, "out_axes")
    by_backend: dict[str, Callable[..., Any]] = {}  # the backend's mapped function, built once per backend

    @functools.wraps(fun)
    def mapped(*args: Any) -> Any:
        axes = normalise_in_axes(in_axes, len(args))
        leaves, leaf_axes, _ = mapped_leaves(args, axes)
        batch_size(leaves, leaf_axes)  # checked here, so a backend's own error never escapes for these
        first = next(leaf for leaf, axis in zip(leaves, leaf_axes) if axis is not None)
        backend = owner_of(first)
        if backend is None:
            raise ConfigurationError(
                f"vmap maps over a {type(first).__name__}, not an array of a registered backend; "
                f"make it one first, e.g. unibridge.asarray(x)"
            )
        found = by_backend.get(backend.name)
        if found is None:
            if isinstance(backend, SupportsVmap):
                found = backend.vmap(fun, axes, out_axes)
            else:
                found = functools.partial(loop_and_stack, fun, axes, out_axes)
            by_backend[backend.name] = found
        return found(*args)

    return mapped


def loop_and_stack(fun: Callable[..., Any], in_axes: tuple[Any, ...], out_axes: Any, *args: Any) -> Any:
    """The fallback ``vmap``: ``fun`` called once per slice in a Python loop, the results stacked.

    Example:
        >>> import numpy as np
        >>> loop_and_stack(lambda x: x * 2, (0,), 1, np.array([[1.0, 2.0], [3.0, 4.0]])).tolist()
        [[2.0, 6.0], [4.0, 8.0]]
    """
    leaves, axes, structure = mapped_leaves(args, in_axes)
    n = batch_size(leaves, axes)
    if n == 0:
        raise ConfigurationError(
            "vmap over an empty axis (size 0) cannot run the function on a backend without its own vmap: "
            "nothing tells the shape of the results"
        )
    moved = [leaf if axis is None else namespace_of(leaf).moveaxis(leaf, axis, 0) for leaf, axis in zip(leaves, axes)]
    results = []
    for i in range(n):
        sliced = [leaf if axis is None else leaf[i, ...] for leaf, axis in zip(moved, axes)]
        results.append(fun(*tree.unflatten(structure, sliced)))
    # Stacked with the namespace of the mapped input: NumPy gives 0-d results as scalars, not arrays.
    xp = namespace_of(next(leaf for leaf, axis in zip(leaves, axes) if axis is not None))
    out_structure = tree.structure(results[0])
    columns = zip(*[tree.leaves(r) for r in results])  # leaf j of every example
    stacked = [xp.stack([xp.asarray(piece) for piece in column], axis=0) for column in columns]

    def move(x: Any, axis: int | None) -> Any:
        return x[0, ...] if axis is None else xp.moveaxis(x, 0, axis)

    return place_outputs(tree.unflatten(out_structure, stacked), out_axes, move)
