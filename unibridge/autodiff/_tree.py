"""Pytrees: nested dicts, lists, tuples and namedtuples of arrays, flattened and rebuilt.

The gradient functions differentiate with respect to every array in an
argument and hand the gradients back in the argument's own structure. This
module is that structure: :func:`flatten` turns a tree into its leaves (every
object that is not a container, in order) and a definition, :func:`unflatten`
rebuilds a tree of the same shape from new leaves.

Containers: ``dict`` and its subclasses (``OrderedDict``, ``defaultdict`` with its
``default_factory``, rebuilt with the same type and key order), ``list``, ``tuple``,
namedtuples; ``None`` is an empty container, kept as ``None``.

Example:
    >>> leaves, tree = flatten({"w": [1, 2], "b": (3, None)})
    >>> leaves
    [1, 2, 3]
    >>> unflatten(tree, [10, 20, 30])
    {'w': [10, 20], 'b': (30, None)}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Tree", "flatten", "unflatten", "tree_map", "leaf_paths"]

# A tree definition: LEAF, NONE, or (type, keys, children definitions); for a defaultdict,
# (type, (default_factory, keys), children).
LEAF = 0
NONE = 1
Tree = Any


def flatten(x: Any) -> tuple[list[Any], Tree]:
    """The leaves of ``x`` in order, and the definition :func:`unflatten` rebuilds it from."""
    leaves: list[Any] = []
    return leaves, _flatten(x, leaves)


def _flatten(x: Any, leaves: list[Any]) -> Tree:
    t = type(x)
    # The common containers first, by exact type (this runs on every gradient call).
    if t is dict:
        return (dict, tuple(x), tuple([_flatten(v, leaves) for v in x.values()]))
    if t is list or t is tuple:
        return (t, None, tuple([_flatten(item, leaves) for item in x]))
    if x is None:
        return NONE
    if isinstance(x, tuple) and hasattr(t, "_fields"):  # namedtuple
        return (t, None, tuple([_flatten(item, leaves) for item in x]))
    if isinstance(x, defaultdict):
        return (t, (x.default_factory, tuple(x)), tuple([_flatten(v, leaves) for v in x.values()]))
    if isinstance(x, dict):
        return (t, tuple(x), tuple([_flatten(v, leaves) for v in x.values()]))
    if isinstance(x, (list, tuple)):
        return (t, None, tuple([_flatten(item, leaves) for item in x]))
    leaves.append(x)
    return LEAF


def unflatten(tree: Tree, leaves: list[Any]) -> Any:
    """A tree shaped like ``tree`` whose leaves are ``leaves``, in order."""
    it = iter(leaves)
    return _unflatten(tree, it)


def _unflatten(tree: Tree, it: Iterator[Any]) -> Any:
    if tree is LEAF:
        return next(it)
    if tree is NONE:
        return None
    t, keys, children = tree
    items = [_unflatten(child, it) for child in children]
    if keys is not None:
        if issubclass(t, defaultdict):
            factory, keys = keys
            return t(factory, zip(keys, items))
        return t(zip(keys, items))
    if t is list:
        return items
    if t is tuple:
        return tuple(items)
    if hasattr(t, "_fields"):
        return t(*items)
    return t(items)


def tree_map(fn: Callable[[Any], Any], x: Any) -> Any:
    """``x`` with ``fn`` applied to every leaf.

    Example:
        >>> tree_map(lambda v: v * 2, {"a": [1, (2, 3)]})
        {'a': [2, (4, 6)]}
    """
    leaves, tree = flatten(x)
    return unflatten(tree, [fn(leaf) for leaf in leaves])


def leaf_paths(x: Any, prefix: str = "") -> list[str]:
    """A readable path for each leaf, in :func:`flatten`'s order (for error messages).

    Example:
        >>> leaf_paths({"w": [1, 2]}, "params")
        ["params['w'][0]", "params['w'][1]"]
    """
    if x is None:
        return []
    if isinstance(x, dict):
        return [p for k, v in x.items() for p in leaf_paths(v, f"{prefix}[{k!r}]")]
    if isinstance(x, tuple) and hasattr(type(x), "_fields"):
        return [p for name, v in zip(getattr(type(x), "_fields"), x) for p in leaf_paths(v, f"{prefix}.{name}")]
    if isinstance(x, (list, tuple)):
        return [p for i, v in enumerate(x) for p in leaf_paths(v, f"{prefix}[{i}]")]
    return [prefix]
