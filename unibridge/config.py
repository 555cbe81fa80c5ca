"""Which backend and device are active: ``use()``, ``configure()``, ``current()``.

Resolution order, innermost first:

1. ``with unibridge.use(...)`` — scoped, per thread and per asyncio task
   (a :class:`contextvars.ContextVar`, restored with its token, so a switch
   never leaks out of its block or into another thread);
2. ``unibridge.configure(...)`` — the process default;
3. the environment: ``UNIBRIDGE_BACKEND``, ``UNIBRIDGE_DEVICE``,
   ``UNIBRIDGE_DEFAULT_FLOAT``, read on first use, never at import;
4. built-in defaults: numpy, cpu, float64.

A bad value raises on first use with the variable, the value, and what is allowed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from .devices import ALLOWED_SPELLINGS, Device, DeviceRequest, parse_device, resolve_device
from .dtypes import DType, as_dtype
from .errors import (
    BackendNotFoundError,
    BackendUnavailableError,
    ConfigurationError,
    DeviceUnavailableError,
    UnibridgeError,
)
from .protocol import Backend, NumpyFastPath
from .registry import _REGISTRY

__all__ = ["Selection", "use", "configure", "current", "reset_defaults", "ENV_VARS"]

ENV_VARS: Mapping[str, str] = MappingProxyType(
    {
        "UNIBRIDGE_BACKEND": "numpy",
        "UNIBRIDGE_DEVICE": "cpu",
        "UNIBRIDGE_DEFAULT_FLOAT": "float64",
    }
)
DEFAULT_FLOATS = ("float32", "float64")


@dataclass(frozen=True, eq=False)
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
    sources: Mapping[str, str]
    backend_object: Backend = field(repr=False)
    # Resolved device per backend name; filled on first use (never shared across selections).
    _resolved: dict[str, Device] = field(default_factory=dict, repr=False)
    # Precomputed conversion routes for this selection's device, keyed by the
    # input type (selected backend) or (input type, ``backend=``); False: none.
    _routes: dict[Any, Any] = field(default_factory=dict, repr=False)

    def device_for(self, backend: Backend) -> Device:
        """The concrete device this selection means for ``backend`` (resolves ``auto``)."""
        found = self._resolved.get(backend.name)
        if found is not None:
            return found
        try:
            found = resolve_device(self.device, backend.devices(), backend.name)
        except DeviceUnavailableError as exc:
            where = self.sources.get("device", "default")
            if where == "environment":
                where = f"environment: UNIBRIDGE_DEVICE='{self.device}'"
            raise DeviceUnavailableError(f"{exc} (device set by {where})") from None
        self._resolved[backend.name] = found
        return found

    def route(self, x: Any, backend: str | None) -> Any:
        """Build (once per input type and target) the fast conversion of ``x``, or False.

        A route composes the source backend's zero-copy NumPy view with the
        target's NumPy fast path; either may decline a particular array by
        returning None, which sends that call down the full path.
        """
        target = self.backend_object if backend is None else _REGISTRY.load(backend)
        into = fast_path_for(target, self.device_for(target))
        source = _REGISTRY.owner(x)
        route: Any = False
        if into and type(x) is np.ndarray:
            route = into
        elif into and source is not None and source is not target:
            maker = accelerator(source, "numpy_view_fast_path", "to_numpy")
            view = maker() if maker is not None else None
            if view is not None:

                def composed(x: Any) -> Any:
                    a = view(x)
                    return None if a is None else apply_fast_path(into, a)

                route = NumpyFastPath(composed)
        self._routes[type(x) if backend is None else (type(x), backend)] = route
        return route


_CURRENT: ContextVar[Selection | None] = ContextVar("unibridge_selection", default=None)


def _load_checked(name: str, origin: str) -> Backend:
    """Load a backend and check that its framework is importable here."""
    try:
        backend = _REGISTRY.load(name)
    except BackendNotFoundError as exc:
        if origin == "UNIBRIDGE_BACKEND":
            raise BackendNotFoundError(f"UNIBRIDGE_BACKEND={name!r}: {exc}") from None
        raise
    ok, reason = backend.available()
    if not ok:
        prefix = f"UNIBRIDGE_BACKEND={name!r}: " if origin == "UNIBRIDGE_BACKEND" else ""
        raise BackendUnavailableError(f"{prefix}{reason}")
    return backend


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


def _from_environment() -> Selection:
    env = os.environ
    sources = {}
    values = {}
    for var, default in ENV_VARS.items():
        raw = env.get(var, "").strip()
        key = var.removeprefix("UNIBRIDGE_").lower()
        values[key] = raw or default
        sources[key] = "environment" if raw else "default"
    backend = _load_checked(values["backend"], "UNIBRIDGE_BACKEND")
    return Selection(
        backend=backend.name,
        device=_parse_device_setting(values["device"], "UNIBRIDGE_DEVICE"),
        default_float=_parse_default_float(values["default_float"], "UNIBRIDGE_DEFAULT_FLOAT"),
        sources=MappingProxyType(sources),
        backend_object=backend,
    )


def process_defaults() -> Selection:
    """The process-wide selection (``configure`` or the environment), built on first use."""
    settings = _REGISTRY.settings
    if settings is None:
        with _REGISTRY.lock:
            settings = _REGISTRY.settings
            if settings is None:
                settings = _from_environment()  # raises on a bad variable; nothing cached
                _REGISTRY.settings = settings
    return settings  # type: ignore[no-any-return]


def active() -> Selection:
    """The innermost selection: the ``use()`` block's, else the process default."""
    sel = _CURRENT.get()
    return sel if sel is not None else process_defaults()


def current() -> Selection:
    """The active configuration: ``.backend`` (name), ``.device``, ``.default_float``.

    Example:
        >>> import unibridge as ub
        >>> ub.current().backend in [b.name for b in ub.backends()]
        True
    """
    return active()


def _derive(base: Selection, backend: str | None, device: Any, default_float: Any, origin: str) -> Selection:
    changes: dict[str, Any] = {}
    sources = dict(base.sources)
    if backend is not None:
        obj = _load_checked(backend, origin)
        changes["backend"] = obj.name
        changes["backend_object"] = obj
        sources["backend"] = origin
    if device is not None:
        changes["device"] = _parse_device_setting(device, "device")
        sources["device"] = origin
    if default_float is not None:
        changes["default_float"] = _parse_default_float(default_float, "default_float")
        sources["default_float"] = origin
    changes["sources"] = MappingProxyType(sources)
    changes["_resolved"] = {}
    changes["_routes"] = {}
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
    selection = _derive(active(), backend, device, None, "use")
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
    with _REGISTRY.lock:
        new = _derive(process_defaults(), backend, device, default_float, "configure")
        _REGISTRY.settings = new
    return new


def reset_defaults() -> None:
    """Forget ``configure()`` and re-read the environment on next use (for tests).

    Example:
        >>> import unibridge.config as c
        >>> c.reset_defaults()
    """
    with _REGISTRY.lock:
        _REGISTRY.settings = None


def apply_fast_path(path: NumpyFastPath, a: np.ndarray[Any, Any]) -> Any:
    """Run a backend's NumPy fast path on ``a``; None means "take the full path"."""
    convert, flags, declines, chars = path
    if (flags and a.flags.num & flags != flags) or (chars is not None and a.dtype.char not in chars):
        return None
    try:
        return convert(a)
    except declines:
        return None


def fast_path_for(backend: Backend, device: Device) -> Any:
    """``backend.numpy_fast_path(device)``, built once per (backend, device); False if none."""
    key = (backend.name, device)
    path = _REGISTRY.fast_paths.get(key)
    if path is None:
        maker = accelerator(backend, "numpy_fast_path", "from_numpy")
        made: Any = maker(device) if maker is not None else None
        if made and not isinstance(made, NumpyFastPath):
            made = NumpyFastPath(made)  # a bare converter function is accepted too
        path = made or False
        _REGISTRY.fast_paths[key] = path
    return path


def accelerator(backend: Backend, name: str, stands_for: str) -> Any:
    """``backend.<name>``, if it may stand in for ``backend.<stands_for>``.

    A subclass that overrides ``from_numpy`` but inherits its parent's fast
    path would have its own conversion bypassed, so an accelerator counts only
    when the class defining it is the one defining the method it stands for
    (or a subclass of it).
    """
    method = getattr(backend, name, None)
    if method is None:
        return None
    mro = type(backend).__mro__
    owner_fast = next((c for c in mro if name in vars(c)), None)
    owner_slow = next((c for c in mro if stands_for in vars(c)), None)
    if owner_fast is None or owner_slow is None or not issubclass(owner_fast, owner_slow):
        return None
    return method


def resolve_request(device: Any, backend: Backend) -> Device:
    """Parse and resolve an explicit ``device=`` argument for ``backend``."""
    request = device if type(device) is Device else parse_device(device)
    return resolve_device(request, backend.devices(), backend.name)

