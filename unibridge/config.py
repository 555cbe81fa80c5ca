"""Which backend, device and default float are selected: ``use()``, ``configure()``, ``current()``.

Resolution order, innermost first:

1. ``with unibridge.use(...)`` — scoped, per thread and per asyncio task
   (a :class:`contextvars.ContextVar`, restored with its token, so a switch
   never leaks out of its block or into another thread);
2. ``unibridge.configure(...)`` — the process default;
3. the environment: ``UNIBRIDGE_BACKEND``, ``UNIBRIDGE_DEVICE``,
   ``UNIBRIDGE_DEFAULT_FLOAT``, read on first use, never at import;
4. built-in defaults: numpy, cpu, float64.

A bad value raises on first use with the variable, the value, and what is allowed.

This module holds selection state only: the ContextVar of ``use()`` blocks and
the process default. A :class:`Selection` names its backend; the backend object
is looked up in the registry when it is used, so re-registering a name takes
effect inside a live ``configure()`` or ``use()`` too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from ._forksafe import fork_safe_lock
from .devices import ALLOWED_SPELLINGS, CPU, DeviceRequest, parse_device, spelling_of
from .dtypes import DType, as_dtype, float64
from .errors import BackendNotFoundError, BackendUnavailableError, ConfigurationError, UnibridgeError
from .registry import _REGISTRY

__all__ = ["Selection", "use", "configure", "current", "reset_defaults", "blame_environment", "ENV_VARS",
           "DEFAULT_FLOATS"]

# The built-in defaults, already parsed: a process that sets no variable parses nothing.
_BUILT_IN_BACKEND = "numpy"
_BUILT_IN_DEVICE: DeviceRequest = CPU
_BUILT_IN_FLOAT: DType = float64

ENV_VARS: Mapping[str, str] = MappingProxyType(
    {
        "UNIBRIDGE_BACKEND": _BUILT_IN_BACKEND,
        "UNIBRIDGE_DEVICE": str(_BUILT_IN_DEVICE),
        "UNIBRIDGE_DEFAULT_FLOAT": str(_BUILT_IN_FLOAT),
    }
)
DEFAULT_FLOATS = ("float32", "float64")


@dataclass(frozen=True, slots=True)
class Selection:
    """The active configuration: ``.backend`` (a name), ``.device``, ``.default_float``.

    ``.sources`` says where each value came from: ``"default"``,
    ``"environment"``, ``"configure"`` or ``"use"``.

    Example:
        >>> import unibridge as ub
        >>> with ub.use("numpy", device="cpu"):
        ...     s = ub.current()
        >>> s.backend, str(s.device), s.sources["backend"]
        ('numpy', 'cpu', 'use')
    """

    backend: str
    device: DeviceRequest
    default_float: DType
    sources: Mapping[str, str] = field(compare=False)
    # "backend@device": what conversion routes depend on (the engine keys its memo by it).
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.backend}@{self.device}")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # ``sources`` is a read-only mapping proxy, which pickle cannot write: rebuild from a dict.
        return _selection, (self.backend, self.device, self.default_float, dict(self.sources))

    def __copy__(self) -> Selection:
        return self  # immutable: a copy would be equal in every way

    def __deepcopy__(self, memo: dict[int, Any]) -> Selection:
        return self

    def device_origin(self) -> str:
        """Where the device setting came from, quoted as it was written (``UNIBRIDGE_DEVICE='cuda'``)."""
        where = self.sources.get("device", "default")
        spelled = spelling_of(self.device)
        if where == "environment":
            return f"environment: UNIBRIDGE_DEVICE={spelled!r}"
        if where in ("use", "configure"):
            return f"{where}(device={spelled!r})"
        return where


def _selection(backend: str, device: DeviceRequest, default_float: DType, sources: dict[str, str]) -> Selection:
    """Rebuild a pickled :class:`Selection`."""
    return Selection(backend, device, default_float, MappingProxyType(dict(sources)))


# The innermost use() block's selection (None outside every block).
_CURRENT: ContextVar[Selection | None] = ContextVar("unibridge_selection", default=None)


class _ProcessDefault:
    """The process-wide selection: ``configure()``'s, else the environment's (read on first use)."""

    __slots__ = ("lock", "selection", "backend_written", "__weakref__")  # weakly held by the fork hooks

    def __init__(self) -> None:
        self.lock: Any = None
        # A thread building the process default at fork time holds the lock; the child
        # gets a fresh one. The selection itself is assigned atomically: it is kept.
        fork_safe_lock(self)
        self.selection: Selection | None = None
        # UNIBRIDGE_BACKEND as written when the selection was read from it ("" when unset).
        self.backend_written = ""


_DEFAULT = _ProcessDefault()


def _check_backend(name: str, origin: str) -> str:
    """The canonical name of backend ``name``, checked to be loadable here."""
    prefix = f"UNIBRIDGE_BACKEND={name!r}: " if origin == "UNIBRIDGE_BACKEND" else ""
    try:
        # The name it is registered under, not backend.name: a subclass of a built-in backend
        # registered as "mytorch" keeps its own name (its .name may still say "torch").
        canonical, backend = _REGISTRY.resolve(name)
    except (BackendNotFoundError, BackendUnavailableError) as exc:
        if prefix:
            raise type(exc)(f"{prefix}{exc}") from None
        raise
    ok, reason = backend.available()
    if not ok:
        raise BackendUnavailableError(f"{prefix}{reason}")
    return canonical


def _parse_default_float(value: Any, origin: str) -> DType:
    try:
        dt = as_dtype(value)
    except UnibridgeError:
        dt = None
    if dt is None or dt not in DEFAULT_FLOATS:
        raise ConfigurationError(
            f"{origin}={value!r} is not a default float; allowed: {', '.join(DEFAULT_FLOATS)}"
        )
    return dt


def _parse_device_setting(value: Any, origin: str) -> DeviceRequest:
    try:
        return parse_device(value)
    except ConfigurationError:
        raise ConfigurationError(
            f"{origin}={value!r} is not a device; allowed: {ALLOWED_SPELLINGS}"
        ) from None


def _from_environment(raw: Mapping[str, str]) -> Selection:
    sources = {var.removeprefix("UNIBRIDGE_").lower(): "environment" if raw[var] else "default" for var in ENV_VARS}
    device, default_float = raw["UNIBRIDGE_DEVICE"], raw["UNIBRIDGE_DEFAULT_FLOAT"]
    return Selection(
        backend=_check_backend(raw["UNIBRIDGE_BACKEND"] or _BUILT_IN_BACKEND, "UNIBRIDGE_BACKEND"),
        device=_parse_device_setting(device, "UNIBRIDGE_DEVICE") if device else _BUILT_IN_DEVICE,
        default_float=(_parse_default_float(default_float, "UNIBRIDGE_DEFAULT_FLOAT") if default_float
                       else _BUILT_IN_FLOAT),
        sources=MappingProxyType(sources),
    )


def process_default() -> Selection:
    """The process-wide selection (``configure`` or the environment), built on first use.

    Example:
        >>> from unibridge.config import process_default
        >>> process_default().backend in ("numpy", "torch", "tensorflow", "jax", "dask")
        True
    """
    selection = _DEFAULT.selection
    if selection is None:
        with _DEFAULT.lock:
            selection = _DEFAULT.selection
            if selection is None:
                raw = {var: os.environ.get(var, "").strip() for var in ENV_VARS}
                selection = _from_environment(raw)  # raises on a bad variable; nothing cached
                _DEFAULT.backend_written = raw["UNIBRIDGE_BACKEND"]
                _DEFAULT.selection = selection
    return selection


def current() -> Selection:
    """The active configuration: ``.backend`` (name), ``.device``, ``.default_float``.

    The innermost ``use()`` block's selection, else the process default.

    Example:
        >>> import unibridge as ub
        >>> ub.current().backend in [b.name for b in ub.backends()]
        True
    """
    return _CURRENT.get() or _DEFAULT.selection or process_default()


def _derive(base: Selection, backend: str | None, device: Any, default_float: Any, origin: str) -> Selection:
    changes: dict[str, Any] = {}
    sources = dict(base.sources)
    if backend is not None:
        changes["backend"] = _check_backend(backend, origin)
        sources["backend"] = origin
    if device is not None:
        changes["device"] = _parse_device_setting(device, "device")
        sources["device"] = origin
    if default_float is not None:
        changes["default_float"] = _parse_default_float(default_float, "default_float")
        sources["default_float"] = origin
    changes["sources"] = MappingProxyType(sources)
    return replace(base, **changes)


@contextmanager
def use(backend: str | None = None, *, device: Any = None) -> Iterator[Selection]:
    """Select a backend and/or device for the enclosed block (nests; per thread and task).

    Omitted arguments keep the enclosing block's value.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> with ub.use("numpy", device="cpu"):
        ...     type(ub.asarray([1.0, 2.0])).__name__
        'ndarray'
    """
    selection = _derive(current(), backend, device, None, "use")
    token = _CURRENT.set(selection)
    try:
        yield selection
    finally:
        _CURRENT.reset(token)


def configure(
    backend: str | None = None, *, device: Any = None, default_float: Any = None
) -> Selection:
    """Set the process-wide default backend, device and default float dtype.

    ``use()`` blocks still take precedence inside them. Returns the new default.

    Example:
        >>> import unibridge as ub
        >>> ub.configure(default_float="float64").default_float
        DType('float64')
    """
    with _DEFAULT.lock:
        new = _derive(process_default(), backend, device, default_float, "configure")
        _DEFAULT.selection = new
    return new


def reset_defaults() -> None:
    """Forget ``configure()`` and re-read the environment on next use (for tests).

    Example:
        >>> import unibridge.config as c
        >>> c.reset_defaults()
    """
    with _DEFAULT.lock:
        _DEFAULT.selection = None
        _DEFAULT.backend_written = ""


def blame_environment(exc: BackendUnavailableError, selection: Selection) -> BackendUnavailableError:
    """``exc`` prefixed with ``UNIBRIDGE_BACKEND='...'`` (as written) when that variable chose
    ``selection``'s backend, else ``exc`` itself.

    The selection checks that the variable's backend is *available*, but a framework that is
    installed and fails to import (dask without dask.array, a broken wheel) fails only on
    first use, so that ``use("numpy")`` keeps working; its error must still say where the
    choice came from.

    Example:
        >>> import unibridge as ub
        >>> from unibridge.errors import BackendUnavailableError
        >>> with ub.use("numpy"):
        ...     str(blame_environment(BackendUnavailableError("numpy failed"), ub.current()))
        'numpy failed'
    """
    written = _DEFAULT.backend_written if selection.sources.get("backend") == "environment" else ""
    return BackendUnavailableError(f"UNIBRIDGE_BACKEND={written!r}: {exc}") if written else exc
