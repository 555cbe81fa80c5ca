"""``jax.jit`` that keeps the key order of dicts, in the arguments and in the results.

``jax.jit`` flattens arguments and results with JAX's pytree rules, which sort
the keys of every dict: the traced function sees ``{"w": x, "b": y}`` as
``{"b": y, "w": x}``, and a returned ``{"w": g, "b": h}`` comes back as
``{"b": h, "w": g}``. Eager code, torch and TensorFlow keep the order the
caller and the function wrote, and :mod:`unibridge.tree` promises it (a
gradient comes back "in the argument's own structure"). Both directions are
restored with *key orders*: each dict's own keys, listed in the order JAX
walks the containers (dicts' children by sorted key), one tuple per dict.

* Arguments: when a dict among them is not in sorted order, their key orders
  go to ``jax.jit`` as a static argument (so they are part of its cache key,
  and each order gets its own trace), and the trace rebuilds the arguments
  JAX hands it in those orders before calling the function.
* Results: a result holding such a dict leaves the trace inside a
  :class:`_Reordered` pytree node whose static data is its key orders. JAX
  keeps that static data with the compiled function, one per trace, so every
  call rebuilds its result in the order of the trace that compiled it.

The containers are :mod:`unibridge.tree`'s (dict, defaultdict, OrderedDict,
list, tuple, namedtuple); JAX flattens everything else by its own rules.
Arguments and results without an unsorted dict go through ``jax.jit``
untouched, at the cost of one walk over the arguments' containers per call.
Keys that cannot be sorted (``{1: a, "x": b}``) get JAX's own error.

Example:
    >>> import jax.numpy as jnp
    >>> f = jit_keeping_key_order(lambda p: {"w": p["w"] * 2, "b": p["b"]})
    >>> list(f({"w": jnp.ones(2), "b": jnp.zeros(2)}))
    ['w', 'b']
"""

from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["jit_keeping_key_order"]

KeyOrders = tuple[tuple[Any, ...], ...]


def _key_orders(x: Any, out: list[tuple[Any, ...]]) -> bool:
    """Append the key orders of the dicts in ``x`` to ``out``; True if one of them is not sorted.

    Raises TypeError for keys that cannot be sorted (JAX cannot flatten them either).
    """
    t = type(x)
    if t is dict or t is defaultdict:
        keys = tuple(x)
        walk = sorted(keys)  # JAX's order
        out.append(keys)
        unsorted = list(keys) != walk
        for k in walk:
            unsorted = _key_orders(x[k], out) or unsorted
        return unsorted
    if t is tuple or t is list or (issubclass(t, tuple) and hasattr(t, "_fields")):
        children: Any = x
    elif t is OrderedDict:  # JAX keeps an OrderedDict's order
        children = x.values()
    else:
        return False
    unsorted = False
    for child in children:
        unsorted = _key_orders(child, out) or unsorted
    return unsorted


def _in_key_orders(x: Any, orders: Iterator[tuple[Any, ...]]) -> Any:
    """``x`` as JAX rebuilt it (dicts sorted), with each dict rebuilt in the next of ``orders``."""
    t = type(x)
    if t is dict or t is defaultdict:
        keys = next(orders)
        children = {k: _in_key_orders(v, orders) for k, v in x.items()}  # JAX's sorted order: as recorded
        rebuilt = {k: children[k] for k in keys}
        return rebuilt if t is dict else defaultdict(x.default_factory, rebuilt)
    if t is tuple:
        return tuple([_in_key_orders(v, orders) for v in x])
    if t is list:
        return [_in_key_orders(v, orders) for v in x]
    if issubclass(t, tuple) and hasattr(t, "_fields"):
        return t(*[_in_key_orders(v, orders) for v in x])
    if t is OrderedDict:
        return OrderedDict([(k, _in_key_orders(v, orders)) for k, v in x.items()])
    return x


def _orders_to_keep(x: Any) -> KeyOrders | None:
    """The key orders of ``x`` when JAX would change one of them, else None (nothing to restore)."""
    out: list[tuple[Any, ...]] = []
    try:
        unsorted = _key_orders(x, out)
    except TypeError:  # unsortable keys: JAX raises its own error when it flattens them
        return None
    return tuple(out) if unsorted else None


_CONTAINERS = frozenset({dict, defaultdict, OrderedDict, list, tuple})


def _argument_orders(args: tuple[Any, ...], kwargs: dict[str, Any]) -> KeyOrders | None:
    """:func:`_orders_to_keep` of a call's arguments, quick when none is a container (the common call)."""
    if not kwargs:
        for a in args:
            t = type(a)
            if t in _CONTAINERS or issubclass(t, tuple):
                break
        else:
            return None
    return _orders_to_keep((args, kwargs))


class _Reordered:
    """A result and the key orders it had in the trace, as JAX carries it out of ``jit``."""

    __slots__ = ("tree", "orders")

    def __init__(self, tree: Any, orders: KeyOrders) -> None:
        self.tree = tree
        self.orders = orders


def _flatten(x: _Reordered) -> tuple[tuple[Any], KeyOrders]:
    return (x.tree,), x.orders


def _rebuild(orders: KeyOrders, children: Any) -> _Reordered:
    # A _Reordered again, not the result: on a cached call JAX flattens what it rebuilt once more with
    # its own rules, which would sort a plain dict's keys; the caller unwraps it (_result).
    (tree,) = children
    return _Reordered(tree, orders)


def _result(x: Any) -> Any:
    """What the function returned: a :class:`_Reordered`'s tree in its key orders; anything else as it is."""
    if type(x) is _Reordered:
        return _in_key_orders(x.tree, iter(x.orders))
    return x


_registered: list[bool] = []


def _register(jax: Any) -> None:
    if not _registered:
        jax.tree_util.register_pytree_node(_Reordered, _flatten, _rebuild)
        _registered.append(True)


def _results_in_order(fun: Callable[..., Any]) -> Callable[..., Any]:
    """``fun`` returning its result as a :class:`_Reordered` when JAX would change a key order in it."""

    def traced(*args: Any, **kwargs: Any) -> Any:
        out = fun(*args, **kwargs)
        kept = _orders_to_keep(out)
        return out if kept is None else _Reordered(out, kept)

    return _named_after(fun, traced)


def _arguments_in_order(body: Callable[..., Any]) -> Callable[..., Any]:
    """``body`` called with the arguments JAX rebuilt (dicts sorted) put back in ``orders``, a static argument."""

    def traced(orders: KeyOrders, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = _in_key_orders((args, kwargs), iter(orders))
        return body(*args, **kwargs)

    return _named_after(body, traced)


def _named_after(fun: Callable[..., Any], traced: Callable[..., Any]) -> Callable[..., Any]:
    # The compiled program is named after fun, as jax.jit(fun)'s is; not functools.wraps, since JAX
    # would then read fun's signature (the static first argument of _arguments_in_order is not in it).
    traced.__name__ = getattr(fun, "__name__", traced.__name__)
    traced.__qualname__ = getattr(fun, "__qualname__", traced.__qualname__)
    return traced


def jit_keeping_key_order(fun: Callable[..., Any]) -> Callable[..., Any]:
    """``jax.jit(fun)`` that passes dicts to ``fun`` and returns them in their own key order.

    ``__wrapped__`` is ``fun``; ``.lower``, ``.trace`` and ``.eval_shape`` are
    ``jax.jit``'s, given what a call with the same arguments runs.

    Example:
        >>> import jax.numpy as jnp
        >>> f = jit_keeping_key_order(lambda p: {"z": p["a"] + 1, "a": p["a"]})
        >>> list(f({"a": jnp.zeros(())})), f.__wrapped__ is not None
        (['z', 'a'], True)
    """
    import jax

    _register(jax)
    body = _results_in_order(fun)
    plain: Any = jax.jit(body)  # arguments with no dict that JAX reorders: the common call
    ordered: Any = jax.jit(_arguments_in_order(body), static_argnums=0)  # the key orders: in the cache key

    @functools.wraps(fun)
    def compiled(*args: Any, **kwargs: Any) -> Any:
        orders = _argument_orders(args, kwargs)
        if orders is None:
            return _result(plain(*args, **kwargs))
        return _result(ordered(orders, *args, **kwargs))

    def stage(method: str) -> Callable[..., Any]:
        """``jax.jit``'s ``lower`` (``trace``, ``eval_shape``) of what a call with the same arguments runs."""

        def staged(*args: Any, **kwargs: Any) -> Any:
            orders = _argument_orders(args, kwargs)
            if orders is None:
                return getattr(plain, method)(*args, **kwargs)
            return getattr(ordered, method)(orders, *args, **kwargs)

        staged.__name__ = method
        return staged

    for method in ("lower", "trace"):
        if hasattr(plain, method):  # those this JAX's jit offers
            setattr(compiled, method, stage(method))
    if hasattr(plain, "eval_shape"):
        shapes = stage("eval_shape")
        compiled.eval_shape = lambda *args, **kwargs: _result(shapes(*args, **kwargs))  # type: ignore[attr-defined]

    def clear_cache() -> None:
        plain.clear_cache()
        ordered.clear_cache()

    compiled.clear_cache = clear_cache  # type: ignore[attr-defined]
    return compiled
