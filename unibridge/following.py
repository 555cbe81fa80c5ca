"""``unibridge.xp``: one Array API namespace that follows the selection, safe to hold at module level.

``xp = unibridge.namespace()`` at module level is the namespace of the backend selected
*then*: when the backend is chosen later with ``use()`` or ``configure()``, its creation
functions keep making arrays of the old backend, and its other functions are handed arrays
they do not own (a NumPy function turns a torch tensor into a NumPy array and cuts the
gradient). ``unibridge.xp`` decides at every call instead:

* creation functions (``zeros``, ``ones``, ``empty``, ``full``, ``asarray``, ``arange``,
  ``linspace``, ``eye``, ``from_dlpack``, and the ``*_like`` forms given Python data rather
  than an array) use the selection active at the call: its backend, its device, its default
  float;
* every other function uses the namespace of its array arguments, found as
  ``array_api_compat.array_namespace`` finds it but through unibridge's registry (so a
  plugin's arrays are recognised too); a ``*_like`` given an array is one of these;
* arrays of two frameworks in one call raise :class:`~unibridge.UnsupportedInputError`
  naming both;
* dtype names (``xp.float32``) and ``__array_namespace_info__`` are the selected
  backend's, read at each access; a function given arrays of another framework gets that
  framework's dtype object in its place (``xp.astype(x, xp.float32)`` works whatever the
  selection); ``linalg`` and ``fft`` follow like ``xp`` itself.

Each function is built on first use and remembers, per array type, the function it
dispatches to; the memo is forgotten whenever the registry changes.

Example:
    >>> import numpy as np, unibridge as ub
    >>> from unibridge import xp
    >>> with ub.use("numpy"):
    ...     type(xp.zeros(2)).__name__, float(xp.sum(xp.asarray([1.0, 2.0])))
    ('ndarray', 3.0)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from .config import _CURRENT, _DEFAULT, process_default
from .devices import Device
from .engine import target
from .errors import UnsupportedInputError
from .namespaces import namespace_of
from .protocol import Backend
from .registry import _REGISTRY

__all__ = ["FollowingNamespace", "xp", "CREATION"]

# Functions that make arrays from nothing but Python values: the selection decides.
CREATION = frozenset({"zeros", "ones", "empty", "full", "asarray", "arange", "linspace", "eye", "from_dlpack"})
# Functions that make arrays like a template: the template's namespace when it is an array.
LIKE = frozenset({"zeros_like", "ones_like", "empty_like", "full_like"})
# Attributes that name dtypes: the selected backend's objects, read at each access.
DTYPE_NAMES = frozenset({
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
})
# Attributes that depend on the selection and so are never remembered.
SELECTED_EACH_TIME = DTYPE_NAMES | {"__array_api_version__", "__array_namespace_info__"}
# Argument types that never make a call belong to a framework.
_NEUTRAL: frozenset[type] = frozenset({int, float, complex, bool, str, type(None), type(Ellipsis), slice})


class _Selected(NamedTuple):
    """What creation under one selection needs, found once per selection."""

    backend: Backend
    device: Device
    namespace: ModuleType
    native_device: Any  # what the namespace's device= takes; None: it places arrays there itself
    check_device: bool  # the backend cannot say: look where each array landed


# Memos, emptied whenever the registry changes (a re-registered backend replaces the old one).
# Keyed by the selection's "backend@device", then its default float: two lookups, no tuple built.
_SELECTED: dict[str, dict[str, _Selected]] = {}
_MEMOS: list[dict[Any, Any]] = [_SELECTED]


def _forget() -> None:
    for memo in _MEMOS:
        memo.clear()


_REGISTRY.on_change(_forget)


def _selected() -> _Selected:
    """The backend, device and namespace of the selection active now."""
    sel = _CURRENT.get() or _DEFAULT.selection or process_default()
    try:
        return _SELECTED[sel.key][sel.default_float]
    except KeyError:
        pass
    backend, device = target(sel, None, None)
    namespace = namespace_of(backend, sel.default_float)
    to_native = getattr(backend, "namespace_device", None)
    native = to_native(device) if to_native is not None else None
    found = _Selected(backend, device, namespace, native, to_native is None)
    _SELECTED.setdefault(sel.key, {})[sel.default_float] = found
    return found


def _path_of(namespace: ModuleType, path: tuple[str, ...]) -> Any:
    for part in path:
        namespace = getattr(namespace, part)
    return namespace


def _owners(args: tuple[Any, ...], kw: dict[str, Any]) -> dict[str, Backend]:
    """The backends owning the arrays among ``args`` and ``kw`` (one level into lists and tuples)."""
    found: dict[str, Backend] = {}
    owner = _REGISTRY.owner

    def see(value: Any) -> None:
        if type(value) in _NEUTRAL:
            return
        if isinstance(value, (list, tuple)):
            for item in value:
                if type(item) not in _NEUTRAL:
                    backend = owner(item)
                    if backend is not None:
                        found.setdefault(backend.name, backend)
            return
        backend = owner(value)
        if backend is not None:
            found.setdefault(backend.name, backend)

    for value in args:
        see(value)
    for value in kw.values():
        see(value)
    return found


def _own_dtypes(
    backend: Backend, namespace: ModuleType, args: tuple[Any, ...], kw: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``args`` and ``kw`` with another framework's dtype objects replaced by ``namespace``'s own.

    ``xp.float32`` is the selected backend's dtype object; ``xp.astype(x, xp.float32)`` with ``x``
    of another framework hands that framework its own float32.
    """

    def own(value: Any) -> Any:
        if type(value) in _NEUTRAL or isinstance(value, (list, tuple)):
            return value
        if isinstance(value, type) and issubclass(value, np.generic):
            value = np.dtype(value)  # NumPy's dtype names are scalar types (np.float32)
        other = _REGISTRY.dtype_owner(value)
        if other is None or other is backend:
            return value
        return getattr(namespace, other.canonical_dtype(value).name)

    return tuple(own(v) for v in args), {k: own(v) for k, v in kw.items()}


class _Absent:
    """The marker of a positional argument not given (``None`` is a value a caller may pass)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT: Any = _Absent()


def _given(x: Any, y: Any, rest: tuple[Any, ...]) -> tuple[Any, ...]:
    """The positional arguments a call was given, without the markers of absent ones."""
    if x is _ABSENT:
        return ()
    return (x,) if y is _ABSENT else (x, y, *rest)


def _array_function(path: tuple[str, ...], name: str) -> Callable[..., Any]:
    """``name`` of the namespace that owns the call's arrays (the selection's when there are none)."""
    memo: dict[type, Callable[..., Any]] = {}
    _MEMOS.append(memo)
    qualified = ".".join((*path, name))

    def general(args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
        owners = _owners(args, kw)
        if len(owners) > 1:
            names = sorted(owners)
            raise UnsupportedInputError(
                f"xp.{qualified} was given arrays of {len(names)} frameworks: {' and '.join(names)}; "
                f"convert them to one first, e.g. unibridge.asarray(x, backend={names[0]!r})"
            )
        if owners:
            backend = next(iter(owners.values()))
            namespace = namespace_of(backend, (_CURRENT.get() or _DEFAULT.selection or process_default()).default_float)
            args, kw = _own_dtypes(backend, namespace, args, kw)
        else:
            namespace = _selected().namespace
        fn = getattr(_path_of(namespace, path), name)
        if args and owners and _REGISTRY.owner(args[0]) is not None:
            memo[type(args[0])] = fn  # the next call with this first-argument type goes straight there
        return fn(*args, **kw)

    def call(x: Any = _ABSENT, y: Any = _ABSENT, /, *rest: Any, **kw: Any) -> Any:
        # The hot path: one dict lookup on the first argument's type, then a type check of the
        # others (a call mixing frameworks must not reach one of them). The first two arguments
        # are named because packing and unpacking ``*args`` costs as much as the checks.
        first = type(x)
        try:
            fn = memo[first]
        except KeyError:
            fn = None  # (called outside the handler, so its errors do not chain to this KeyError)
        if fn is None:
            return general(_given(x, y, rest), kw)
        if y is not _ABSENT:
            kind = type(y)
            if kind is not first and kind not in _NEUTRAL:
                return general(_given(x, y, rest), kw)
            if not rest and not kw:
                return fn(x, y)
        elif not kw:
            return fn(x)
        for value in (*rest, *kw.values()):
            kind = type(value)
            if kind is not first and kind not in _NEUTRAL:
                return general(_given(x, y, rest), kw)
        return fn(x, **kw) if y is _ABSENT else fn(x, y, *rest, **kw)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``{qualified}`` of the namespace that owns the arrays given (see :mod:`unibridge.following`)."
    return call


def _creation_function(path: tuple[str, ...], name: str) -> Callable[..., Any]:
    """``name`` of the selected namespace, on the selected device."""
    qualified = ".".join((*path, name))
    # Per selection ("backend@device", then default float): the namespace's function with the
    # selected device filled in, built once.
    memo: dict[str, dict[str, Callable[..., Any]]] = {}
    _MEMOS.append(memo)

    def build() -> Callable[..., Any]:
        chosen = _selected()
        fn: Callable[..., Any] = getattr(_path_of(chosen.namespace, path), name)
        fills = getattr(fn, "fills_default_float", None)
        if fills is not None and not chosen.check_device:
            # The framework's own zeros/ones/empty with the default float bound: one frame less.
            # A caller's dtype= (or device=) wins over what is bound; dtype=None is dropped in call().
            framework_fn, real = fills
            bound = {"dtype": real} if chosen.native_device is None else {"dtype": real, "device": chosen.native_device}
            fn = partial(framework_fn, **bound)
        elif chosen.native_device is not None:
            fn = partial(fn, device=chosen.native_device)  # a device= of the caller's wins
        elif chosen.check_device:
            fn = partial(_placed, fn, chosen.backend, chosen.device)
        sel = _CURRENT.get() or _DEFAULT.selection or process_default()
        memo.setdefault(sel.key, {})[sel.default_float] = fn
        return fn

    def call(*args: Any, **kw: Any) -> Any:
        sel = _CURRENT.get() or _DEFAULT.selection or process_default()
        try:
            fn = memo[sel.key][sel.default_float]
        except KeyError:
            fn = build()
        if kw and "dtype" in kw and kw["dtype"] is None:
            del kw["dtype"]  # None means the default float, which is bound (or filled in)
        return fn(*args, **kw)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``{qualified}`` of the selected backend, on the selected device, in the selected default float."
    return call


def _placed(fn: Callable[..., Any], backend: Backend, device: Device, /, *args: Any, **kw: Any) -> Any:
    """``fn(*args, **kw)``, moved to ``device`` when the namespace put it elsewhere and no device was asked."""
    out = fn(*args, **kw)
    if kw.get("device") is None and backend.device_of(out) != device:
        out = backend.from_native(out, device=device, copy=None)
    return out


def _like_function(path: tuple[str, ...], name: str) -> Callable[..., Any]:
    """The template's namespace when it is an array; the selection's for Python data."""
    of_array = _array_function(path, name)
    of_data = _creation_function(path, name)
    owner = _REGISTRY.owner

    def call(x: Any, /, *args: Any, **kw: Any) -> Any:
        if type(x) not in _NEUTRAL and not isinstance(x, (list, tuple)) and owner(x) is not None:
            return of_array(x, *args, **kw)
        return of_data(x, *args, **kw)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = of_array.__doc__
    return call


class FollowingNamespace(ModuleType):
    """An Array API namespace that decides at each call whose functions to use.

    Held at module level, it stays right when the selection changes later. It compares
    equal only to itself: it is not any one framework's namespace.

    Example:
        >>> import unibridge as ub
        >>> xp = FollowingNamespace("unibridge.xp")
        >>> with ub.use("numpy"):
        ...     xp.ones(2).dtype.name, xp.float32 is ub.namespace().float32
        ('float64', True)
    """

    def __init__(self, name: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(name, __doc__)
        self.__dict__["_path"] = path

    def __getattr__(self, name: str) -> Any:
        path: tuple[str, ...] = self.__dict__["_path"]
        if name.startswith("__") and name not in SELECTED_EACH_TIME:
            raise AttributeError(f"{self.__name__} has no attribute {name!r}")
        found = getattr(_path_of(_selected().namespace, path), name)  # AttributeError when it has none
        if name in SELECTED_EACH_TIME:
            return found
        value: Any
        if isinstance(found, ModuleType):
            value = FollowingNamespace(f"{self.__name__}.{name}", (*path, name))
        elif not callable(found):
            value = found  # a constant (pi, e, inf, nan, newaxis): the same in every namespace
        elif name in CREATION:
            value = _creation_function(path, name)
        elif name in LIKE:
            value = _like_function(path, name)
        else:
            value = _array_function(path, name)
        self.__dict__[name] = value
        return value

    def __repr__(self) -> str:
        return f"<namespace {self.__name__!r} following the selection>"


xp = FollowingNamespace("unibridge.xp")
