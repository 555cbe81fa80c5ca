"""The kit for writing a backend: everything a backend author imports from unibridge.

A backend teaches unibridge one array framework (see ``docs/writing-a-backend.md``).
This module is the one place a backend, built-in or plugin, takes its tools from:

* :class:`FrameworkBackend`: a base class holding what every framework-backed
  backend repeats: the lazy framework import (:attr:`~FrameworkBackend.module`),
  ``available()`` and ``version()`` without importing anything, and
  ``is_array()``/``is_dtype()`` answered through ``sys.modules``, so recognising
  an array never imports a framework.
* :class:`DtypeTable`: the canonical dtypes <-> a framework's dtype objects,
  with the errors worded once; a :class:`FrameworkBackend` built on one gets
  the protocol's dtype methods for free.
* Deciding and doing sharing safely: :func:`share_blocker` (why a NumPy buffer
  cannot be aliased, in the words every backend uses), :func:`aligned_copy`,
  :func:`aligned_empty`, :func:`aligned_zeros` (64-byte-aligned memory, which
  TensorFlow and JAX need to alias a buffer), :func:`address` and
  :func:`dlpack_span` (a buffer's address range, for ``memory_span``).
* :class:`Autodiff`: what a backend with automatic differentiation returns from its
  optional ``autodiff()`` method (see :class:`~unibridge.protocol.SupportsAutodiff`);
  the optional ``jit(fun)`` method is :class:`~unibridge.protocol.SupportsJit`.
* The value types, errors and optional accelerator types a backend's methods
  take and raise, re-exported so that one import suffices.

Nothing here imports a framework.

Example:
    >>> import numpy as np
    >>> from unibridge.backend_kit import share_blocker, aligned_copy
    >>> a = np.arange(4.0)[::-1]
    >>> share_blocker(a), aligned_copy(a).tolist()
    ('negative strides', [3.0, 2.0, 1.0, 0.0])
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Callable
from importlib.util import find_spec
from types import ModuleType
from typing import Any, ClassVar, overload

import numpy as np

from ._dlpack import dlpack_span
from ._memory import ALIGNMENT, address, aligned_copy, aligned_empty, aligned_zeros, extent_bytes
from .devices import CPU, CPU_ONLY, CpuOnly, Device
from .casting import cast as checked_cast  # NumPy arrays cast under unibridge's casting policy
from .dtypes import ALL_DTYPES, PLAIN_NUMBER_CHARS, DType, all_dtypes, from_numpy_dtype, numpy_dtype
from .namespaces import with_default_float  # the generic default-float rule for a namespace
from .errors import (
    BackendUnavailableError,
    ConfigurationError,
    CopyRequiredError,
    DeviceUnavailableError,
    LossyCastError,
    UnsupportedInputError,
)
from ._forksafe import fork_safe_lock
from .protocol import (
    Autodiff,
    Backend,
    NumpyFastPath,
    NumpyViewFastPath,
    SupportsAstype,
    SupportsAutodiff,
    SupportsJit,
)


class _LoadingLock:
    """Held while a framework is imported and its backend initialised.

    So ``_on_load`` runs once however many threads ask for the module at once
    (re-entrant: ``_on_load`` may use ``self.module``). A child of ``os.fork()``
    gets a fresh lock: one held by another thread at the fork would stay held
    for ever in the child, where that thread does not exist.
    """

    def __init__(self) -> None:
        self.lock: Any = None
        fork_safe_lock(self)  # see unibridge._forksafe


_LOADING = _LoadingLock()

__all__ = [
    # base classes
    "FrameworkBackend",
    "DtypeTable",
    "Autodiff",
    # helpers
    "import_framework",
    "load_framework",
    "framework_version",
    "share_blocker",
    "check_nbytes",
    "has_subnormals",
    "aligned_copy",
    "aligned_empty",
    "aligned_zeros",
    "address",
    "dlpack_span",
    "ALIGNMENT",
    "checked_cast",
    "with_default_float",
    # what backend methods take, return and raise
    "Backend",
    "SupportsAstype",
    "SupportsAutodiff",
    "SupportsJit",
    "NumpyFastPath",
    "NumpyViewFastPath",
    "CPU",
    "CPU_ONLY",
    "CpuOnly",
    "Device",
    "DType",
    "from_numpy_dtype",
    "numpy_dtype",
    "PLAIN_NUMBER_CHARS",
    "BackendUnavailableError",
    "ConfigurationError",
    "CopyRequiredError",
    "DeviceUnavailableError",
    "LossyCastError",
    "UnsupportedInputError",
]


# -- importing a framework ----------------------------------------------------------------------


def import_framework(module: str, backend: str, install_hint: str) -> ModuleType:
    """Import ``module`` for ``backend``, or raise BackendUnavailableError saying what to install.

    Any failure (a missing package, or a broken install raising something else)
    becomes :class:`~unibridge.BackendUnavailableError` with the original error chained.

    Example:
        >>> import_framework("numpy", "numpy", "pip install numpy").__name__
        'numpy'
    """
    try:
        return importlib.import_module(module)
    except Exception as exc:  # ImportError, or a broken install raising anything
        raise BackendUnavailableError(
            f"backend {backend!r} needs {module}, which failed to import "
            f"({type(exc).__name__}: {exc}); {install_hint}"
        ) from exc


def load_framework(backend: Backend) -> None:
    """Import ``backend``'s framework now, if it is a :class:`FrameworkBackend` (another
    backend loads as it pleases); BackendUnavailableError says what to install.

    For whoever must report a failure with its own context: the selection names the
    variable that chose the backend (see :func:`unibridge.engine.target`).

    Example:
        >>> from unibridge.adapters.numpy import NumpyBackend
        >>> load_framework(NumpyBackend())   # not a FrameworkBackend: NumPy is already loaded
    """
    if isinstance(backend, FrameworkBackend):
        backend._load()


def framework_version(*distributions: str) -> str | None:
    """The version of the first installed distribution of ``distributions``, from metadata.

    Imports nothing, so ``version()`` stays cheap for a framework nobody uses.

    Example:
        >>> framework_version("no-such-distribution", "numpy") is not None
        True
    """
    from importlib.metadata import PackageNotFoundError, version

    for name in distributions:
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return None


def _installed(module: str) -> bool:
    """Whether top-level ``module`` can be imported, without importing it.

    ``sys.modules[name] = None`` is Python's "import blocked" marker: not installed.
    """
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):  # a broken parent package, or a module without __spec__
        return False


class _Framework:
    """``backend.module``: the framework, imported on the first read (see :meth:`FrameworkBackend._load`).

    A non-data descriptor: the loaded module is then stored on the backend object under the
    same name, where Python finds it before the descriptor, so every later read is a plain
    attribute read, with no call.
    """

    @overload
    def __get__(self, backend: None, owner: type[Any]) -> _Framework: ...

    @overload
    def __get__(self, backend: FrameworkBackend, owner: type[Any] | None = None) -> ModuleType: ...

    def __get__(self, backend: FrameworkBackend | None, owner: type[Any] | None = None) -> ModuleType | _Framework:
        if backend is None:
            return self
        return backend._load()


class FrameworkBackend:
    """Base class for a backend over one framework that is imported on first use.

    A subclass sets the protocol's ``name``, ``array_modules`` and
    ``install_hint``, plus:

    * ``framework``: the module to import (``"torch"``, ``"dask.array"``);
    * ``requires``: top-level modules that must be installed (default: the
      framework's top-level package); ``distributions``: the distributions whose
      version ``version()`` reports (default: the same);
    * :meth:`array_types`, given the imported module; and, when the framework
      has dtype objects of its own, :meth:`dtype_types` and :meth:`dtype_table`
      (frameworks that use NumPy's dtypes, as JAX and Dask do, need neither).

    It gets :attr:`module` (the framework, imported on first use, then
    :meth:`_on_load` runs once), ``available()``, ``version()``, ``is_array()``,
    ``is_dtype()``, ``canonical_dtype()``, ``dtype_of()`` and
    :meth:`native_dtype`. Only :attr:`module` and the dtype methods import the
    framework.

    Example:
        >>> class ArrayModule(FrameworkBackend):   # a toy: Python's array.array as "arrays"
        ...     name = "pyarray"; array_modules = ("array",); install_hint = "built in"
        ...     framework = "array"
        ...     def array_types(self, module): return (module.array,)
        >>> b = ArrayModule()
        >>> b.available(), b.module.__name__
        ((True, ''), 'array')
        >>> import array; b.is_array(array.array("d")), b.is_array([1.0])
        (True, False)
    """

    name: str
    array_modules: tuple[str, ...]
    install_hint: str
    framework: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ()
    distributions: ClassVar[tuple[str, ...]] = ()
    # The framework's name in dtype errors, when its module spells its dtypes with the canonical
    # names (torch.float64): the default dtype_table() is then built from them. None: NumPy's dtypes.
    dtype_framework: ClassVar[str | None] = None

    # Per object, set on first use (no __init__: a subclass may define its own or none).
    _module: ModuleType | None = None
    _dtypes: DtypeTable | None = None

    # -- the framework, on first use -------------------------------------------------------------
    module = _Framework()
    """The framework module, imported (and :meth:`_on_load` run) on first access."""

    def _load(self) -> ModuleType:
        """Import the framework, build the dtype table and run :meth:`_on_load`, once."""
        module = self._module
        if module is None:
            with _LOADING.lock:  # threads arriving at once: one loads, the others wait and reuse it
                module = self._module
                if module is None:
                    module = import_framework(self.framework, self.name, self.install_hint)
                    self._dtypes = self.dtype_table(module)
                    self._on_load(module)
                    self._module = module  # set last: a half-initialised backend is never seen as loaded
                    setattr(self, "module", module)  # later reads of .module: an attribute, no call
        return module

    def _on_load(self, module: ModuleType) -> None:
        """Called once with the imported framework: build tables, probe behaviour."""

    @property
    def loaded(self) -> bool:
        """True once :attr:`module` has imported the framework."""
        return self._module is not None

    # -- the protocol's cheap questions -----------------------------------------------------------
    def _required(self) -> tuple[str, ...]:
        return self.requires or (self.framework.partition(".")[0],)

    def available(self) -> tuple[bool, str]:
        """Whether the framework can be imported here, found without importing it."""
        missing = [m for m in self._required() if not _installed(m)]
        if not missing:
            return True, ""
        return False, f"{', '.join(missing)} is not installed; {self.install_hint}"

    def version(self) -> str | None:
        """The framework's version from package metadata (imports nothing)."""
        return framework_version(*(self.distributions or self._required()[:1]))

    def array_types(self, module: ModuleType) -> tuple[type, ...]:
        """The framework's array types, given the imported framework module."""
        raise TypeError(
            f"{type(self).__name__} must define array_types(module) (or override is_array): "
            f"FrameworkBackend cannot know which of the framework's types are its arrays"
        )

    def dtype_types(self, module: ModuleType) -> tuple[type, ...]:
        """The framework's own dtype object types (none when it uses NumPy's dtypes)."""
        return ()

    def dtype_table(self, module: ModuleType) -> DtypeTable | None:
        """The framework's :class:`DtypeTable`, built from ``module``'s dtype names when
        :attr:`dtype_framework` is set; None when it uses NumPy's dtypes. Override it for a
        table that needs more (other spellings, other error wording)."""
        return None if self.dtype_framework is None else DtypeTable(self.dtype_framework, module)

    # -- dtypes (through the table, or NumPy's dtypes) -------------------------------------------
    @property
    def dtypes(self) -> DtypeTable | None:
        """The dtype table (importing the framework on first use); None: NumPy's dtypes."""
        if self._module is None:
            self.module  # noqa: B018 - loading builds the table
        return self._dtypes

    def native_dtype(self, dtype: DType) -> Any:
        """The framework's dtype object for a canonical dtype; UnsupportedInputError if none."""
        table = self.dtypes
        return numpy_dtype(dtype) if table is None else table.native(dtype)

    def canonical_dtype(self, native: Any) -> DType:
        """The canonical dtype of one of the framework's dtype objects."""
        table = self.dtypes
        if table is not None:
            return table.canonical(native)
        try:
            spec = np.dtype(native)
        except TypeError:
            raise UnsupportedInputError(
                f"{native!r} is not a {self.name} dtype; supported dtypes: {', '.join(all_dtypes())}"
            ) from None
        return from_numpy_dtype(spec)

    def dtype_of(self, x: Any) -> DType:
        """The canonical dtype of one of the framework's arrays."""
        return self.canonical_dtype(x.dtype)

    # -- recognition, through sys.modules -------------------------------------------------------
    def is_array(self, x: Any) -> bool:
        """True when ``x`` is one of the framework's arrays; never imports the framework."""
        module = sys.modules.get(self.framework)
        return module is not None and isinstance(x, self.array_types(module))

    def is_dtype(self, x: Any) -> bool:
        """True when ``x`` is one of the framework's dtype objects; never imports the framework."""
        module = sys.modules.get(self.framework)
        if module is None:
            return False
        types = self.dtype_types(module)
        return bool(types) and isinstance(x, types)


# -- dtypes ---------------------------------------------------------------------------------------


class DtypeTable:
    """Canonical :class:`DType` <-> one framework's dtype objects.

    Built from a module that spells its dtypes with the canonical names
    (``torch.float64``, ``tf.bfloat16``); dtypes the module lacks are absent.

    Example:
        >>> import numpy as np
        >>> table = DtypeTable("NumPy", np)
        >>> table.native(DType("float32")) is np.float32, table.canonical(np.float32)
        (True, DType('float32'))
    """

    def __init__(self, framework: str, module: ModuleType, describe: Callable[[Any], str] | None = None) -> None:
        self.framework = framework
        self.to_native: dict[DType, Any] = {
            dt: getattr(module, str(dt)) for dt in ALL_DTYPES if hasattr(module, str(dt))
        }
        self.from_native: dict[Any, DType] = {v: k for k, v in self.to_native.items()}
        self._describe = describe or (lambda native: f"dtype {native!r}")

    def native(self, dtype: DType) -> Any:
        """The framework's dtype object for ``dtype``; UnsupportedInputError if it has none."""
        try:
            return self.to_native[dtype]
        except KeyError:
            raise UnsupportedInputError(f"{self.framework} has no {dtype} dtype") from None

    def canonical(self, native: Any) -> DType:
        """The canonical dtype of a framework dtype object; UnsupportedInputError if none."""
        try:
            return self.from_native[native]
        except (KeyError, TypeError):
            raise UnsupportedInputError(
                f"{self.framework} {self._describe(native)} has no array equivalent; "
                f"supported dtypes: {', '.join(self.to_native)}"
            ) from None


# -- sharing --------------------------------------------------------------------------------------


def share_blocker(
    a: np.ndarray[Any, Any],
    *,
    writable: bool = True,
    aligned64: bool = False,
    c_contiguous: bool = False,
) -> str | None:
    """The reason a framework cannot alias the NumPy buffer ``a``, or None when it can.

    Each backend states which properties it needs (``writable``: it has no
    read-only arrays; ``aligned64``: it needs 64-byte alignment, as TensorFlow
    and JAX do; ``c_contiguous``: it imports compact buffers only). The reason
    is what :class:`~unibridge.CopyRequiredError` quotes, so every backend
    explains itself in the same words.

    Example:
        >>> import numpy as np
        >>> share_blocker(np.arange(4)[::-1]), share_blocker(np.arange(4))
        ('negative strides', None)
    """
    if not a.dtype.isnative:
        return "non-native byte order"
    itemsize = a.dtype.itemsize
    for stride in a.strides:
        # Checked on every axis, length-1 ones included: torch.from_numpy refuses
        # a negative or odd stride even where it is never stepped over.
        if stride < 0:
            return "negative strides"
        if stride % itemsize:
            return "strides that are not a multiple of the element size"
    if writable and not a.flags.writeable:
        return "read-only source (the target framework has no read-only arrays)"
    if not a.flags.aligned:
        return "data not aligned to its element size"
    if a.dtype.kind == "c" and a.size and address(a) % a.dtype.itemsize:
        # NumPy calls complex128 at 8 mod 16 "aligned"; torch's c10::complex<T> is
        # alignas(2 * sizeof(T)), and its kernels segfault on such data (seen with
        # zero-stride views; docs/framework-facts.md, "NumPy to PyTorch").
        return f"complex data not {a.dtype.itemsize}-byte aligned"
    if c_contiguous and not a.flags.c_contiguous:
        return "non-compact (not C-contiguous) layout"
    if aligned64 and a.size and address(a) % ALIGNMENT:
        return f"data not {ALIGNMENT}-byte aligned"
    return None


# -- allocation -----------------------------------------------------------------------------------


def has_subnormals(a: np.ndarray[Any, Any], cast_to: DType | None = None) -> bool:
    """Whether ``a`` holds a subnormal number: nonzero, below the smallest normal of its own
    float type or, with ``cast_to``, of that one (a value a cast would make subnormal).

    TensorFlow's and JAX's CPU casts flush subnormal inputs and results to zero (float32
    ``1e-45`` cast to float64 gives ``0.0``, float64 ``1e-40`` cast to float32 gives ``0.0``;
    see docs/framework-facts.md), while NumPy keeps them. A backend whose framework flushes
    makes such a cast with NumPy instead.

    Example:
        >>> import numpy as np
        >>> has_subnormals(np.array([1e-45, 1.0], np.float32)), has_subnormals(np.array([1e-30], np.float32))
        (True, False)
        >>> has_subnormals(np.array([1e-40]), cast_to=DType("float32"))
        True
    """
    if a.size == 0 or a.dtype.kind not in "fcV":
        return False
    floats = ("real floating", "complex floating")
    emaxes = [d.emax for d in (from_numpy_dtype(a.dtype), cast_to) if d is not None and d.kind in floats]
    if not emaxes:
        return False
    smallest_normal = 2.0 ** (1 - min(emaxes))  # the narrower exponent range has the larger one
    parts = (a.real, a.imag) if a.dtype.kind == "c" else (a,)
    for part in parts:
        magnitude = np.abs(part.astype(np.float64))  # exact for every float type up to float64
        if np.any((magnitude > 0) & (magnitude < smallest_normal)):
            return True
    return False


def check_nbytes(shape: tuple[int, ...], dtype: DType) -> int:
    """The byte size of an array of ``shape`` and ``dtype``; ConfigurationError past the address space.

    Call it before allocating (``zeros``): beyond ``sys.maxsize`` bytes NumPy raises
    its own ``ValueError``, torch a ``RuntimeError``, TensorFlow ``ResourceExhaustedError``
    and JAX **aborts the process** (``overflow in static extent product``).

    Example:
        >>> check_nbytes((2, 3), DType("float64"))
        48
        >>> check_nbytes((2**31, 2**31), DType("float64"))
        Traceback (most recent call last):
        ...
        unibridge.errors.ConfigurationError: an array of shape (2147483648, 2147483648) and dtype float64 needs 36893488147419103232 bytes, more than any process can address (9223372036854775807); use a smaller shape (a lazy backend such as dask can describe larger arrays)
    """
    nbytes = math.prod(shape) * numpy_dtype(dtype).itemsize
    # Zero extents do not exempt a shape: (0, 2**62) float32 is refused by NumPy, and XLA aborts on some.
    needed = extent_bytes(tuple(shape), numpy_dtype(dtype).itemsize)
    if needed > sys.maxsize:
        raise ConfigurationError(
            f"an array of shape {tuple(shape)} and dtype {dtype} needs {needed} bytes, more than "
            f"any process can address ({sys.maxsize}); use a smaller shape (a lazy backend such "
            f"as dask can describe larger arrays)"
        )
    return nbytes
