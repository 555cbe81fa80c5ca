"""``tf.function`` that hands dicts to the function, and back, as the caller and the function wrote them.

Measured with TensorFlow 2.21 (``docs/frameworks.md``, "tf.function and containers"):

* The cache key ``tf.function`` makes of a ``dict``, ``OrderedDict`` or ``defaultdict``
  ignores its key order. After a call with ``{"w": x, "b": y}``, a call with
  ``{"b": y, "w": x}`` reuses the first trace: the function saw, and a result
  built by iterating the argument echoes, ``w`` before ``b``. Eager code, torch
  and the JAX plugin keep each call's order, and :mod:`unibridge.tree` promises
  it.
* A ``defaultdict``, passed in or returned, comes back a plain ``dict``.

Both are undone with a *layout*: a hashable description of the containers in a
value (each one's type, a ``defaultdict``'s ``default_factory``, a mapping's keys
in its own order), with arrays and other leaves as ``None``.

* Arguments holding a mapping whose keys are not sorted, or a ``defaultdict``,
  go to a ``tf.function`` of their layout's own (made on the first call with
  it, kept for the next), whose trace rebuilds the arguments in that layout.
  Not one ``tf.function`` with the layout as a Python argument: TensorFlow
  would build a cache key of that nested tuple on every call, while a
  ``tf.function`` per layout looks a call up exactly as ``tf.function(fun)``
  does (``make bench``'s training group times a step with such a dict).
* A result holding one leaves the trace inside :class:`_Kept`, a node of
  TensorFlow's nest protocol (``__tf_flatten__``) whose metadata is the result's
  layout. TensorFlow keeps that metadata with each trace, so every call rebuilds
  its result as the trace that compiled it made it.

Anything else goes through ``tf.function`` as it is, at the cost of one look at
the arguments' containers per call.

Example:
    >>> import tensorflow as tf
    >>> f = function_keeping_containers(tf, lambda p: {k: p[k] * 2 for k in p})
    >>> [list(f(p)) for p in ({"w": tf.ones(2), "b": tf.ones(2)}, {"b": tf.ones(2), "w": tf.ones(2)})]
    [['w', 'b'], ['b', 'w']]
"""

from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from typing import Any

__all__ = ["function_keeping_containers"]

# A layout: None for a leaf; (type, children) for a list or tuple (a namedtuple included);
# (type, default_factory or None, keys, children) for a dict, OrderedDict or defaultdict.
Layout = Any

_MAPPINGS = frozenset({dict, OrderedDict, defaultdict})
_SEQUENCES = frozenset({list, tuple})


def _is_namedtuple(t: type) -> bool:
    return issubclass(t, tuple) and hasattr(t, "_fields")


def _layout(x: Any) -> tuple[Layout, bool]:
    """``(layout of x, whether tf.function would change one of its containers)``."""
    t = type(x)
    if t in _MAPPINGS:
        keys = tuple(x)
        children, changed = _layouts(x.values())
        try:
            changed = changed or t is defaultdict or list(keys) != sorted(keys)
        except TypeError:  # keys that cannot be sorted: TensorFlow refuses them with its own error
            pass
        factory = x.default_factory if t is defaultdict else None
        return (t, factory, keys, children), changed
    if t in _SEQUENCES or _is_namedtuple(t):
        children, changed = _layouts(x)
        return (t, children), changed
    return None, False


def _layouts(values: Any) -> tuple[tuple[Layout, ...], bool]:
    children, changed = [], False
    for v in values:
        layout, c = _layout(v)
        children.append(layout)
        changed = changed or c
    return tuple(children), changed


def _rebuild(x: Any, layout: Layout) -> Any:
    """``x`` (as TensorFlow handed it over) with every container of ``layout`` restored: type, keys' order."""
    if layout is None:
        return x
    t = layout[0]
    if len(layout) == 2:
        values = [_rebuild(v, child) for v, child in zip(x, layout[1])]
        return t(*values) if _is_namedtuple(t) else t(values)
    _, factory, keys, children = layout
    items = [(k, _rebuild(x[k], child)) for k, child in zip(keys, children)]
    return defaultdict(factory, items) if t is defaultdict else t(items)


class _Kept:
    """A result and its layout, as they leave a trace: TensorFlow flattens the tree and keeps the layout."""

    __slots__ = ("tree", "layout")

    def __init__(self, tree: Any, layout: Layout) -> None:
        self.tree = tree
        self.layout = layout

    def __tf_flatten__(self) -> tuple[Layout, tuple[Any]]:
        return self.layout, (self.tree,)

    @classmethod
    def __tf_unflatten__(cls, layout: Layout, components: tuple[Any]) -> _Kept:
        return cls(components[0], layout)


def _kept(out: Any) -> Any:
    layout, changed = _layout(out)
    return _Kept(out, layout) if changed else out


def _returned(out: Any) -> Any:
    return _rebuild(out.tree, out.layout) if type(out) is _Kept else out


def _argument_layout(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Layout:
    """The layout of a call's arguments when tf.function would change a container in them, else None."""
    if not kwargs:  # the common call, arrays alone: nothing to walk
        for a in args:
            t = type(a)
            if t in _MAPPINGS or t in _SEQUENCES or issubclass(t, tuple):
                break
        else:
            return None
    layout, changed = _layout((args, kwargs))
    return layout if changed else None


def _named_after(fun: Callable[..., Any], traced: Callable[..., Any]) -> Callable[..., Any]:
    # The graphs are named after fun, as tf.function(fun)'s are.
    traced.__name__ = getattr(fun, "__name__", traced.__name__)
    traced.__qualname__ = getattr(fun, "__qualname__", traced.__qualname__)
    return traced


def function_keeping_containers(tf: Any, fun: Callable[..., Any]) -> Callable[..., Any]:
    """``tf.function(fun, autograph=False)`` that passes and returns containers as they were written.

    ``__wrapped__`` is ``fun``; ``get_concrete_function`` is ``tf.function``'s, given what a
    call with the same arguments runs.
    """

    def body(*args: Any, **kwargs: Any) -> Any:
        return _kept(fun(*args, **kwargs))

    def laid_out(layout: Layout) -> Callable[..., Any]:
        def traced(*args: Any, **kwargs: Any) -> Any:
            args, kwargs = _rebuild((args, kwargs), layout)
            return _kept(fun(*args, **kwargs))

        return tf.function(_named_after(fun, traced), autograph=False)  # type: ignore[no-any-return]

    plain = tf.function(_named_after(fun, body), autograph=False)
    by_layout: dict[Layout, Any] = {}  # one tf.function per layout seen

    def function_for(layout: Layout) -> Any:
        found = by_layout.get(layout)
        if found is None:
            found = by_layout[layout] = laid_out(layout)
        return found

    @functools.wraps(fun)
    def compiled(*args: Any, **kwargs: Any) -> Any:
        layout = _argument_layout(args, kwargs)
        if layout is None:
            return _returned(plain(*args, **kwargs))
        return _returned(function_for(layout)(*args, **kwargs))

    def get_concrete_function(*args: Any, **kwargs: Any) -> Any:
        layout = _argument_layout(args, kwargs)
        if layout is None:
            return plain.get_concrete_function(*args, **kwargs)
        return function_for(layout).get_concrete_function(*args, **kwargs)

    compiled.get_concrete_function = get_concrete_function  # type: ignore[attr-defined]
    return compiled
