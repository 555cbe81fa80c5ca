"""Backend-neutral gradients: ``value_and_grad``, ``grad``, ``stop_gradient``.

The functional calling convention, on the arrays of every backend with
automatic differentiation: ``grad(fun)`` returns a function; ``argnums`` (an int or a
tuple of ints) says which positional arguments to differentiate; each may be a
pytree (dicts, ``OrderedDict``, ``defaultdict``, lists, tuples, namedtuples of
arrays, nested), and its gradient comes back in the same structure, with the same
node types and keys, as arrays of the same framework, dtype and device.

This module names no framework. The backend that owns the differentiated arrays
(the registry's owner lookup, the one ``asarray`` uses) computes, through its
optional ``autodiff()`` capability (:class:`~unibridge.protocol.SupportsAutodiff`,
returning a :class:`~unibridge.backend_kit.Autodiff`); everything that is the same
on every backend is done here, once.

Rules, the same on every backend:

* only the arguments selected by ``argnums`` are variables: the same array
  reaching the function any other way (another position, a keyword, a closure,
  a captured variable, a global) is a constant;
* the same array passed in two differentiated positions gets a gradient for each;
* arrays of two backends in the differentiated arguments raise
  :class:`~unibridge.NotDifferentiableError` naming both; arrays of a backend
  without ``autodiff`` raise :class:`~unibridge.AutodiffUnavailableError` (a
  ``NotImplementedError``) naming the backends that have it;
* the differentiated output must be a real scalar (a 0-d floating array),
  else :class:`~unibridge.GradientOutputError` (a ``ValueError``);
* integer and bool arrays (and any array its backend refuses, with the reason)
  cannot be differentiated: :class:`~unibridge.NotDifferentiableError` (a ``TypeError``);
* complex gradients are the direction of steepest ascent, so ``z - lr * g``
  descends (the gradient of ``|z|**2`` is ``2*z``);
* at top level, the value, the aux outputs and the gradients carry no recorded
  history, so memory stays flat over a training loop; inside an enclosing
  ``grad`` they stay connected, so ``grad(grad(f))`` works.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from ..api import get_backend
from ..errors import (
    AutodiffUnavailableError,
    ConfigurationError,
    GradientOutputError,
    NotDifferentiableError,
    UnibridgeError,
)
from ..protocol import Autodiff
from ..registry import backends, owner_of
from ._tree import flatten, leaf_paths, tree_map, unflatten

__all__ = ["value_and_grad", "grad", "stop_gradient", "autodiff_of", "differentiable_backends"]

Argnums = int | Sequence[int]


def _normalise_argnums(argnums: Any) -> tuple[int, ...]:
    try:
        if isinstance(argnums, (bool, str)) or not hasattr(argnums, "__iter__"):
            return (operator.index(argnums),)
        found = tuple(operator.index(a) for a in argnums)
    except TypeError:
        raise ConfigurationError(f"argnums must be an int or a tuple of ints, got {argnums!r}") from None
    if not found:
        raise ConfigurationError("argnums=() selects no argument to differentiate; give at least one index")
    return found


def _positions(argnums: tuple[int, ...], count: int) -> tuple[int, ...]:
    out = []
    for a in argnums:
        if not -count <= a < count:
            raise ConfigurationError(
                f"argnums={a} is out of range: the function was called with {count} positional "
                f"argument{'s' if count != 1 else ''}, so argnums must be in 0..{count - 1}"
            )
        out.append(a % count)
    return tuple(out)


def autodiff_of(x: Any) -> Autodiff | None:
    """The :class:`~unibridge.backend_kit.Autodiff` of the backend that owns ``x``, or None
    (Python data, or a backend without the ``autodiff`` capability).

    Example:
        >>> import numpy as np
        >>> autodiff_of(np.zeros(2)) is None, autodiff_of(1.0) is None
        (True, True)
    """
    backend = owner_of(x)
    if backend is None:
        return None
    capability = getattr(backend, "autodiff", None)
    return None if capability is None else capability()


def differentiable_backends() -> list[str]:
    """The backends installed here that have automatic differentiation (the ``autodiff`` capability).

    Example:
        >>> import unibridge as ub
        >>> "numpy" in differentiable_backends()
        False
    """
    here = []
    for row in backends():
        if not row.available:
            continue
        try:
            backend = get_backend(row.name)
        except UnibridgeError:  # a plugin that fails to load
            continue
        if callable(getattr(backend, "autodiff", None)):
            here.append(row.name)
    return here


def _use_instead() -> str:
    here = differentiable_backends()
    if not here:
        return ("no backend installed here has automatic differentiation; install one that has "
                "(unibridge.backends() lists the registered backends and what each needs)")
    return (f"grad and value_and_grad work on {', '.join(here)} arrays: convert with "
            f"unibridge.asarray(x, backend={here[0]!r}), or select one with UNIBRIDGE_BACKEND")


def _framework_of(leaves: list[Any], diff: _Differentiated) -> Autodiff:
    """The one backend's Autodiff every leaf belongs to; raises naming what is wrong."""
    owner = owner_of(leaves[0])
    first = autodiff_of(leaves[0])
    # The registry's owner as well as the autodiff's types: a plugin's arrays may subclass another
    # framework's (a subclass of its array type), which that framework's autodiff would take as its own.
    if first is not None and all([owner_of(x) is owner and first.owns(x) for x in leaves]):
        return first  # the common case: no paths computed
    where = diff.where()
    names: dict[str, str] = {}
    for x, at in zip(leaves, where):
        backend = owner_of(x)
        if backend is None:
            raise NotDifferentiableError(
                f"{at} is a {type(x).__name__}, not an array of a backend with automatic "
                f"differentiation; {_use_instead()} (Python numbers too)"
            )
        found = autodiff_of(x)
        if found is None:
            raise AutodiffUnavailableError(
                f"{at} is a {backend.name} array, and {backend.name} has no automatic "
                f"differentiation; {_use_instead()}"
            )
        if not found.owns(x):
            raise NotDifferentiableError(
                f"{at} is a {type(x).__name__}, a {backend.name} object that {backend.name} cannot "
                f"differentiate; convert it to a dense {backend.name} array first"
            )
        names.setdefault(str(backend.name), at)
    if len(names) < 2 and first is not None:  # one backend after all (its autodiff() built anew)
        return first
    (a, at_a), (b, at_b) = list(names.items())[:2]
    raise NotDifferentiableError(
        f"the differentiated arguments mix frameworks: {at_a} is a {a} array and {at_b} is a {b} "
        f"array; gradients flow within one framework, so convert them to one with "
        f"unibridge.asarray(x, backend={a!r})"
    )


class _Differentiated:
    """The flattened arguments of one call, and how to put them back."""

    __slots__ = ("args", "positions", "trees", "counts")

    def __init__(self, args: tuple[Any, ...], positions: tuple[int, ...]) -> None:
        self.args = args
        self.positions = positions
        self.trees: list[Any] = []
        self.counts: list[int] = []

    def leaves(self) -> list[Any]:
        out: list[Any] = []
        for p in self.positions:
            found, tree = flatten(self.args[p])
            self.trees.append(tree)
            self.counts.append(len(found))
            out += found
        return out

    def where(self) -> list[str]:
        """A readable path for every leaf, e.g. ``argument 0['W1']`` (for errors only)."""
        return [path for p in self.positions for path in leaf_paths(self.args[p], f"argument {p}")]

    def call_with(self, fun: Callable[..., Any], kwargs: dict[str, Any], has_aux: bool) -> Callable[[list[Any]], Any]:
        """``leaves -> (value, aux)``: ``fun`` called with the differentiated arguments rebuilt."""
        def call(leaves: list[Any]) -> Any:
            args = list(self.args)
            for p, rebuilt in zip(self.positions, self.regroup(leaves)):
                args[p] = rebuilt
            out = fun(*args, **kwargs)
            return _split_aux(out) if has_aux else (out, None)

        return call

    def regroup(self, leaves: list[Any]) -> list[Any]:
        """One tree per differentiated position, rebuilt from ``leaves``."""
        out, start = [], 0
        for tree, n in zip(self.trees, self.counts):
            out.append(unflatten(tree, leaves[start:start + n]))
            start += n
        return out


def _check_leaves(adapter: Autodiff, leaves: list[Any], diff: _Differentiated) -> None:
    refusal = adapter.refusal
    for i, x in enumerate(leaves):
        why = refusal(x)
        if why is not None:
            raise NotDifferentiableError(f"cannot differentiate with respect to {diff.where()[i]}: {why}")


def _check_output(adapter: Autodiff, value: Any) -> None:
    """Raise GradientOutputError unless ``value`` is a real scalar of ``adapter``'s backend."""
    if adapter.owns(value) and adapter.is_real_scalar(value):
        return
    if adapter.owns(value):
        what = f"a {adapter.name} array of shape {adapter.shape(value)} and dtype {adapter.dtype_name(value)}"
    else:
        what = f"a {type(value).__name__}"
    raise GradientOutputError(
        f"the differentiated function must return a real scalar (a 0-d floating {adapter.name} "
        f"array), but it returned {what}; reduce it first (e.g. xp.sum or xp.mean), take the "
        f"real part of a complex loss, or return (value, aux) with has_aux=True"
    )


def _split_aux(out: Any) -> tuple[Any, Any]:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise GradientOutputError(
            f"with has_aux=True the function must return a pair (value, aux), "
            f"but it returned a {type(out).__name__}" + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
        )
    return out[0], out[1]


def value_and_grad(
    fun: Callable[..., Any], argnums: Argnums = 0, *, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning ``(fun(*args), gradient)``; with ``has_aux``, ``((value, aux), gradient)``.

    The gradient is with respect to the positional argument ``argnums`` (a
    tuple of indices gives a tuple of gradients), in that argument's own
    structure (dicts, lists, tuples, namedtuples of arrays), as arrays of the
    same framework, dtype and device. ``fun`` must return a real scalar.

    Example:
        >>> import unibridge as ub
        >>> b = ub.autodiff.differentiable_backends()[0]  # any backend with gradients, installed here
        >>> xp = ub.namespace(b)
        >>> f = lambda p, x: xp.sum((p["w"] * x) ** 2)
        >>> p, x = {"w": ub.asarray([1.0, 2.0], backend=b)}, ub.asarray([3.0, 1.0], backend=b)
        >>> value, g = ub.value_and_grad(f)(p, x)
        >>> float(ub.to_numpy(value)), ub.to_numpy(g["w"]).tolist()
        (13.0, [18.0, 4.0])
    """
    return _make(fun, argnums, has_aux, with_value=True)


def grad(fun: Callable[..., Any], argnums: Argnums = 0, *, has_aux: bool = False) -> Callable[..., Any]:
    """A function returning the gradient of ``fun``; with ``has_aux``, ``(gradient, aux)``.

    Same rules as :func:`value_and_grad`.

    Example:
        >>> import unibridge as ub
        >>> b = ub.autodiff.differentiable_backends()[0]
        >>> xp = ub.namespace(b)
        >>> ub.to_numpy(ub.grad(lambda x: xp.sum(x ** 3))(ub.asarray([1.0, 2.0], backend=b))).tolist()
        [3.0, 12.0]
    """
    return _make(fun, argnums, has_aux, with_value=False)


def _make(fun: Callable[..., Any], argnums: Argnums, has_aux: bool, *, with_value: bool) -> Callable[..., Any]:
    if not callable(fun):
        raise ConfigurationError(f"value_and_grad/grad need a function, got {type(fun).__name__}")
    wanted = _normalise_argnums(argnums)
    single = not isinstance(argnums, Sequence)

    positions_by_count: dict[int, tuple[int, ...]] = {}  # argnums resolved per argument count

    @functools.wraps(fun)
    def differentiated(*args: Any, **kwargs: Any) -> Any:
        positions = positions_by_count.get(len(args))
        if positions is None:
            positions = positions_by_count[len(args)] = _positions(wanted, len(args))
        diff = _Differentiated(args, positions)
        leaves = diff.leaves()
        if not leaves:
            raise NotDifferentiableError(
                f"argument{'s' if len(wanted) > 1 else ''} {', '.join(map(str, diff.positions))} "
                f"hold{'s' if len(wanted) == 1 else ''} no arrays to differentiate"
            )
        adapter = _framework_of(leaves, diff)
        _check_leaves(adapter, leaves, diff)
        value, aux, grads = adapter.value_and_grad(diff.call_with(fun, kwargs, has_aux), leaves,
                                                   functools.partial(_check_output, adapter))
        per_arg = diff.regroup(grads)
        g = per_arg[0] if single else tuple(per_arg)
        if with_value:
            return ((value, aux), g) if has_aux else (value, g)
        return (g, aux) if has_aux else g

    return differentiated


def stop_gradient(x: Any) -> Any:
    """``x`` (an array or a pytree of arrays) as a constant for differentiation.

    Its values are unchanged; no gradient flows through it. NumPy and Dask
    arrays, which have no gradients, are returned as they are.

    Example:
        >>> import unibridge as ub
        >>> b = ub.autodiff.differentiable_backends()[0]
        >>> xp = ub.namespace(b)
        >>> g = ub.grad(lambda x: xp.sum(x * ub.stop_gradient(x)))(ub.asarray([3.0], backend=b))
        >>> ub.to_numpy(g).tolist()
        [3.0]
    """
    def one(leaf: Any) -> Any:
        adapter = autodiff_of(leaf)
        return leaf if adapter is None or not adapter.owns(leaf) else adapter.stop_gradient(leaf)

    return tree_map(one, x)
