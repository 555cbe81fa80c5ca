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

import abc
import sys
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
    "SupportsAutodiff",
    "SupportsJit",
    "SupportsVmap",
    "Autodiff",
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
class SupportsVmap(Protocol):
    """Optional: a backend may offer ``vmap(fun, in_axes, out_axes)``, its framework's vectorising map.

    Returns a function of the same positional arguments as ``fun`` that maps
    ``fun`` over them and stacks the results, with JAX's conventions (see
    :mod:`unibridge.transforms`): ``in_axes`` is a tuple with one entry per
    positional argument, each an int, None (not mapped) or a pytree prefix of
    the argument; ``out_axes`` an int, None or a pytree prefix of the output.
    :func:`unibridge.vmap` has already checked the axes and the batch size
    when it calls the returned function, and calls ``vmap`` once per backend
    and function. It must compose with the backend's gradients, so
    ``vmap(grad(f))`` gives per-example gradients. Backends without it get
    a Python loop over the examples and a ``stack``.

    Example:
        >>> import unibridge as ub
        >>> isinstance(ub.get_backend("numpy"), SupportsVmap), isinstance(ub.get_backend("torch"), SupportsVmap)
        (False, True)
    """

    def vmap(self, fun: Callable[..., Any], in_axes: tuple[Any, ...], out_axes: Any) -> Callable[..., Any]:
        """``fun`` vectorised over ``in_axes`` of its arguments, results along ``out_axes``."""


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


# -- optional capabilities: gradients and compilation ----------------------------------------------

Leaves = list[Any]
"""The differentiated arrays of one call, flattened (every array of every ``argnums`` argument)."""


class Autodiff(abc.ABC):
    """What a backend with automatic differentiation gives ``unibridge.grad`` (public as
    ``unibridge.backend_kit.Autodiff``; a backend returns one from ``autodiff()``).

    The core does everything that is the same on every framework: the arguments'
    pytrees, ``argnums``, ``has_aux``, the checks and their error messages. An
    ``Autodiff`` answers questions about its own arrays and computes one thing,
    :meth:`value_and_grad`, over a flat list of arrays. The rule it must keep:

    * **Only the leaves are variables.** The gradient is taken with respect to the
      arrays in ``leaves`` *as passed in that list*; the same array reaching the
      function any other way (another argument, a keyword, a closure, a captured
      variable, a global) is a constant. A framework whose tape watches objects
      must give each leaf a fresh identity (watch a copy made inside the tape).
    * **One gradient per leaf,** the same array twice in ``leaves`` gets two
      gradients; a leaf the value does not depend on gets zeros; gradients are
      dense arrays of the leaf's framework, dtype, shape and device.
    * **Steepest ascent for complex leaves** (``z - lr * g`` descends; the gradient
      of ``|z|**2`` is ``2*z``).
    * **Nothing leaks at top level.** Outside an enclosing differentiation, the
      returned value, aux arrays and gradients carry no recorded history, and the
      caller's arrays are not modified, so a training loop's memory stays flat.
      Inside an enclosing differentiation (``grad(grad(f))``), they stay connected
      so that the outer one can differentiate them.

    Frameworks are imported lazily: :meth:`owns` answers False while
    :attr:`module` is not imported (an array of a framework never imported cannot
    exist), and nothing here changes a framework's global state.

    Example:
        >>> from unibridge.backend_kit import Autodiff
        >>> sorted(m for m in Autodiff.__abstractmethods__)
        ['array_types', 'differentiable', 'dtype_name', 'is_real_scalar', 'stop_gradient', 'value_and_grad']
    """

    name: str = ""
    """The backend's name, for error messages."""
    module: str = ""
    """The top-level module that must be imported for the arrays to exist ("" to skip that check)."""

    _types: tuple[type, ...] = ()  # array_types(), cached on the instance once the framework is imported

    @abc.abstractmethod
    def array_types(self) -> tuple[type, ...]:
        """The framework's array types, traced and symbolic ones included (imports the framework)."""

    def owns(self, x: Any) -> bool:
        """Whether ``x`` is one of the framework's arrays (imports nothing)."""
        types = self._types
        if not types:
            if self.module and self.module not in sys.modules:
                return False  # an array of a framework never imported cannot exist
            types = self._types = self.array_types()
        return isinstance(x, types)

    @abc.abstractmethod
    def dtype_name(self, x: Any) -> str:
        """The dtype of one of its arrays, as the error messages print it (``"int64"``)."""

    @abc.abstractmethod
    def differentiable(self, x: Any) -> bool:
        """Whether ``x``'s dtype has gradients (floating or complex)."""

    def refusal(self, x: Any) -> str | None:
        """Why ``x`` cannot be differentiated, finishing "cannot differentiate with respect to
        argument 0: ...", or None when it can. The default looks at the dtype; override it to
        refuse more (a tensor made where gradients cannot be recorded, a resource handle)."""
        if self.differentiable(x):
            return None
        return (f"its dtype is {self.dtype_name(x)}, and gradients exist only for floating and "
                f"complex arrays; cast it (xp.astype(x, xp.float64)) or leave it out of argnums")

    @abc.abstractmethod
    def is_real_scalar(self, x: Any) -> bool:
        """Whether ``x`` is a 0-d array with a real floating dtype (what a loss must be)."""

    def shape(self, x: Any) -> tuple[Any, ...]:
        """The shape of one of its arrays, for error messages."""
        return tuple(x.shape)

    @abc.abstractmethod
    def value_and_grad(
        self, call: Callable[[Leaves], tuple[Any, Any]], leaves: Leaves, check: Callable[[Any], None]
    ) -> tuple[Any, Any, Leaves]:
        """Differentiate ``call`` with respect to every array of ``leaves``.

        ``call(inputs)`` runs the user's function with ``inputs`` (one array per
        leaf, in order: the leaves themselves, or stand-ins that the framework
        records) put back into its arguments, and returns ``(value, aux)``. Call
        ``check(value)`` before differentiating: it raises unibridge's error when
        the value is not a real scalar. Return ``(value, aux, gradients)``, one
        gradient per leaf, under the rules in the class docstring.
        """

    @abc.abstractmethod
    def stop_gradient(self, x: Any) -> Any:
        """``x`` with the same values, as a constant for differentiation."""


@runtime_checkable
class SupportsAutodiff(Protocol):
    """Optional: a backend with automatic differentiation offers ``autodiff()``.

    ``unibridge.grad``, ``value_and_grad`` and ``stop_gradient`` ask the backend
    that owns the differentiated arrays (the registry's owner lookup) for its
    :class:`Autodiff` and use nothing else. A backend without ``autodiff`` gets
    :class:`~unibridge.AutodiffUnavailableError` naming the backends that have it
    (and ``stop_gradient`` returns its arrays unchanged: without gradients they
    are constants already). Return the same object on every call (build it once,
    importing nothing).

    Example:
        >>> import unibridge as ub
        >>> isinstance(ub.get_backend("numpy"), SupportsAutodiff), isinstance(ub.get_backend("torch"), SupportsAutodiff)
        (False, True)
    """

    def autodiff(self) -> Autodiff:
        """This backend's :class:`Autodiff` (the same object every call)."""
        ...


@runtime_checkable
class SupportsJit(Protocol):
    """Optional: ``jit(fun)``, what ``unibridge.jit(fun, backend=...)`` returns for this backend.

    Return ``fun`` compiled by the framework, with ``fun``'s results (say in the
    docstring how many bits may differ), traced like ``jax.jit``: Python control
    flow runs once, at trace time. A backend that has nothing to compile declares
    it by returning ``fun`` itself, and says why in the docstring (the NumPy backend
    does: NumPy has no compiler). A backend without ``jit`` makes ``unibridge.jit``
    raise :class:`~unibridge.JitUnavailableError`: unibridge never guesses that an
    unknown backend's functions run correctly uncompiled where compiled ones were asked for.

    Example:
        >>> import unibridge as ub
        >>> isinstance(ub.get_backend("numpy"), SupportsJit)
        True
    """

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        """``fun`` compiled (or ``fun`` itself, where that is the backend's declared behaviour)."""
        ...
