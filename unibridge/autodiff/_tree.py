"""The pytree functions the gradient code uses, from :mod:`unibridge.tree` (the public module).

``flatten``, ``unflatten`` and ``leaf_paths`` are :mod:`unibridge.tree`'s own;
``tree_map`` is :func:`unibridge.tree.map`; ``Tree`` is its ``TreeDef``.

Example:
    >>> leaves, tree = flatten({"w": [1, 2], "b": (3, None)})
    >>> leaves, unflatten(tree, [10, 20, 30])
    ([1, 2, 3], {'w': [10, 20], 'b': (30, None)})
"""

from __future__ import annotations

from ..tree import TreeDef as Tree
from ..tree import flatten, leaf_paths, unflatten
from ..tree import map as tree_map

__all__ = ["Tree", "flatten", "unflatten", "tree_map", "leaf_paths"]
