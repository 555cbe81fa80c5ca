"""A pytree's structure as JSON, and a readable tensor name for each leaf.

The tensors of a checkpoint are named by their path in the tree, components
joined by ``/`` (``layers/0/W``); a ``/`` or ``~`` inside a dict key is written
``~1`` or ``~0``, as in JSON Pointer, so names stay unique. The containers
themselves go into the header's metadata as JSON (:func:`describe`), and
:func:`rebuild` makes the tree again from it, trusting nothing it reads:

* ``dict`` (and subclasses such as ``OrderedDict``, rebuilt as ``dict``) with
  ``str`` or ``int`` keys, in their order; ``list``; ``tuple``; ``None``;
* a namedtuple is recorded by its type name and fields. No type is ever
  imported by name (that would run code the file names): it comes back as a
  namedtuple created on the spot with the same name and fields (attribute
  access, unpacking and ``_fields`` work; ``isinstance`` with the original
  class does not). Pass ``like=`` to :func:`unibridge.load` to get the
  original classes back;
* a Python ``bool``, ``int`` or ``float`` leaf is stored as a 0-d array and
  comes back as the Python number.

Example:
    >>> spec, leaves = describe({"w": [1.5, None], "b": (2,)})
    >>> [name for name, _ in leaves]
    ['w/0', 'b/0']
    >>> rebuild(spec, lambda name, python: {"w/0": 10, "b/0": 20}[name])
    {'w': [10, None], 'b': (20,)}
"""

from __future__ import annotations

import collections
import keyword
from collections.abc import Callable
from typing import Any

from ..errors import CheckpointError

__all__ = ["FORMAT", "ROOT_NAME", "describe", "rebuild", "escape"]

FORMAT = "unibridge.tree/1"
ROOT_NAME = "value"  # the tensor name of a tree that is one array
# Builds a leaf from its tensor name and the Python number type it was saved from (or None).
Leaf = Callable[[str, "type | None"], Any]
PYTHON_NUMBERS: dict[type, str] = {bool: "bool", int: "int", float: "float"}
_FROM_NUMBER_NAME: dict[str, type] = {v: k for k, v in PYTHON_NUMBERS.items()}


def escape(key: str) -> str:
    """A dict key as one path component: ``~`` -> ``~0``, ``/`` -> ``~1``."""
    return key.replace("~", "~0").replace("/", "~1")


def _component(key: Any, where: str) -> str:
    if type(key) is str:
        return escape(key)
    if type(key) is int:
        return str(key)
    raise CheckpointError(
        f"dict key {key!r} at {where or 'the root'} is a {type(key).__name__}: "
        "a checkpoint keeps str and int keys only"
    )


def describe(tree: Any) -> tuple[Any, list[tuple[str, Any]]]:
    """The JSON-able structure of ``tree`` and its leaves as ``(name, leaf)``, in order."""
    leaves: list[tuple[str, Any]] = []
    spec = _describe(tree, [], leaves)
    names = [name for name, _ in leaves]
    if len(set(names)) != len(names):
        seen: set[str] = set()
        twice = next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
        raise CheckpointError(
            f"two leaves would both be named {twice!r} (an int key and a str key that read the same?)"
        )
    return spec, leaves


def _leaf(x: Any, path: list[str], leaves: list[tuple[str, Any]]) -> dict[str, Any]:
    name = "/".join(path) if path else ROOT_NAME
    leaves.append((name, x))
    number = PYTHON_NUMBERS.get(type(x))
    return {"leaf": name, "python": number} if number else {"leaf": name}


def _describe(x: Any, path: list[str], leaves: list[tuple[str, Any]]) -> Any:
    if x is None:
        return None
    if isinstance(x, dict):
        where = "/".join(path)
        return {"dict": [[k, _describe(v, path + [_component(k, where)], leaves)] for k, v in x.items()]}
    if isinstance(x, tuple) and hasattr(type(x), "_fields"):
        fields = list(getattr(type(x), "_fields"))
        items = [_describe(v, path + [f], leaves) for f, v in zip(fields, x)]
        return {"namedtuple": type(x).__name__, "fields": fields, "items": items}
    if isinstance(x, list):
        return {"list": [_describe(v, path + [str(i)], leaves) for i, v in enumerate(x)]}
    if isinstance(x, tuple):
        return {"tuple": [_describe(v, path + [str(i)], leaves) for i, v in enumerate(x)]}
    return _leaf(x, path, leaves)


def rebuild(spec: Any, leaf: Leaf) -> Any:
    """The tree ``spec`` describes; each leaf is ``leaf(name, python_type)`` (``python_type``: the
    Python number type it was saved from, or None). Malformed specs raise CheckpointError."""
    namedtuples: dict[tuple[str, tuple[str, ...]], type] = {}
    try:
        return _rebuild(spec, leaf, namedtuples)
    except RecursionError:
        raise CheckpointError("the tree structure is nested too deeply") from None


def _list_of(node: dict[str, Any], kind: str) -> list[Any]:
    items = node[kind]
    if type(items) is not list:
        raise CheckpointError(f"malformed tree structure: {kind} holds {type(items).__name__}, not a list")
    return items


def _rebuild(node: Any, leaf: Leaf, types: dict[tuple[str, tuple[str, ...]], type]) -> Any:
    if node is None:
        return None
    if type(node) is not dict or not node:
        raise CheckpointError(f"malformed tree structure: unexpected node {node!r:.100}")
    kind = next(iter(node))
    if kind == "leaf" and set(node) <= {"leaf", "python"} and type(node["leaf"]) is str:
        python = node.get("python")
        if python is not None and (type(python) is not str or python not in _FROM_NUMBER_NAME):
            raise CheckpointError(f"malformed tree structure: unknown Python number type {python!r:.50}")
        return leaf(node["leaf"], None if python is None else _FROM_NUMBER_NAME[python])
    if len(node) == 1 and kind in ("list", "tuple"):
        items = [_rebuild(v, leaf, types) for v in _list_of(node, kind)]
        return items if kind == "list" else tuple(items)
    if len(node) == 1 and kind == "dict":
        out: dict[Any, Any] = {}
        for pair in _list_of(node, "dict"):
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                raise CheckpointError(f"malformed tree structure: dict item {pair!r:.100}")
            if pair[0] in out:
                raise CheckpointError(f"malformed tree structure: dict key {pair[0]!r:.50} twice")
            out[pair[0]] = _rebuild(pair[1], leaf, types)
        return out
    if kind == "namedtuple" and set(node) == {"namedtuple", "fields", "items"}:
        cls = _namedtuple(node["namedtuple"], node["fields"], types)
        items = [_rebuild(v, leaf, types) for v in _list_of(node, "items")]
        if len(items) != len(cls._fields):  # type: ignore[attr-defined]
            raise CheckpointError(f"malformed tree structure: {len(items)} items for the fields of {cls.__name__}")
        return cls(*items)
    raise CheckpointError(f"malformed tree structure: unexpected node {node!r:.100}")


def _namedtuple(name: Any, fields: Any, types: dict[tuple[str, tuple[str, ...]], type]) -> type:
    """A namedtuple class for ``name`` and ``fields``, one per distinct pair in a load."""
    if type(name) is not str or type(fields) is not list or not all(type(f) is str for f in fields):
        raise CheckpointError(f"malformed tree structure: namedtuple {name!r:.50} with fields {fields!r:.100}")
    key = (name, tuple(fields))
    if key not in types:
        # collections.namedtuple checks the same, but with a ValueError of its own words.
        bad = [s for s in (name, *fields) if not s.isidentifier() or keyword.iskeyword(s)]
        bad += [f for f in fields if f.startswith("_")]
        if bad or len(set(fields)) != len(fields):
            raise CheckpointError(
                f"namedtuple {name!r:.50} with fields {fields!r:.100}: names must be distinct identifiers "
                "(fields not starting with '_')"
            )
        types[key] = collections.namedtuple(name, fields)
    return types[key]
