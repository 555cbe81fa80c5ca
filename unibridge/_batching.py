"""JAX's ``in_axes`` and ``out_axes`` rules, for :func:`unibridge.vmap` and the backends that implement it.

``in_axes`` has one entry per positional argument (an int or None applies to
every argument), and each entry is an int, None (not mapped), or a pytree that
is a prefix of its argument, with ints and Nones at its leaves. ``out_axes``
is the same for the output: an int, None, or a prefix of the output tree.

Nothing here imports a framework: shapes are read from ``x.shape`` and axes are
moved by a function the caller passes (its namespace's ``moveaxis``).

Example:
    >>> import numpy as np
    >>> args = (np.zeros((5, 2)), {"w": np.zeros(3)})
    >>> leaves, axes, _ = mapped_leaves(args, normalise_in_axes((0, None), 2))
    >>> axes, batch_size(leaves, axes)
    ([0, None], 5)
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from . import tree
from .errors import ConfigurationError

__all__ = [
    "normalise_in_axes", "mapped_leaves", "batch_size", "broadcast_out_axes", "check_axis_spec", "place_outputs",
]

_NOT_MAPPED = object()  # a leaf stand-in for None (None is an empty node in a pytree)


def _is_none(x: Any) -> bool:
    return x is None


def check_axis_spec(spec: Any, what: str) -> None:
    """Raise unless every leaf of ``spec`` is an int or None."""
    for leaf in tree.leaves(spec, is_leaf=_is_none):
        if leaf is not None and (isinstance(leaf, bool) or not isinstance(leaf, int)):
            raise ConfigurationError(
                f"{what} must be an int, None, or a pytree of ints and Nones, got a {type(leaf).__name__} in it"
            )


def normalise_in_axes(in_axes: Any, count: int) -> tuple[Any, ...]:
    """``in_axes`` as a tuple with one entry per positional argument."""
    if in_axes is None or isinstance(in_axes, int):
        return (in_axes,) * count
    if isinstance(in_axes, list):  # JAX refuses a list (a list is a pytree prefix); a tuple is meant
        raise ConfigurationError("in_axes must be an int, None or a tuple (one entry per argument), not a list")
    if not isinstance(in_axes, tuple):
        raise ConfigurationError(f"in_axes must be an int, None or a tuple, got {type(in_axes).__name__}")
    if len(in_axes) != count:
        raise ConfigurationError(
            f"in_axes has {len(in_axes)} entries but the function was called with {count} positional "
            f"argument{'s' if count != 1 else ''}; give one entry per argument (None: not mapped)"
        )
    return in_axes


def _broadcast(spec: Any, value: Any, what: str) -> Any:
    """A tree shaped like ``value`` whose leaves are the axis ``spec`` gives each (``_NOT_MAPPED`` for None)."""
    try:
        return tree.map(lambda axis, sub: tree.map(lambda _: _NOT_MAPPED if axis is None else axis, sub),
                        spec, value, is_leaf=_is_none)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{what} is not a prefix of the tree it maps: {exc}") from None


def mapped_leaves(args: tuple[Any, ...], in_axes: tuple[Any, ...]) -> tuple[list[Any], list[int | None], tree.TreeDef]:
    """Every leaf of ``args``, its axis (None: not mapped), and the structure to rebuild ``args`` from leaves."""
    leaves, structure = tree.flatten(args)
    axes_tree = _broadcast(in_axes, args, "in_axes")
    axes = [None if a is _NOT_MAPPED else a for a in tree.leaves(axes_tree)]
    return leaves, axes, structure


def batch_size(leaves: list[Any], axes: list[int | None]) -> int:
    """The size of the mapped axes (all equal), with each axis checked; raises naming the mismatch."""
    sizes: dict[int, int] = {}
    for i, (leaf, axis) in enumerate(zip(leaves, axes)):
        if axis is None:
            continue
        shape = getattr(leaf, "shape", None)
        if shape is None:
            raise ConfigurationError(
                f"vmap maps over axis {axis} of a {type(leaf).__name__}, which is not an array; "
                f"give it in_axes None or make it an array"
            )
        ndim = len(shape)
        if not -ndim <= axis < ndim:
            raise ConfigurationError(
                f"in_axes gives axis {axis} for an array of shape {tuple(shape)}: it has no such axis"
            )
        sizes[i] = operator.index(shape[axis])
    if not sizes:
        raise ConfigurationError("vmap needs at least one mapped argument: every in_axes entry is None")
    found = set(sizes.values())
    if len(found) > 1:
        raise ConfigurationError(
            f"vmap's mapped axes have different sizes {sorted(found)}; every mapped array must have the "
            f"same size along its mapped axis"
        )
    return found.pop()


def broadcast_out_axes(out_axes: Any, out: Any) -> list[int | None]:
    """The output axis of each leaf of ``out`` (None: the output is not mapped)."""
    axes_tree = _broadcast(out_axes, out, "out_axes")
    return [None if a is _NOT_MAPPED else a for a in tree.leaves(axes_tree)]


def place_outputs(out: Any, out_axes: Any, move: Callable[[Any, int | None], Any]) -> Any:
    """``out`` (mapped along axis 0 of every leaf) with ``move(leaf, axis)`` where ``out_axes`` is not 0.

    ``move(leaf, None)`` is asked for the outputs that ``out_axes`` says are
    not mapped: it returns the first example's (they are all equal).
    """
    if out_axes == 0:
        return out
    leaves, structure = tree.flatten(out)
    axes = broadcast_out_axes(out_axes, out)
    return tree.unflatten(structure, [leaf if axis == 0 else move(leaf, axis) for leaf, axis in zip(leaves, axes)])
