"""The backend registry: names, aliases, lazy loading, and "whose array is this?".

This module holds the backend state of the process and nothing else: the table
of registered backends, the loaded backend objects, and which backend owns each
array type seen so far. Reads are plain dict lookups with no lock; writes
(registering, loading) take one lock. Every change that can alter an answer
bumps :attr:`generation` and tells the listeners (the conversion engine drops
its memo of conversion routes), so re-registering a name replaces the backend
everywhere at once.

Backends are registered by name with a *loader*: a callable returning a
:class:`~unibridge.protocol.Backend`, or a ``"module:attribute"`` string. The
loader runs on first use. Plugins register through the ``unibridge.backends``
entry-point group; their metadata is read on first lookup, and their code is
imported only when the backend is used.

Plugins (see ``docs/writing-a-backend.md``):

* **Discovery is lazy.** The entry-point metadata is read the first time a name
  is looked up that is not already registered (or when :func:`backends` lists
  everything); a plugin's module is imported only when its backend is used,
  when :func:`backends` reports on it, or when an array of an unknown type is
  being identified and no loaded backend claims it.
* **Isolation.** A plugin that fails to import, or whose loader returns
  something that is not a :class:`~unibridge.protocol.Backend`, never breaks
  ``import unibridge`` or another backend: it is listed as unavailable, with
  the error as the reason, and using it raises
  :class:`~unibridge.BackendUnavailableError`.
* **Conflicts.** When two distributions claim one name, neither is used: every
  use of the name raises :class:`~unibridge.BackendUnavailableError` naming
  both distributions. A built-in or explicitly registered backend keeps its
  name over a plugin's.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple, Union

from ._forksafe import fork_safe_lock
from .dtypes import BY_NAME, DType, as_dtype
from .errors import BackendNotFoundError, BackendUnavailableError, ConfigurationError, UnsupportedInputError
from .protocol import Backend

__all__ = [
    "BackendInfo",
    "Loader",
    "register_backend",
    "unregister_backend",
    "registered",
    "registered_name",
    "backends",
    "owner_of",
    "canonical_name",
    "resolve_dtype",
    "ENTRY_POINT_GROUP",
]

ENTRY_POINT_GROUP = "unibridge.backends"
ALIAS_GROUP = "unibridge.backend_aliases"  # alias = "name": another name for a backend of the same distribution

Loader = Union[Callable[[], Backend], str]

# The plugins this project ships, by the name they register: what to install when one is asked
# for and missing. They are separate distributions (a checkout holds them in backends/<dir>).
KNOWN_PLUGINS: dict[str, tuple[str, str]] = {
    "jax": ("unibridge-jax", "jax"),
    "dask": ("unibridge-dask", "dask"),
    "strict": ("unibridge-strict", "strict"),
    "array_api_strict": ("unibridge-strict", "strict"),
    "mlx": ("unibridge-mlx", "mlx"),
}


def plugin_install_hint(name: str) -> str:
    """What to install for a known plugin backend ``name`` that is not installed ("" if unknown).

    Example:
        >>> plugin_install_hint("dask").split(";")[0]
        "backend 'dask' is the plugin unibridge-dask, which is not installed"
    """
    found = KNOWN_PLUGINS.get(name.lower()) if isinstance(name, str) else None
    if found is None:
        return ""
    dist, folder = found
    return (f"backend {name!r} is the plugin {dist}, which is not installed; from a unibridge "
            f"checkout: pip install ./backends/{folder} (or pip install {dist} where it is published)")


# Types from these modules are never a backend's array: skip detection for them.
_PROGRAMMATIC = ("builtin", "register_backend")
_PLAIN_MODULES = frozenset({"builtins", "array", "decimal", "fractions"})


@dataclass(frozen=True)
class BackendInfo:
    """One row of :func:`backends`: a registered name and whether it can load here.

    Example:
        >>> import unibridge as ub
        >>> info = next(b for b in ub.backends() if b.name == "numpy")
        >>> info.available, info.source
        (True, 'builtin')
    """

    name: str
    available: bool
    reason: str
    aliases: tuple[str, ...]
    source: str  # "builtin", "register_backend", or the plugin's distribution name
    version: str | None


class _Entry:
    __slots__ = ("name", "loader", "aliases", "source", "backend", "error", "conflict", "claimants")

    def __init__(self, name: str, loader: Loader, aliases: tuple[str, ...], source: str) -> None:
        self.name = name
        self.loader = loader
        self.aliases = aliases
        self.source = source
        self.backend: Backend | None = None
        self.error: BaseException | None = None
        self.conflict: str | None = None
        self.claimants: tuple[str, ...] = (source,)


class _Registry:
    def __init__(self) -> None:
        self.lock: Any = None
        # The forking thread waits up to _FORK_WAIT_S for a load in progress to finish, so the
        # child sees a whole registry; the child gets a fresh lock either way (unibridge._forksafe).
        fork_safe_lock(self, wait_at_fork_s=lambda: _FORK_WAIT_S)
        self.entries: dict[str, _Entry] = {}
        self.aliases: dict[str, str] = {}
        self.loaded: dict[str, Backend] = {}  # name or alias -> backend; lock-free reads
        # Array type -> the backend that owns it (None: no backend does), filled by owner().
        self.by_type: dict[type, Backend | None] = {}
        self.plugins_scanned = False
        self.invalid: list[tuple[str, str, str]] = []  # (entry-point name, distribution, why)
        # Bumped (under the lock) by every change that can alter an answer; see changed().
        self.generation = 0
        self._listeners: list[Callable[[], None]] = []

    # -- change notification ------------------------------------------------
    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` (under the registry lock) after every change."""
        with self.lock:
            self._listeners.append(listener)

    def changed(self) -> None:
        """Forget derived answers: call with the lock held after changing the table."""
        self.generation += 1
        self.by_type = {}  # a new dict: readers holding the old one stay consistent
        for listener in self._listeners:
            listener()

    # -- registration -----------------------------------------------------
    def add(
        self, name: str, loader: Loader, aliases: tuple[str, ...], source: str, *, replace: bool = True,
        notify: bool = True,
    ) -> None:
        """Register ``name``; ``notify=False`` leaves calling :meth:`changed` to the caller (once
        for a batch of additions, as the plugin scan does)."""
        _check_name(name)
        for alias in aliases:
            _check_name(alias)
        with self.lock:
            old = self.entries.get(name)
            if source in _PROGRAMMATIC:
                self._take_over(name, aliases, replace)
                if old is not None:  # a name's aliases are other spellings of the name: they stay
                    aliases = old.aliases + tuple(a for a in aliases if a not in old.aliases)
            entry = _Entry(name, loader, aliases, source)
            if old is not None and source not in _PROGRAMMATIC and old.source != source:
                if old.source in _PROGRAMMATIC:
                    return  # a built-in or explicitly registered backend wins over a plugin
                # Two plugins claim one name: keep the first, and make every use
                # of the name fail with every claiming distribution named.
                claimants = old.claimants + (source,)
                old.claimants = claimants
                listed = " and ".join(repr(c) for c in claimants)
                old.conflict = (
                    f"backend name {name!r} is claimed by {len(claimants)} distributions: "
                    f"{listed}; uninstall all but one of them (pip uninstall ...)"
                )
                self._forget(old.backend)
                if notify:
                    self.changed()
                return
            self.entries[name] = entry
            for alias in aliases:
                self.aliases[alias] = name
            if old is not None:
                self._forget(old.backend)
            if notify:
                self.changed()

    def _take_over(self, name: str, aliases: tuple[str, ...], replace: bool) -> None:
        """Make room for an explicit registration of ``name`` with ``aliases`` (lock held).

        Without ``replace`` a name or alias that is already taken is refused, so a
        registration never silently takes over another backend's name. With it, an
        alias taken from another backend is removed from that backend; the aliases of a
        name taken over stay with the name.
        """
        taken = [(n, self._holder(n)) for n in (name, *aliases)]
        taken = [(n, holder) for n, holder in taken if holder is not None]
        for alias in aliases:
            if alias in self.entries and alias != name:
                raise ConfigurationError(
                    f"alias {alias!r} is the name of a registered backend; an alias cannot hide a "
                    f"name: register under the name {alias!r} itself (with replace=True)"
                )
        if taken and not replace:
            n, holder = taken[0]
            raise ConfigurationError(
                f"{n!r} is already {holder}; pass replace=True to take it over, or choose another "
                f"name (unregister_backend({name!r}) removes a registered backend)"
            )
        for n in (name, *aliases):
            owner = self.aliases.pop(n, None)
            if owner is not None and owner in self.entries:
                entry = self.entries[owner]
                entry.aliases = tuple(a for a in entry.aliases if a != n)

    def _holder(self, n: str) -> str | None:
        """What holds ``n`` now, in words (for errors), or None if it is free."""
        if n in self.entries:
            return f"the name of the {_describe(self.entries[n].source)} backend"
        owner = self.aliases.get(n)
        if owner is not None:
            return f"an alias of the backend {owner!r}"
        return None

    def remove(self, name: str) -> _Removed:
        """Unregister ``name`` (not an alias) with its aliases; returns what was removed."""
        with self.lock:
            entry = self.entries.get(name)
            if entry is None:
                owner = self.aliases.get(name)
                hint = (f"; {name!r} is an alias of {owner!r}: unregister the backend by its name"
                        if owner is not None else f"; registered: {', '.join(self.entries) or 'none'}")
                raise BackendNotFoundError(f"no backend is registered under the name {name!r}{hint}")
            del self.entries[name]
            removed_aliases = {a: self.aliases.pop(a) for a in entry.aliases if self.aliases.get(a) == name}
            self._forget(entry.backend)
            self.loaded = {k: v for k, v in self.loaded.items() if k != name and k not in entry.aliases}
            self.changed()
            return _Removed(entry, removed_aliases)

    def restore(self, before: _Snapshot) -> None:
        """Put back the entries and aliases recorded by :meth:`snapshot` (lock taken)."""
        with self.lock:
            for n, entry in before.entries.items():
                current = self.entries.get(n)
                if current is not None and current is not entry:
                    self._forget(current.backend)
                if entry is None:
                    self.entries.pop(n, None)
                else:
                    self.entries[n] = entry
            for a, target in before.aliases.items():
                if target is None:
                    self.aliases.pop(a, None)
                else:
                    self.aliases[a] = target
            for entry, aliases in before.entry_aliases:
                entry.aliases = aliases
            self.loaded = {k: v for k, v in self.loaded.items() if k not in before.entries and k not in before.aliases}
            self.changed()

    def snapshot(self, names: tuple[str, ...]) -> _Snapshot:
        """What :meth:`add` may change when registering ``names`` (a name, then its aliases)."""
        with self.lock:
            keys = set(names)
            for n in names:
                if n in self.entries:
                    keys.update(self.entries[n].aliases)
            owners = {self.aliases[k] for k in keys if k in self.aliases}
            return _Snapshot(
                entries={n: self.entries.get(n) for n in keys},
                aliases={k: self.aliases.get(k) for k in keys},
                entry_aliases=tuple((self.entries[o], self.entries[o].aliases) for o in owners if o in self.entries),
            )

    def name_of(self, backend: Backend) -> str:
        """The name ``backend`` was registered and loaded under (``backend.name`` if it never was)."""
        for key, value in self.loaded.items():
            if value is backend and key in self.entries:
                return key
        return str(backend.name)

    def _forget(self, backend: Backend | None) -> None:
        """Drop ``backend`` from the loaded table, under every name and alias it was loaded by."""
        if backend is not None:
            self.loaded = {k: v for k, v in self.loaded.items() if v is not backend}

    def scan_plugins(self) -> None:
        """Read the ``unibridge.backends`` entry points once (metadata only; imports nothing)."""
        if self.plugins_scanned:
            return
        with self.lock:
            if self.plugins_scanned:
                return
            try:
                from importlib.metadata import entry_points

                found = list(entry_points(group=ENTRY_POINT_GROUP))
                aliases = list(entry_points(group=ALIAS_GROUP))
            except Exception:  # noqa: BLE001 - broken metadata must not break unibridge
                found, aliases = [], []
            for ep in found:
                dist = getattr(getattr(ep, "dist", None), "name", None) or ep.value
                try:
                    self.add(ep.name, _entry_point_loader(ep), (), dist, notify=False)
                except ConfigurationError as exc:  # an invalid name: list it as unavailable
                    self.invalid.append((ep.name, dist, str(exc)))
            self._add_plugin_aliases(aliases)
            self.changed()  # once for the whole scan
            # Set last: a concurrent reader must not see a half-scanned table as complete.
            self.plugins_scanned = True

    def _add_plugin_aliases(self, found: list[Any]) -> None:
        """Aliases declared in the ``unibridge.backend_aliases`` group (metadata only; imports nothing).

        ``alias = "name"`` makes ``alias`` another name for backend ``name``, which the
        same distribution must register. An alias that is invalid, already a name or an
        alias, claimed by two distributions, or for another distribution's backend is not
        added; it is listed by :func:`backends` as unavailable, with the reason.
        The caller (the scan) calls :meth:`changed` afterwards.
        """
        claims: dict[str, list[tuple[str, str]]] = {}
        for ep in found:
            dist = getattr(getattr(ep, "dist", None), "name", None) or ep.value
            claims.setdefault(ep.name, []).append((ep.value.strip(), dist))
        for alias, targets in claims.items():
            target, dist = targets[0]
            entry = self.entries.get(target)
            why = ""
            try:
                _check_name(alias)
            except ConfigurationError as exc:
                why = str(exc)
            if not why and (alias in self.entries or alias in self.aliases):
                why = f"alias {alias!r} of {target!r} is already a backend name or alias; not added"
            elif not why and len(targets) > 1:
                why = (f"alias {alias!r} is claimed by {len(targets)} distributions: "
                       f"{' and '.join(repr(d) for _, d in targets)}; not added")
            elif not why and (entry is None or entry.source != dist):
                why = f"alias {alias!r} names {target!r}, which {dist!r} does not register; not added"
            if why:
                self.invalid.append((alias, dist, why))
                continue
            assert entry is not None
            entry.aliases = entry.aliases + (alias,)
            self.aliases[alias] = target

    # -- lookup -----------------------------------------------------------
    def canonical(self, name: str) -> str:
        if not isinstance(name, str):
            raise BackendNotFoundError(
                f"a backend is named by a string, got {type(name).__name__} {name!r}; "
                f"registered: {', '.join(self.names())}"
            )
        if name in self.entries:
            return name
        target = self.aliases.get(name)
        if target is not None:
            return target
        self.scan_plugins()
        if name in self.entries:
            return name
        target = self.aliases.get(name)
        if target is not None:
            return target
        lowered = name.lower()
        if lowered != name:
            try:
                return self.canonical(lowered)
            except BackendNotFoundError:
                pass  # raised below, quoting the name as it was written
        hint = plugin_install_hint(name)
        raise BackendNotFoundError(
            f"no backend named {name!r}{'; ' + hint if hint else ''}; registered: "
            f"{', '.join(self.names()) or 'none'}{_installed_suffix(self)}"
        )

    def resolve(self, name: str) -> tuple[str, Backend]:
        """``(the name name is registered under, its backend)``, loading it: one question, one answer."""
        backend = self.load(name)
        return self.canonical(name), backend

    def names(self) -> list[str]:
        self.scan_plugins()
        return list(self.entries)

    def load(self, name: str) -> Backend:
        backend = self.loaded.get(name) if isinstance(name, str) else None
        if backend is not None:
            return backend
        canonical = self.canonical(name)
        backend = self.loaded.get(canonical)
        if backend is not None:
            return backend
        with self.lock:
            entry = self.entries[canonical]
            if entry.conflict:
                raise BackendUnavailableError(entry.conflict)
            if entry.backend is None:
                if entry.error is not None:
                    raise _unavailable(canonical, entry.error) from entry.error
                try:
                    entry.backend = _call_loader(entry.loader)
                except Exception as exc:  # noqa: BLE001 - recorded and re-raised as ours
                    entry.error = exc
                    raise _unavailable(canonical, exc) from exc
            loaded = dict(self.loaded)  # copy-on-write: lock-free readers see old or new, never half
            loaded[canonical] = entry.backend
            if name != canonical:
                loaded[name] = entry.backend
            self.loaded = loaded
            return entry.backend

    def owner(self, x: Any) -> Backend | None:
        t = type(x)
        table = self.by_type  # written below even if changed() replaces it meanwhile: then unseen
        try:
            return table[t]
        except KeyError:
            pass
        top = t.__module__.partition(".")[0]
        found: Backend | None = None
        if top not in _PLAIN_MODULES:
            for backend in self._candidates(top):
                if _claims(backend.is_array, x):
                    found = backend
                    break
        table[t] = found
        return found

    def dtype_owner(self, spec: Any) -> Backend | None:
        top = type(spec).__module__.partition(".")[0]
        for backend in self._candidates(top):
            if _claims(backend.is_dtype, spec):
                return backend
        return None

    def _candidates(self, top: str) -> Iterator[Backend]:
        """Backends whose ``array_modules`` include ``top``: loaded ones first.

        Backends not loaded yet are loaded only when no loaded backend claims the
        module: the registered ones first, then the plugins, whose metadata is read
        only when no registered backend claims it either. So identifying a NumPy or
        torch array never imports a plugin, nor reads the plugins' metadata.
        """
        seen = set()
        for backend in list(self.loaded.values()):
            if id(backend) not in seen and top in backend.array_modules:
                seen.add(id(backend))
                yield backend
        # Then the registered backends not loaded yet; the plugins' metadata is read only
        # when none of them claims the module either.
        for scan in (False, True):
            if scan:
                if self.plugins_scanned:
                    return
                self.scan_plugins()
            for name in list(self.entries):
                if name in self.loaded:
                    continue
                entry = self.entries[name]
                if entry.conflict or entry.error is not None:
                    continue
                try:
                    backend = self.load(name)
                except Exception:  # noqa: BLE001 - an unloadable backend owns nothing
                    continue
                if id(backend) not in seen and top in backend.array_modules:
                    seen.add(id(backend))
                    yield backend

    def info(self) -> list[BackendInfo]:
        rows = []
        for name in self.names():
            entry = self.entries[name]
            if entry.conflict:
                rows.append(BackendInfo(name, False, entry.conflict, entry.aliases, entry.source, None))
                continue
            try:
                backend = self.load(name)
                ok, reason = backend.available()
                version = backend.version()
            except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never raised
                reason = str(_unavailable(name, exc))
                rows.append(BackendInfo(name, False, reason, entry.aliases, entry.source, None))
                continue
            rows.append(BackendInfo(name, ok, reason, entry.aliases, entry.source, version))
        for ep_name, dist, why in self.invalid:
            rows.append(BackendInfo(ep_name, False, why, (), dist, None))
        return rows

    @classmethod
    def with_builtins(cls) -> _Registry:
        """A registry holding only the built-in backends (the process one is ``_REGISTRY``)."""
        registry = cls()
        for name, loader, aliases in _BUILTINS:
            registry.add(name, loader, aliases, "builtin")
        return registry


class _Removed(NamedTuple):
    entry: _Entry
    aliases: dict[str, str]


class _Snapshot(NamedTuple):
    entries: dict[str, _Entry | None]
    aliases: dict[str, str | None]
    entry_aliases: tuple[tuple[_Entry, tuple[str, ...]], ...]


def _describe(source: str) -> str:
    if source == "builtin":
        return "built-in"
    if source == "register_backend":
        return "explicitly registered"
    return f"plugin {source!r}'s"


def _claims(test: Callable[[Any], bool], x: Any) -> bool:
    """Ask a backend whether it owns ``x``; a broken plugin owns nothing (and breaks nothing)."""
    try:
        return bool(test(x))
    except Exception:  # noqa: BLE001
        return False


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ConfigurationError(
            f"backend names are non-empty strings of letters, digits, '_' and '-', got {name!r}; "
            f"register the backend under a name such as 'mybackend'"
        )


def _call_loader(loader: Loader) -> Backend:
    if isinstance(loader, str):
        module_name, _, attr = loader.partition(":")
        obj: Any = importlib.import_module(module_name)
        for part in attr.split(".") if attr else ():
            obj = getattr(obj, part)
    else:
        obj = loader
    if isinstance(obj, type) or (callable(obj) and not isinstance(obj, Backend)):
        obj = obj()  # a backend class or a factory function
    backend = obj
    if not isinstance(backend, Backend):
        raise TypeError(
            f"loader {loader!r} returned {type(backend).__name__}, which does not implement "
            f"unibridge.Backend (see the protocol's docstring for the required methods)"
        )
    return backend


def _entry_point_loader(ep: Any) -> Callable[[], Backend]:
    def load() -> Backend:
        return _call_loader(ep.load())

    load.__qualname__ = f"entry_point[{ep.value}]"
    return load


def _unavailable(name: str, exc: BaseException) -> BackendUnavailableError:
    if isinstance(exc, BackendUnavailableError):
        return exc
    return BackendUnavailableError(
        f"backend {name!r} failed to load: {type(exc).__name__}: {exc}"
    )


def _installed_suffix(registry: _Registry) -> str:
    usable = []
    for name in registry.entries:
        try:
            if registry.load(name).available()[0]:
                usable.append(name)
        except Exception:  # noqa: BLE001
            continue
    return f"; installed here: {', '.join(usable)}" if usable else ""


# How long os.fork() waits for a thread that is registering or loading a backend (see _Registry).
_FORK_WAIT_S = 10.0


_BUILTINS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("numpy", "unibridge.adapters.numpy:NumpyBackend", ("np",)),
    ("torch", "unibridge.adapters.torch:TorchBackend", ("pytorch", "pt")),
    ("tensorflow", "unibridge.adapters.tensorflow:TensorFlowBackend", ("tf",)),
)
_REGISTRY = _Registry.with_builtins()


def register_backend(
    name: str, loader: Loader, *, aliases: tuple[str, ...] = (), replace: bool = False
) -> None:
    """Register a backend; ``loader`` (a callable or ``"module:attr"``) runs on first use.

    The backend is known by ``name`` everywhere (``backend=``, ``use()``,
    ``configure()``, ``UNIBRIDGE_BACKEND``, ``current().backend``), whatever its
    ``.name`` attribute says. A name or alias that is already taken (built-in,
    plugin or registered) is refused with :class:`~unibridge.ConfigurationError`
    unless ``replace=True``; then the new backend takes it over everywhere.

    Example:
        >>> import unibridge as ub
        >>> ub.register_backend("numpy2", "unibridge.adapters.numpy:NumpyBackend", aliases=("np2",))
        >>> with ub.use("np2"):
        ...     ub.current().backend
        'numpy2'
        >>> ub.unregister_backend("numpy2")
    """
    _REGISTRY.scan_plugins()  # a plugin's name is taken too: see it before deciding
    _REGISTRY.add(name, loader, tuple(aliases), "register_backend", replace=replace)


def unregister_backend(name: str) -> None:
    """Remove the backend registered as ``name`` (its name, not an alias), with its aliases.

    Raises :class:`~unibridge.BackendNotFoundError` if nothing is registered
    under ``name``. A selection that names it fails on its next use.

    Example:
        >>> import unibridge as ub
        >>> ub.register_backend("scratch", "unibridge.adapters.numpy:NumpyBackend")
        >>> ub.unregister_backend("scratch")
        >>> "scratch" in [b.name for b in ub.backends()]
        False
    """
    _REGISTRY.remove(name)


@contextmanager
def registered(
    name: str, loader: Loader, *, aliases: tuple[str, ...] = (), replace: bool = False
) -> Iterator[str]:
    """Register a backend for the enclosed block only; yields ``name``.

    On exit the registry is as it was: the backend is removed, and a name or
    alias it took over (``replace=True``) goes back to its owner. Meant for
    tests and scoped experiments, not for threads registering the same name.

    Example:
        >>> import unibridge as ub
        >>> with ub.registered("scratch", "unibridge.adapters.numpy:NumpyBackend") as name:
        ...     ub.asarray([1.0], backend=name).dtype
        dtype('float64')
        >>> "scratch" in [b.name for b in ub.backends()]
        False
    """
    _REGISTRY.scan_plugins()
    before = _REGISTRY.snapshot((name, *aliases))
    _REGISTRY.add(name, loader, tuple(aliases), "register_backend", replace=replace)
    try:
        yield name
    finally:
        _REGISTRY.restore(before)


def registered_name(backend: Backend) -> str:
    """The name ``backend`` was registered (and loaded) under.

    It differs from ``backend.name`` for a subclass of a built-in backend
    registered under a name of its own.

    Example:
        >>> import unibridge as ub
        >>> from unibridge.registry import registered_name
        >>> registered_name(ub.get_backend("np"))
        'numpy'
    """
    return _REGISTRY.name_of(backend)


def backends() -> list[BackendInfo]:
    """Every registered backend, whether it can load here, and why not.

    Example:
        >>> import unibridge as ub
        >>> "numpy" in [b.name for b in ub.backends()]
        True
    """
    return _REGISTRY.info()


def canonical_name(name: str) -> str:
    """The name ``name`` (an alias, any case) is registered under; BackendNotFoundError if none.

    Example:
        >>> from unibridge.registry import canonical_name
        >>> canonical_name("pt"), canonical_name("TF")
        ('torch', 'tensorflow')
    """
    return _REGISTRY.canonical(name)


def owner_of(x: Any) -> Backend | None:
    """The backend whose array ``x`` is, or None for Python data and buffers.

    Example:
        >>> import numpy as np, unibridge.registry as r
        >>> r.owner_of(np.zeros(2)).name, r.owner_of([1, 2])
        ('numpy', None)
    """
    return _REGISTRY.owner(x)


def resolve_dtype(spec: Any) -> DType:
    """Parse a dtype like :func:`unibridge.dtypes.as_dtype`, framework dtype objects included.

    ``torch.float64`` or ``tf.float64`` is resolved by the backend whose
    framework defines it; a framework nobody imported cannot have made ``spec``,
    so nothing is imported to answer.

    Example:
        >>> import numpy as np
        >>> from unibridge.registry import resolve_dtype
        >>> resolve_dtype("float32"), resolve_dtype(np.int16)
        (DType('float32'), DType('int16'))
    """
    found = spec if type(spec) is DType else BY_NAME.get(spec) if type(spec) is str else None
    if found is not None:  # a canonical name: read from the table
        return found
    try:
        return as_dtype(spec)
    except UnsupportedInputError:
        if isinstance(spec, str) or type(spec).__module__.partition(".")[0] not in sys.modules:
            raise
        backend = _REGISTRY.dtype_owner(spec)
        if backend is None:
            raise
    return backend.canonical_dtype(spec)
