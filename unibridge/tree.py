"""Pytrees, with JAX's names: nested containers of arrays, mapped, flattened and rebuilt.

Model code keeps its parameters, gradients and optimizer state in nested
containers; these functions treat such a container as one value.
:func:`leaves` lists the arrays in a fixed order, :func:`structure` is the
shape of the nesting, :func:`flatten` gives both, :func:`unflatten` rebuilds a
tree from new leaves and :func:`map` applies a function leaf by leaf (to
several trees of one structure at once). :func:`unibridge.grad` uses this
module to find the arrays it differentiates.

The containers (nodes) are JAX's: ``dict``, ``collections.OrderedDict``,
``collections.defaultdict``, ``list``, ``tuple``, namedtuples, and ``None``.
Everything else is a leaf, subclasses of ``dict`` or ``list`` included (as in
JAX). Choices, each as ``jax.tree_util`` makes it:

* ``None`` is a node with no children: it holds no leaf and is rebuilt as
  ``None`` (``leaves([1, None]) == [1]``);
* ``{"b": x, "a": y}`` and ``{"a": y, "b": x}`` have the same structure (the
  key order of a plain dict or ``defaultdict`` does not count; an
  ``OrderedDict``'s does), and :func:`map` over several trees pairs their
  leaves by key;
* a rebuilt ``defaultdict`` keeps its ``default_factory``.

One deliberate difference: the leaves of a ``dict`` come in the dict's own
key order, and a rebuilt dict keeps it, where JAX sorts the keys. Gradients
and checkpoints come back in the order the parameters were written, and keys
that cannot be sorted (``{1: a, "x": b}``) work where JAX raises. For a dict
written in sorted key order the two agree.

Example:
    >>> import unibridge as ub
    >>> params = {"w": [1.0, 2.0], "b": (3.0, None)}
    >>> ub.tree.leaves(params)
    [1.0, 2.0, 3.0]
    >>> ub.tree.map(lambda p, g: p - 0.5 * g, params, {"w": [2.0, 2.0], "b": (2.0, None)})
    {'w': [0.0, 1.0], 'b': (2.0, None)}
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from .errors import ConfigurationError

__all__ = ["TreeDef", "map", "leaves", "structure", "flatten", "unflatten", "leaf_paths"]

IsLeaf = Callable[[Any], bool] | None

# A node of a definition: LEAF, NONE, or a tuple (type, keys, children, factory): keys are
# a dict's keys in its own order (None for sequences), factory a defaultdict's default_factory.
LEAF = 0
NONE = 1

def _sorted_keys(x: dict[Any, Any]) -> tuple[Any, ...]:
    keys = tuple(x)
    try:
        ordered = tuple(sorted(keys))
    except TypeError:  # keys of mixed types: keep insertion order (JAX raises)
        return keys
    return ordered


def _flatten(x: Any, out: list[Any], is_leaf: IsLeaf) -> Any:
    if is_leaf is not None and is_leaf(x):
        out.append(x)
        return LEAF
    t = type(x)
    # By exact type, most common first: this runs on every gradient and optimizer call.
    if t is dict or t is defaultdict:
        return (t, tuple(x), tuple([_flatten(v, out, is_leaf) for v in x.values()]),
                x.default_factory if t is defaultdict else None)
    if t is list or t is tuple:
        return (t, None, tuple([_flatten(item, out, is_leaf) for item in x]), None)
    if x is None:
        return NONE
    if t is OrderedDict:
        return (t, tuple(x), tuple([_flatten(v, out, is_leaf) for v in x.values()]), None)
    if issubclass(t, tuple) and hasattr(t, "_fields"):  # namedtuple
        return (t, None, tuple([_flatten(item, out, is_leaf) for item in x]), None)
    out.append(x)
    return LEAF


def _canonical(node: Any) -> Any:
    """``node`` with its plain dicts' keys sorted (their order does not change the structure)."""
    if node is LEAF or node is NONE:
        return node
    t, keys, children, factory = node
    children = tuple([_canonical(c) for c in children])
    if t is dict or t is defaultdict:
        order = _sorted_keys(dict(zip(keys, range(len(keys)))))
        position = {k: i for i, k in enumerate(keys)}
        keys, children = order, tuple([children[position[k]] for k in order])
    return (t, keys, children, factory)


def _count(node: Any) -> int:
    if node is LEAF:
        return 1
    if node is NONE:
        return 0
    return sum([_count(c) for c in node[2]])


class TreeDef:
    """The structure of a tree without its leaves (JAX's ``PyTreeDef``).

    Two trees have equal structures when they nest the same containers with the
    same keys; ``num_leaves`` is how many leaves :func:`unflatten` needs.

    Example:
        >>> import unibridge as ub
        >>> s = ub.tree.structure({"a": [1, 2], "b": None})
        >>> s.num_leaves, s == ub.tree.structure({"b": None, "a": [5, 6]})
        (2, True)
    """

    __slots__ = ("node", "_leaves")

    def __init__(self, node: Any, num_leaves: int | None = None) -> None:
        self.node = node
        self._leaves = num_leaves

    @property
    def num_leaves(self) -> int:
        if self._leaves is None:
            self._leaves = _count(self.node)
        return self._leaves

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TreeDef):
            return NotImplemented
        return bool(self.node == other.node or _canonical(self.node) == _canonical(other.node))

    def __hash__(self) -> int:
        return hash(_canonical(self.node))

    def __repr__(self) -> str:
        return f"TreeDef({unflatten(self, ['*'] * self.num_leaves)!r})"


def flatten(tree: Any, is_leaf: IsLeaf = None) -> tuple[list[Any], TreeDef]:
    """The leaves of ``tree`` in order, and its structure (``jax.tree_util.tree_flatten``).

    ``is_leaf(x)`` returning True makes ``x`` a leaf even if it is a container.

    Example:
        >>> import unibridge as ub
        >>> leaves, s = ub.tree.flatten({"w": [1, 2], "b": (3, None)})
        >>> leaves, ub.tree.unflatten(s, [10, 20, 30])
        ([1, 2, 3], {'w': [10, 20], 'b': (30, None)})
    """
    out: list[Any] = []
    node = _flatten(tree, out, is_leaf)
    return out, TreeDef(node, len(out))


def leaves(tree: Any, is_leaf: IsLeaf = None) -> list[Any]:
    """The leaves of ``tree`` in order (``jax.tree_util.tree_leaves``).

    Example:
        >>> import unibridge as ub
        >>> ub.tree.leaves([1, {"b": 2, "a": 3}, None, (4,)])
        [1, 2, 3, 4]
    """
    out: list[Any] = []
    _flatten(tree, out, is_leaf)
    return out


def structure(tree: Any, is_leaf: IsLeaf = None) -> TreeDef:
    """The structure of ``tree`` (``jax.tree_util.tree_structure``).

    Example:
        >>> import unibridge as ub
        >>> ub.tree.structure((1, [2, 3])).num_leaves
        3
    """
    return flatten(tree, is_leaf)[1]


def unflatten(treedef: TreeDef, leaves: Any) -> Any:
    """A tree of structure ``treedef`` whose leaves are ``leaves``, in order (``tree_unflatten``).

    Example:
        >>> import unibridge as ub
        >>> ub.tree.unflatten(ub.tree.structure({"a": 0, "b": [0]}), ["x", "y"])
        {'a': 'x', 'b': ['y']}
    """
    if not isinstance(treedef, TreeDef):
        raise ConfigurationError(
            f"unflatten needs a TreeDef (from unibridge.tree.structure or flatten), got {type(treedef).__name__}"
        )
    items = list(leaves)
    if len(items) != treedef.num_leaves:
        raise ConfigurationError(
            f"the structure holds {treedef.num_leaves} leaves but {len(items)} were given; "
            f"give exactly one leaf per leaf of the structure"
        )
    return _unflatten(treedef.node, iter(items))


def _unflatten(node: Any, it: Iterator[Any]) -> Any:
    if node is LEAF:
        return next(it)
    if node is NONE:
        return None
    t, keys, children, factory = node
    items = [_unflatten(child, it) for child in children]
    if keys is None:
        if t is list:
            return items
        if t is tuple:
            return tuple(items)
        return t(*items)  # namedtuple
    rebuilt = dict(zip(keys, items))
    if t is dict:
        return rebuilt
    if t is defaultdict:
        return defaultdict(factory, rebuilt)
    return t(rebuilt)  # OrderedDict


def _flatten_up_to(node: Any, x: Any, out: list[Any], where: str) -> None:
    """Append to ``out`` the subtrees of ``x`` at the leaves of ``node`` (``x`` must have ``node`` as a prefix)."""
    if node is LEAF:
        out.append(x)
        return
    if node is NONE:
        if x is not None:
            raise ConfigurationError(f"the trees differ at {where or 'the root'}: None in the first, "
                                     f"{type(x).__name__} in another; give trees of one structure")
        return
    t, keys, children, _ = node
    if type(x) is not t:
        raise ConfigurationError(f"the trees differ at {where or 'the root'}: {t.__name__} in the first, "
                                 f"{type(x).__name__} in another; give trees of one structure")
    if keys is None:
        if len(x) != len(children):
            raise ConfigurationError(f"the trees differ at {where or 'the root'}: {t.__name__} of length "
                                     f"{len(children)} in the first, {len(x)} in another")
        for i, (child, item) in enumerate(zip(children, x)):
            _flatten_up_to(child, item, out, f"{where}[{i}]")
        return
    if len(x) != len(keys) or any([k not in x for k in keys]):
        raise ConfigurationError(f"the trees differ at {where or 'the root'}: keys {_reprs(keys)} in "
                                 f"the first, {_reprs(tuple(x))} in another")
    if t is OrderedDict and tuple(x) != keys:
        raise ConfigurationError(f"the trees differ at {where or 'the root'}: OrderedDicts with keys in "
                                 f"different orders")
    for k, child in zip(keys, children):
        _flatten_up_to(child, x[k], out, f"{where}[{k!r}]")


def _reprs(keys: tuple[Any, ...]) -> list[str]:
    return sorted([repr(k) for k in keys])


def map(f: Callable[..., Any], tree: Any, *rest: Any, is_leaf: IsLeaf = None) -> Any:
    """``tree`` with ``f`` applied to every leaf (``jax.tree_util.tree_map``).

    With more trees, ``f`` receives the matching leaf of each: every tree in
    ``rest`` has ``tree``'s structure, or ``tree``'s structure as a prefix (then
    ``f`` receives the whole subtree at each of ``tree``'s leaves).

    Example:
        >>> import unibridge as ub
        >>> ub.tree.map(lambda a, b: a + b, {"x": 1, "y": (2, 3)}, {"x": 10, "y": (20, 30)})
        {'x': 11, 'y': (22, 33)}
    """
    found: list[Any] = []
    node = _flatten(tree, found, is_leaf)
    if not rest:
        return _unflatten(node, iter([f(leaf) for leaf in found]))
    others = []
    for other in rest:
        matched: list[Any] = []
        _flatten_up_to(node, other, matched, "")
        others.append(matched)
    return _unflatten(node, iter([f(*args) for args in zip(found, *others)]))


def leaf_paths(tree: Any, prefix: str = "") -> list[str]:
    """A readable path for each leaf, in :func:`leaves`' order (for error messages).

    Example:
        >>> import unibridge as ub
        >>> ub.tree.leaf_paths({"w": [1, 2], "b": 3}, "params")
        ["params['w'][0]", "params['w'][1]", "params['b']"]
    """
    node = _flatten(tree, [], None)
    out: list[str] = []
    _paths(node, prefix, out)
    return out


def _paths(node: Any, prefix: str, out: list[str]) -> None:
    if node is LEAF:
        out.append(prefix)
        return
    if node is NONE:
        return
    t, keys, children, _ = node
    if keys is not None:
        labels = [f"[{k!r}]" for k in keys]
    elif hasattr(t, "_fields"):
        labels = [f".{name}" for name in t._fields]
    else:
        labels = [f"[{i}]" for i in range(len(children))]
    for label, child in zip(labels, children):
        _paths(child, prefix + label, out)
