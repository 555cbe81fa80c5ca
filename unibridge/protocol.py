"""The ``Backend`` protocol: what a backend must do, and its invariants.

unibridge converts through one hub. Python data becomes a NumPy array first (so
inference is identical everywhere); arrays on the CPU are handed between
frameworks as zero-copy NumPy *views*; a backend only has to move between its
own arrays and NumPy. The core does the rest: dtype policy, copy policy,
device parsing, configuration.

Invariants every backend must keep (the conformance kit in
:mod:`unibridge.testing` checks each one):

1. **Dtype exactness.** ``from_numpy`` and ``zeros`` return exactly the dtype
   they were given. A backend never narrows (no float64 -> float32) and raises
   :class:`~unibridge.UnsupportedInputError` for a dtype it lacks.
2. **Copy policy** (Array API): ``copy=None`` shares when it is *safe* and
   copies otherwise; ``copy=True`` returns independent memory; ``copy=False``
   shares or raises :class:`~unibridge.CopyRequiredError` saying why.
   *Safe* means: never turn read-only memory into a writable array, never
   import a layout the framework mishandles (negative strides, misalignment,
   foreign byte order), never cross a device.
3. **Truthful memory.** ``to_numpy(x, copy=False)`` returns a view of ``x``'s
   own memory (read-only when ``x`` is immutable), so ``shares_memory``
   answers from real address ranges.
4. **Devices.** Methods receive a resolved :class:`~unibridge.devices.Device`
   that is in ``devices()``; ``devices()`` lists only devices that exist.
5. **Laziness.** Constructing the backend object imports no framework; the
   framework loads on the first method call that needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
from typing_extensions import Protocol, runtime_checkable

from .devices import Device
from .dtypes import DType

__all__ = [
    "Backend",
    "SupportsAstype",
    "SupportsDefaultFloatNamespace",
    "SupportsNamespaceDevice",
    "NumpyFastPath",
    "NumpyViewFastPath",
]


@runtime_checkable
class Backend(Protocol):
    """A framework adapter. Register one with :func:`unibridge.register_backend`.

    Example:
        >>> import unibridge as ub
        >>> b = ub.get_backend("numpy")
        >>> isinstance(b, ub.Backend), b.name
        (True, 'numpy')
    """

    # Read-only properties, so a plain class attribute (``name = "torch"``)
    # satisfies them for a type checker.
    @property
    def name(self) -> str:
        """Canonical backend name, e.g. ``"torch"``."""
        ...

    @property
    def array_modules(self) -> tuple[str, ...]:
        """Top-level module names whose types can be this backend's arrays (``("torch",)``).

        Used to recognise arrays from ``type(x).__module__`` without importing anything.
        """
        ...

    @property
    def install_hint(self) -> str:
        """What to ``pip install`` when the framework is missing."""
        ...

    def available(self) -> tuple[bool, str]:
        """``(True, "")`` when the framework can be imported here, else ``(False, reason)``."""
        ...

    def version(self) -> str | None:
        """The installed framework's version, or None when it is missing (imports nothing)."""
        ...

    def is_array(self, x: Any) -> bool:
        """True when ``x`` is one of this backend's arrays. Called only when the
        framework is already imported (its module is in ``sys.modules``)."""
        ...

    def is_dtype(self, x: Any) -> bool:
        """True when ``x`` is one of this framework's dtype objects."""
        ...

    def devices(self) -> Sequence[Device]:
        """Every device this backend can place arrays on here; the CPU first."""
        ...

    def canonical_dtype(self, native: Any) -> DType:
        """The canonical dtype of a framework dtype object; raise UnsupportedInputError if none."""
        ...

    def dtype_of(self, x: Any) -> DType:
        """The canonical dtype of one of this backend's arrays."""
        ...

    def device_of(self, x: Any) -> Device:
        """The device one of this backend's arrays lives on."""
        ...

    def shape_of(self, x: Any) -> tuple[int, ...]:
        """The shape of one of this backend's arrays, as Python ints."""
        ...

    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Device, copy: bool | None) -> Any:
        """A native array with ``a``'s values and exact dtype, on ``device``.

        ``a`` may have any layout, byte order and writability. Follow the copy
        policy: share only when it is safe (see the module docstring).
        """
        ...

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        """A NumPy array of ``x``. ``copy=False`` returns a view of ``x``'s memory
        (read-only if ``x`` is immutable) or raises CopyRequiredError."""
        ...

    def from_native(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        """Re-place one of this backend's own arrays (same dtype) on ``device`` under the copy policy."""
        ...

    def zeros(self, shape: tuple[int, ...], *, dtype: DType, device: Device) -> Any:
        """A fresh zero-filled array."""
        ...

    def memory_span(self, x: Any) -> tuple[Device, int, int] | None:
        """``(device, first_byte, end_byte)`` of ``x``'s memory, for ``shares_memory``
        between non-CPU arrays; None for an empty array."""
        ...

    def namespace(self) -> ModuleType:
        """The Array API namespace for this backend's arrays."""
        ...


@runtime_checkable
class SupportsAstype(Protocol):
    """Optional: a backend may offer ``astype(x, dtype)``, a dtype change by the framework itself.

    ``astype(x, dtype)`` returns a **new** native array of exactly ``dtype`` on ``x``'s
    device, with values converted as NumPy's ``astype`` converts them (rounding to
    nearest, wrapping integers, overflowing to infinity: no checks, no warnings). The
    core calls it only for casts within a kind or up the kind ladder (a crossing cast,
    float -> int or complex -> real, goes through NumPy, so that ``casting="unsafe"``
    means the same on every backend), and only after the casting policy allowed the
    change and checked the values where it must. Its point is to keep the array where
    and what it is: a torch tensor that requires grad stays in the autograd graph, a
    lazy dask array stays lazy, a GPU tensor stays on the GPU.

    Example:
        >>> import unibridge as ub
        >>> isinstance(ub.get_backend("numpy"), SupportsAstype), isinstance(ub.get_backend("torch"), SupportsAstype)
        (False, True)
    """

    def astype(self, x: Any, dtype: DType) -> Any:
        """``x`` converted to ``dtype`` (a new array of this backend), values as NumPy's ``astype``."""
        ...


@runtime_checkable
class SupportsDefaultFloatNamespace(Protocol):
    """Optional: the backend's own rule for creating arrays in unibridge's default float.

    Without it, :func:`unibridge.namespace` wraps ``namespace()`` in the generic rule of
    :mod:`unibridge.namespaces` (creation without a dtype gets ``default_float``, found as
    the namespace's attribute of that name). A backend offers this method when the generic
    rule is not right for it: its namespace already reads the configured default float at
    every call (then it returns ``namespace()`` itself), or the framework cannot always make
    that dtype (JAX with x64 off: creation must raise, not narrow).

    Example:
        >>> import unibridge as ub
        >>> isinstance(ub.get_backend("tensorflow"), SupportsDefaultFloatNamespace)
        True
    """

    def default_float_namespace(self, default_float: DType) -> ModuleType:
        """``namespace()`` whose creation functions, given no dtype, make ``default_float``
        arrays (complex data: the matching complex dtype); every other function is the
        namespace's own. It must not raise for a dtype the framework cannot make: its
        creation functions raise then, when called."""
        ...


@runtime_checkable
class SupportsNamespaceDevice(Protocol):
    """Optional: what the namespace's ``device=`` keyword takes for a unibridge device.

    ``unibridge.xp`` creates arrays on the selected device by passing this object to the
    namespace's creation functions. Without it, arrays are made where the framework puts
    them and moved with ``from_native`` when that is not the selected device.

    Example:
        >>> import unibridge as ub
        >>> from unibridge.devices import CPU
        >>> ub.get_backend("torch").namespace_device(CPU)
        device(type='cpu')
    """

    def namespace_device(self, device: Device) -> Any:
        """The namespace's own device object for ``device`` (one of ``devices()``), or None
        when its creation functions, given no device, already put arrays on ``device``."""
        ...


class NumpyViewFastPath(NamedTuple):
    """Optional accelerator a backend may offer as ``numpy_view_fast_path()``.

    ``view(x)`` gives a zero-copy NumPy view of one of the backend's CPU
    arrays, exactly what ``to_numpy(x, copy=False)`` gives, or returns None (or
    raises one of ``declines``) to send the call down the full path (GPU
    arrays, grads, exotic dtypes...). Built once per array type; a bare view
    function is accepted too.
    """

    view: Callable[[Any], "np.ndarray[Any, Any] | None"]
    declines: tuple[type[BaseException], ...] = ()


class NumpyFastPath(NamedTuple):
    """Optional accelerator a backend may offer as ``numpy_fast_path(device)``.

    ``convert(a)`` converts a plain ``np.ndarray`` under ``copy=None`` with no
    dtype change, exactly as ``from_numpy(a, device=device, copy=None)`` would,
    or returns None (or raises one of ``declines``) to send the call down the
    full path. The core calls it only when ``a.flags.num`` has every bit of
    ``required_flags`` set and, if ``dtype_chars`` is given, ``a.dtype.char``
    is one of them, so a framework's own converter can often be used directly,
    with no Python frame in between. Built once per backend and device;
    backends without one are simply not accelerated.
    """

    convert: Callable[[np.ndarray[Any, Any]], Any]
    required_flags: int = 0
    declines: tuple[type[BaseException], ...] = ()
    dtype_chars: frozenset[str] | None = None
