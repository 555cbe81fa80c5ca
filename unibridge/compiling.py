"""``unibridge.jit`` (this module: ``unibridge.compiling``): compile a backend-neutral function where the backend can.

``jit(fun)`` returns what the backend's optional ``jit(fun)`` capability returns
(:class:`~unibridge.protocol.SupportsJit`): the framework's compiler where it has
one (traced: Python control flow runs once, at trace time; use ``xp.where`` for
choices that depend on values), or ``fun`` itself where the backend declares that
it compiles nothing, each backend saying why in its ``jit`` docstring. A backend
that declares neither raises :class:`~unibridge.JitUnavailableError`: a function
is never silently left uncompiled for a backend that said nothing.

The backend is decided once, when ``jit`` is called: the active one, or
``backend=`` (a name or an alias, resolved by the registry). Call it where the
backend is selected, e.g. inside ``with unibridge.use(...):`` or after
``UNIBRIDGE_BACKEND`` is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .api import get_backend
from .errors import ConfigurationError, JitUnavailableError, UnibridgeError
from .registry import backends

__all__ = ["jit"]

F = TypeVar("F", bound=Callable[..., Any])


def jit(fun: F, *, backend: str | None = None) -> F:
    """``fun`` compiled by the active backend (or ``backend=``, an alias works), or ``fun`` itself
    where that backend declares there is nothing to compile.

    Results are those of ``fun`` (each backend's ``jit`` docstring says how many
    last bits its compiler may change).

    Example:
        >>> import numpy as np, unibridge as ub
        >>> def f(x):
        ...     return x * 2.0
        >>> ub.jit(f, backend="numpy") is f   # NumPy declares that it compiles nothing
        True
    """
    if not callable(fun):
        raise ConfigurationError(f"jit needs a function, got {type(fun).__name__}")
    chosen = get_backend(backend)  # None: the active backend; a name or an alias: resolved
    compile_ = getattr(chosen, "jit", None)
    if compile_ is None:
        raise JitUnavailableError(
            f"backend {chosen.name!r} declares no jit (neither a compiler nor that it compiles "
            f"nothing), so unibridge.jit cannot tell what to return; call the function "
            f"uncompiled, or use a backend that declares jit: {', '.join(_declaring_jit()) or 'none here'}"
        )
    return compile_(fun)  # type: ignore[no-any-return]


def _declaring_jit() -> list[str]:
    """The backends installed here that declare ``jit`` (for the error message)."""
    found = []
    for row in backends():
        if row.available:
            try:
                if callable(getattr(get_backend(row.name), "jit", None)):
                    found.append(row.name)
            except UnibridgeError:
                continue
    return found
