"""Array API namespaces that create arrays in unibridge's configured default float.

The same ``xp`` code must give the same dtypes on every backend, but each
framework has its own default: ``torch.zeros(2)`` is float32 (torch's global
default), NumPy, JAX (x64) and Dask give float64, and none of them follows
``UNIBRIDGE_DEFAULT_FLOAT``. :func:`namespace_of` asks the backend for its
namespace in a default float (the optional
:class:`~unibridge.protocol.SupportsDefaultFloatNamespace`); a backend without
that rule gets the generic one here, :func:`with_default_float`, which wraps
its namespace so that creation without a dtype gives the configured default
float, without touching any framework's global state:

* ``zeros``, ``ones``, ``empty``, ``eye``, ``linspace`` (complex endpoints: the
  matching complex dtype);
* ``full`` with a Python float (complex) fill, ``arange`` with a Python float
  among its arguments, ``asarray`` of Python floats (complex) or of nested
  lists/tuples holding one; a complex anywhere in the data wins over floats;
* ``full`` with a NumPy scalar fill (``np.float64(0.1)``): the scalar's own
  dtype, as NumPy keeps it (a framework with its own default would narrow it);
* the ``_like`` forms when the template is Python data rather than an array (an
  array template keeps its own dtype, as the Array API says);
* ``__array_namespace_info__().default_dtypes()``, so libraries that ask the
  namespace for its default (array-api-extra's ``one_hot``) agree;
* ``cov`` (not in the standard, but common, and array-api-extra delegates to
  it) of integer or bool input computes in float64 as NumPy's does, where a
  framework's own might use its float32 default.

Integer and bool creation keep the framework's own default. Every other
attribute is the wrapped namespace's own object, looked up once and then
stored on the wrapper, so non-creation functions cost nothing extra. The
wrapper keeps the wrapped module's ``__name__``, so
``array_api_compat.is_torch_namespace(xp)`` and the fast paths that libraries
choose from it still work, and it compares and hashes equal to the wrapped
module, so ``array_namespace(x) == xp`` holds for its arrays.

Example:
    >>> import numpy as np
    >>> from unibridge.dtypes import float32
    >>> xp = with_default_float(np, float32)
    >>> xp.zeros(2).dtype, xp.asarray([1.0, 2.0]).dtype, xp.arange(3).dtype
    (dtype('float32'), dtype('float32'), dtype('int64'))
    >>> xp.sum is np.sum, xp == np
    (True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from ._forksafe import fork_safe_lock
from .dtypes import DType
from .protocol import Backend

__all__ = ["DefaultFloatNamespace", "with_default_float", "namespace_of", "unwrap_namespace"]

_COMPLEX_OF = {"float32": "complex64", "float64": "complex128"}


class _Wrapped:
    """The wrapped namespaces, one per (wrapped module id, default float name): each built on
    first use under the lock, never changed afterwards, so ``namespace()`` stays a dict lookup."""

    def __init__(self) -> None:
        self.table: dict[tuple[int, str], DefaultFloatNamespace] = {}
        self.lock: Any = None
        fork_safe_lock(self)  # a thread building one at fork time does not exist in the child


_WRAPPED = _Wrapped()

Check = Callable[[DType], None]


def _python_kind(obj: Any) -> str | None:
    """``"complex"`` or ``"float"`` when Python data holds a Python complex or float; else None.

    A complex anywhere wins (``[1.0, 2j]`` is complex data). NumPy scalars and
    arrays carry their own dtype and count as neither.
    """
    if isinstance(obj, (bool, int)) or hasattr(obj, "dtype"):
        return None
    if isinstance(obj, complex):
        return "complex"
    if isinstance(obj, float):
        return "float"
    if isinstance(obj, (list, tuple)):
        found = None
        for item in obj:
            kind = _python_kind(item)
            if kind == "complex":
                return kind
            found = kind or found
        return found
    return None


class _InfoWithDefaultFloat:
    """``__array_namespace_info__()`` of a wrapped namespace: its default floats are unibridge's."""

    def __init__(self, info: Any, real: Any, complex_: Any) -> None:
        self._info = info
        self._real = real
        self._complex = complex_

    def default_dtypes(self, *, device: Any = None) -> dict[str, Any]:
        found = dict(self._info.default_dtypes(device=device))
        found["real floating"] = self._real
        found["complex floating"] = self._complex
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._info, name)


class DefaultFloatNamespace(ModuleType):
    """An Array API namespace whose creation functions default to one float dtype.

    ``__wrapped__`` is the framework's namespace; every attribute other than
    the creation functions is that namespace's own object. It compares and
    hashes equal to ``__wrapped__`` (and to every other wrapper of it): it is
    the same namespace, creating in a chosen default float. ``check``, when
    given, is called with the dtype before each creation that uses the default
    float, and raises when the framework cannot make it.

    Example:
        >>> import numpy as np
        >>> from unibridge.dtypes import float32
        >>> xp = DefaultFloatNamespace(np, float32)
        >>> xp.ones((2,)).dtype, xp.__wrapped__ is np, xp.__name__, xp == np, hash(xp) == hash(np)
        (dtype('float32'), True, 'numpy', True, True)
    """

    __wrapped__: ModuleType
    default_float: DType

    def __init__(self, base: ModuleType, default_float: DType, check: Check | None = None) -> None:
        super().__init__(base.__name__, base.__doc__)
        self.__wrapped__ = base
        self.default_float = default_float
        self.__dict__["_check"] = check
        self.__dict__.update(_creation_functions(self, base, default_float, check))

    def __getattr__(self, name: str) -> Any:
        # Only reached for names not yet on the wrapper: look up once, then the
        # module dict answers directly (same object, no extra frame).
        value = getattr(self.__wrapped__, name)
        self.__dict__[name] = value
        return value

    def __eq__(self, other: object) -> bool:
        return other is self or other is self.__wrapped__ or (
            isinstance(other, DefaultFloatNamespace) and other.__wrapped__ is self.__wrapped__
        )

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.__wrapped__)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self.__wrapped__)) | set(self.__dict__))

    def __repr__(self) -> str:
        return f"<namespace {self.__name__!r} with default float {self.default_float}>"


def _creation_functions(
    ns: ModuleType, base: ModuleType, default_float: DType, check: Check | None
) -> dict[str, Callable[..., Any]]:
    """The wrapped creation functions: each fills in ``dtype`` only when the caller left it out."""
    real = getattr(base, default_float.name)
    complex_name = _COMPLEX_OF[default_float.name]
    complex_ = getattr(base, complex_name)
    if check is None:
        def real_dtype() -> Any:
            return real

        def complex_dtype() -> Any:
            return complex_
    else:
        checked = check
        wanted_complex = DType(complex_name)

        def real_dtype() -> Any:
            checked(default_float)
            return real

        def complex_dtype() -> Any:
            checked(wanted_complex)
            return complex_

    def floating(kind: str | None) -> Any:
        return complex_dtype() if kind == "complex" else real_dtype() if kind == "float" else None

    def zeros(shape: Any, *, dtype: Any = None, **kw: Any) -> Any:
        return base.zeros(shape, dtype=real_dtype() if dtype is None else dtype, **kw)

    def ones(shape: Any, *, dtype: Any = None, **kw: Any) -> Any:
        return base.ones(shape, dtype=real_dtype() if dtype is None else dtype, **kw)

    def empty(shape: Any, *, dtype: Any = None, **kw: Any) -> Any:
        return base.empty(shape, dtype=real_dtype() if dtype is None else dtype, **kw)

    def eye(n_rows: int, n_cols: int | None = None, /, *, k: int = 0, dtype: Any = None, **kw: Any) -> Any:
        return base.eye(n_rows, n_cols, k=k, dtype=real_dtype() if dtype is None else dtype, **kw)

    def full(shape: Any, fill_value: Any, *, dtype: Any = None, **kw: Any) -> Any:
        if dtype is None:
            if isinstance(fill_value, np.generic):
                # A NumPy scalar carries its dtype (NumPy keeps it); torch would use its own default,
                # and take the scalar's real part only. Its dtype, and its value as a Python number.
                dtype = getattr(base, fill_value.dtype.name, None)
                fill_value = fill_value.item()
            else:
                dtype = floating(_python_kind(fill_value))
        return base.full(shape, fill_value, dtype=dtype, **kw)

    def arange(start: Any, /, stop: Any = None, step: Any = 1, *, dtype: Any = None, **kw: Any) -> Any:
        if dtype is None:
            dtype = floating(_python_kind((start, stop, step)))
        if stop is None:
            start, stop = 0, start
        return base.arange(start, stop, step, dtype=dtype, **kw)

    def linspace(start: Any, stop: Any, /, num: int, *, dtype: Any = None, **kw: Any) -> Any:
        if dtype is None:
            dtype = complex_dtype() if _python_kind((start, stop)) == "complex" else real_dtype()
        return base.linspace(start, stop, num, dtype=dtype, **kw)

    def asarray(obj: Any, /, *, dtype: Any = None, **kw: Any) -> Any:
        if dtype is None and isinstance(obj, (float, complex, list, tuple)):
            dtype = floating(_python_kind(obj))
        return base.asarray(obj, dtype=dtype, **kw)

    def template(x: Any) -> Any:
        # Python data as a template has no dtype of its own: it takes the default float.
        return asarray(x) if isinstance(x, (float, complex, list, tuple)) else x

    def zeros_like(x: Any, /, **kw: Any) -> Any:
        return base.zeros_like(template(x), **kw)

    def ones_like(x: Any, /, **kw: Any) -> Any:
        return base.ones_like(template(x), **kw)

    def empty_like(x: Any, /, **kw: Any) -> Any:
        return base.empty_like(template(x), **kw)

    def full_like(x: Any, /, fill_value: Any, **kw: Any) -> Any:
        return base.full_like(template(x), fill_value, **kw)

    wide = getattr(base, "float64", None)

    def cov(m: Any, /, *args: Any, **kw: Any) -> Any:
        # Not in the standard, but common, and array-api-extra's cov delegates to it. NumPy
        # (and array-api-extra's generic code) compute integer input in float64; a framework
        # with a float32 default would not. Follow NumPy everywhere.
        if base.isdtype(m.dtype, ("integral", "bool")):
            m = base.astype(m, wide)
        return base.cov(m, *args, **kw)

    info_of = getattr(base, "__array_namespace_info__", None)

    def __array_namespace_info__() -> Any:  # noqa: N807 (the Array API's name)
        assert info_of is not None
        return _InfoWithDefaultFloat(info_of(), real, complex_)

    made: dict[str, Callable[..., Any]] = {
        f.__name__: f
        for f in (zeros, ones, empty, eye, full, arange, linspace, asarray,
                  zeros_like, ones_like, empty_like, full_like, cov)
        if hasattr(base, f.__name__) and (f is not cov or (hasattr(base, "isdtype") and wide is not None))
    }
    if info_of is not None:
        made["__array_namespace_info__"] = __array_namespace_info__
    for f in made.values():
        f.__module__ = ns.__name__
        f.__doc__ = getattr(getattr(base, f.__name__, None), "__doc__", None)
    if check is None:
        # zeros, ones and empty only fill in the default float: say so, so that a caller that
        # binds arguments anyway (unibridge.xp binds the device) can call the framework directly.
        for f in (zeros, ones, empty):
            if f.__name__ in made:
                f.fills_default_float = (getattr(base, f.__name__), real)  # type: ignore[attr-defined]
    return made


def with_default_float(
    base: ModuleType, default_float: DType, *, check: Check | None = None, native: DType | None = None
) -> ModuleType:
    """``base`` with creation defaulting to ``default_float``: the generic rule.

    Cached per namespace and default float. A namespace without the float
    dtypes (not an Array API namespace we can fill dtypes in for) is returned
    unchanged. ``check(dtype)``, when given, runs before each creation that
    uses the default float and raises when the framework cannot make it.

    ``native`` is the framework's own default float when that is fixed (NumPy's,
    Dask's and array-api-strict's float64; not torch's, a global any code may
    change). When it is ``default_float`` and there is no ``check``, ``base``
    already creates what the wrapper would, and ``base`` itself is returned: the
    very object ``array_api_compat.array_namespace`` gives for its arrays, so
    third-party code that compares namespaces with ``is`` accepts it.

    Example:
        >>> import numpy as np
        >>> from unibridge.dtypes import float32, float64
        >>> with_default_float(np, float32) is with_default_float(np, float32)
        True
        >>> with_default_float(np, float64, native=float64) is np
        True
    """
    if not all(hasattr(base, name) for name in (default_float.name, _COMPLEX_OF[default_float.name])):
        return base
    if native is not None and native == default_float and check is None:
        return base
    key = (id(base), default_float.name)
    found = _WRAPPED.table.get(key)
    if found is not None and found.__wrapped__ is base and found.__dict__["_check"] == check:
        return found
    with _WRAPPED.lock:
        found = _WRAPPED.table.get(key)
        if found is None or found.__wrapped__ is not base or found.__dict__["_check"] != check:
            found = DefaultFloatNamespace(base, default_float, check)
            _WRAPPED.table[key] = found
    return found


def namespace_of(backend: Backend, default_float: DType) -> ModuleType:
    """The namespace of ``backend`` whose creation defaults to ``default_float``.

    The backend's own rule when it has one
    (:class:`~unibridge.protocol.SupportsDefaultFloatNamespace`), else the generic
    :func:`with_default_float` around ``backend.namespace()``.

    Example:
        >>> import unibridge as ub
        >>> from unibridge.dtypes import float32
        >>> namespace_of(ub.get_backend("numpy"), float32).ones(2).dtype
        dtype('float32')
    """
    rule = getattr(backend, "default_float_namespace", None)
    if rule is not None:
        return rule(default_float)  # type: ignore[no-any-return]
    return with_default_float(backend.namespace(), default_float)


def unwrap_namespace(ns: ModuleType) -> ModuleType:
    """The framework's own namespace behind ``ns`` (``ns`` itself when it is not wrapped).

    Example:
        >>> import numpy as np
        >>> from unibridge.dtypes import float64
        >>> unwrap_namespace(with_default_float(np, float64)) is np
        True
    """
    return ns.__wrapped__ if isinstance(ns, DefaultFloatNamespace) else ns
