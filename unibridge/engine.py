"""The conversion engine: every conversion unibridge makes, read top to bottom.

1. :func:`asarray` — the hot path first: a memoized *route* (the source's
   zero-copy NumPy view composed with the target's NumPy fast path) when no
   option is given; otherwise, or when the route declines, the full path.
2. The full path: the call is resolved once into a :class:`_Request` (target
   backend and device, the input's backend, the dtype asked for), which is
   carried to the backend call. Python data becomes NumPy (inferred at full
   precision, exactly as NumPy does, then the default float), foreign CPU arrays
   become a zero-copy NumPy view of their memory, device arrays go device to
   device through DLPack, a dtype change within one framework is the
   framework's own; the casting policy (:mod:`unibridge.casting`) is resolved
   once into a plan, the copy policy applied once, and the target backend
   decides whether sharing is safe.
3. :func:`to_numpy`, :func:`shares_memory` (from real address ranges),
   :func:`to_device`, :func:`zeros` and :func:`zeros_like`, and the questions
   ``dtype_of``/``device_of``.
4. The memo: routes, fast paths and resolved targets are derived data, kept
   here beside the code that builds them, and dropped as a whole whenever the
   registry changes (``register_backend``), so a re-registered backend is used
   everywhere at once, inside a live ``configure()`` or ``use()`` too.
"""

from __future__ import annotations

import operator
import sys
import warnings
from collections.abc import Callable, Iterator
from itertools import chain
from types import GeneratorType
from typing import Any, Literal, NamedTuple, Union

import numpy as np

from ._memory import extent_bytes
from .backend_kit import load_framework
from .casting import EXACT, FIT, cast, plan_cast, relation, run_cast
from .config import _CURRENT, _DEFAULT, Selection, blame_environment, process_default
from .devices import CPU, Device, DeviceRequest, parse_device, resolve_device
from .dtypes import CASTING_MODES, PLAIN_NUMBER_CHARS, DType, from_numpy_dtype, numpy_dtype
from .errors import (
    BackendUnavailableError,
    ConfigurationError,
    CopyRequiredError,
    DeviceUnavailableError,
    LossyCastError,
    UnsupportedInputError,
)
from .protocol import Backend, NumpyFastPath, NumpyViewFastPath
from .registry import _REGISTRY, owner_of, resolve_dtype

__all__ = [
    "asarray",
    "to_numpy",
    "shares_memory",
    "to_device",
    "zeros",
    "zeros_like",
    "dtype_of",
    "device_of",
    "target",
    "check_modes",
    "SAME_KIND",
]

SAME_KIND = "same_kind"
# Python values: no dtype of their own, so they may take any dtype that holds them.
_PYTHON_VALUES = (list, tuple, int, float, complex, bool)
# Values np.asarray turns into *fresh* memory (nothing to share); NumPy scalars
# are fresh too, but carry a dtype and follow the casting rules of arrays.
_FRESH_PYTHON = (*_PYTHON_VALUES, np.generic)
_NDARRAY = np.ndarray
_PLAIN_SCALARS = frozenset((float, int, bool, complex))
_SEQUENCES = frozenset((list, tuple))
# The exact types of Python data: no backend owns them, so no route and no owner to look up.
_PYTHON_DATA_TYPES = frozenset(_PYTHON_VALUES)
_UNSEEN = object()


# == 1. asarray ====================================================================================


def asarray(
    obj: Any,
    /,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    casting: str = SAME_KIND,
    backend: str | None = None,
    non_blocking: bool = False,
) -> Any:
    """Convert ``obj`` to an array of the active backend (or of ``backend=``).

    ``obj`` may be a NumPy array, any registered framework's array, a Python
    scalar or a nested list. The dtype is kept exactly unless ``dtype=`` asks
    for another; a cast that can change values needs ``casting=`` to allow it.
    ``copy=None`` shares memory when that is safe, ``True`` always copies,
    ``False`` shares or raises :class:`CopyRequiredError`.

    ``non_blocking=True`` (host to GPU, torch) queues the transfer on the
    current CUDA stream and returns at once; work queued later on that stream
    sees the data, and the source may be modified immediately (it was already
    copied into a pinned staging buffer).

    Example:
        >>> import numpy as np, unibridge as ub
        >>> a = np.arange(3.0)
        >>> b = ub.asarray(a, backend="numpy")
        >>> ub.shares_memory(a, b), ub.dtype_of(b)
        (True, DType('float64'))
    """
    if dtype is None and device is None and copy is None and casting == SAME_KIND and not non_blocking:
        # The hot path: one memo lookup and the route, with no Python frame in between.
        sel = _CURRENT.get() or _DEFAULT.selection or process_default()
        try:
            route = _MEMO.routes[sel.key][backend][type(obj)]
        except (KeyError, TypeError):  # not built yet (or backend= is not even hashable)
            route = _route(sel, obj, backend)
        if route:
            convert, flags, declines, chars = route
            if (not flags or obj.flags.num & flags == flags) and (chars is None or obj.dtype.char in chars):
                try:
                    out = convert(obj)
                except declines:
                    out = None
                if out is not None:
                    return out
    return _convert(obj, _resolve(obj, dtype, device, copy, casting, backend), non_blocking)


class _Request(NamedTuple):
    """One conversion, resolved once where it enters the engine and carried to the backend call."""

    into: Backend  # the target backend
    dev: Device  # the concrete target device
    src: Backend | None  # the input's backend; None for Python data, NumPy scalars, buffers
    want: DType | None  # the dtype asked for; None keeps the input's
    copy: bool | None
    casting: str
    default_float: DType  # the selection's, which Python floats take


def _resolve(obj: Any, dtype: Any, device: Any, copy: Any, casting: Any, backend: Any) -> _Request:
    """Check the options and resolve everything a conversion of ``obj`` depends on, once."""
    check_modes(copy, casting)
    sel = current_selection()
    into, dev = target(sel, backend, device)
    want = None if dtype is None else resolve_dtype(dtype)
    return _Request(into, dev, _owner(obj), want, copy, casting, sel.default_float)


def _convert(obj: Any, req: _Request, non_blocking: bool) -> Any:
    """The full path of :func:`asarray`, for a resolved request."""
    into, dev, src, want = req.into, req.dev, req.src, req.want
    if non_blocking and dev != CPU:
        return _host_to_device_async(obj, req)

    if src is None:  # Python data, NumPy scalars, buffers, __array__ objects
        a, origin = _host_data(obj, req.copy, req.casting, req.default_float, want is None)
        fresh = origin == "python" or isinstance(obj, np.generic)
        return _from_numpy(req, a, fresh, origin)

    if src is into:
        have = into.dtype_of(obj)
        if want is None or want == have:
            return into.from_native(obj, device=dev, copy=req.copy)
        astype_checked = getattr(into, "astype_checked", None)
        if astype_checked is not None:
            # A lazy framework (dask) checks values inside its own graph, when the user computes:
            # checking them here would compute the whole array just to change its dtype.
            return _astype_native(req, astype_checked, obj, have, want, in_graph=True)
        astype = getattr(into, "astype", None)
        if astype is not None and relation(have, want) != "crossing" and not _rounds_twice(have, want):
            # Within a kind (or up the ladder) every framework rounds and wraps as IEEE and
            # two's complement do, like NumPy; a crossing cast (float -> int, complex -> bool,
            # allowed only by unsafe) is left to NumPy, whose answer is the documented one.
            return _astype_native(req, astype, obj, have, want)

    if want is None and dev != CPU and src.device_of(obj) == dev:
        # Device to device between frameworks: DLPack, never through the host.
        from_dlpack = getattr(into, "from_dlpack", None)
        if from_dlpack is not None:
            _require_describable(src, obj)  # XLA aborts the process on some empty shapes
            synchronize = getattr(src, "synchronize", None)
            if synchronize is not None:
                synchronize(obj)
            return from_dlpack(obj, device=dev, copy=req.copy)

    # A foreign array (or a dtype change): go through a NumPy view of its memory.
    try:
        view = _numpy_of(src, obj, False)
        fresh = False
    except CopyRequiredError:
        if req.copy is False:
            raise
        view = _numpy_of(src, obj, None)
        fresh = True
    return _from_numpy(req, view, fresh, "array")


def _numpy_of(src: Backend, x: Any, copy: bool | None) -> np.ndarray[Any, Any]:
    """``src.to_numpy(x, copy=copy)``; the failure to read an empty array whose extents NumPy
    cannot describe (NumPy's ``ValueError``, or the backend's error around it) becomes
    :class:`ConfigurationError`."""
    try:
        return src.to_numpy(x, copy=copy)
    except (ValueError, UnsupportedInputError) as exc:  # NumPy's, or a backend's wrapping of it
        if not isinstance(exc, CopyRequiredError):
            _require_describable(src, x)
        raise


def _require_describable(src: Backend, x: Any) -> None:
    """Raise ConfigurationError for an (empty) array whose non-zero extents times its item size
    pass the address space: NumPy refuses such a shape, XLA aborts on some (framework-facts.md)."""
    shape = src.shape_of(x)
    if 0 in shape:
        _require_addressable(shape, src.dtype_of(x))


def _require_addressable(shape: tuple[int, ...], dtype: DType) -> None:
    """ConfigurationError when ``shape``'s non-zero extents times the item size pass ``sys.maxsize``.

    An extent of zero makes an array of no bytes, but NumPy still refuses ``(0, 2**62)`` float32
    and XLA aborts the interpreter on ``(2**31, 2**31, 0)`` float32, so no backend is asked to make one.
    """
    needed = extent_bytes(shape, numpy_dtype(dtype).itemsize)
    if needed > sys.maxsize:
        raise ConfigurationError(
            f"an array of shape {shape} and dtype {dtype} cannot be described: its non-zero extents "
            f"times the item size make {needed} bytes, more than any process can address ({sys.maxsize}), "
            f"and NumPy refuses (XLA aborts on) such a shape even when an extent is zero; use smaller extents"
        )


def _rounds_twice(have: DType, want: DType) -> bool:
    """float64/complex128 -> float16 or bfloat16: torch and TensorFlow (and JAX for float16) round
    through float32 on the way (65519.99999999999 becomes inf, not 65504; the float64 just below
    halfway between bfloat16's largest value and 2**128 becomes inf, not that largest value), so
    NumPy (ml_dtypes for bfloat16), which rounds once, makes this cast."""
    return have.mantissa > 24 and want in ("float16", "bfloat16")


def _astype_native(
    req: _Request, astype: Any, obj: Any, have: DType, want: DType, in_graph: bool = False
) -> Any:
    """A dtype change within one framework, by the framework itself (a torch tensor that
    requires grad stays in the autograd graph; a lazy dask array stays lazy).

    The policy decides first, in one plan; when it must look at values (``FIT``, ``EXACT``),
    they are checked on a host view, so the framework's cast never changes a value the
    policy forbids, or (``in_graph``: the backend's ``astype_checked(x, dtype, casting)``)
    by the framework's own graph, when its values are computed.
    """
    into = req.into
    plan = plan_cast(have, want, req.casting, "array")
    if req.copy is False:
        raise CopyRequiredError(f"changing dtype {have} -> {want} needs a copy, but copy=False")
    if in_graph:
        return into.from_native(astype(obj, want, req.casting), device=req.dev, copy=None)
    if plan.values in (FIT, EXACT):
        run_cast(into.to_numpy(obj, copy=None), plan)  # raises LossyCastError; result unused
    return into.from_native(astype(obj, want), device=req.dev, copy=None)


# == 2. the full path ==============================================================================


def _host_data(
    obj: Any, copy: Any, casting: str, default_float: DType, apply_default: bool
) -> tuple[np.ndarray[Any, Any], str]:
    """NumPy data for what no backend owns, and its origin (``"python"`` or ``"array"``).

    Python numbers and lists are inferred at full precision, exactly as NumPy does
    (int64, uint64 past 2**63, float64, complex128); then, when no ``dtype=`` was
    asked for, Python floats and complexes take the configured default float,
    checked like any cast (rounding is what float32 means; a finite value that
    would become infinite raises). NumPy scalars and buffers keep their dtype.
    """
    python_data = _is_python_data(obj)
    if python_data and isinstance(obj, (list, tuple)) and _holds_masked(obj):
        raise UnsupportedInputError(
            "the data holds a masked array (or np.ma.masked), whose mask would be lost: NumPy reads "
            "its hidden values (or NaN) as if they were data; fill it first (x.filled(fill_value)) "
            "or pass x.data to drop the mask"
        )
    a = _infer(obj, copy if not python_data else None)
    origin = "python" if python_data else "array"
    if python_data and a.dtype.kind in "fc" and casting != "unsafe":
        _require_integers_kept(obj, a)
    if python_data and apply_default and default_float != "float64" and a.dtype.kind in "fc":
        want = _python_float_dtype(obj, a, default_float)
        if want is not None and want != a.dtype:
            try:
                a = cast(a, want, "unsafe" if casting == "unsafe" else "same_kind", origin="python")
            except LossyCastError as exc:
                raise LossyCastError(
                    f"{exc} (the default float is {default_float}, set by configure(default_float=) or "
                    f"UNIBRIDGE_DEFAULT_FLOAT; pass dtype='float64' to keep these values)"
                ) from None
    return a, origin


def _require_integers_kept(obj: Any, a: np.ndarray[Any, Any]) -> None:
    """Raise when NumPy's inference rounded a Python integer (``[2**60 + 1, 0.5]`` is float64).

    Only integers beyond 2**53 can be rounded by a float64 inference; they are
    looked for with one vectorised comparison, and only then compared one by one
    with the Python values (Python compares int and float exactly).
    """
    if a.dtype not in (np.float64, np.complex128):
        return  # a Python int beside anything makes NumPy infer at least float64
    real = a.real if a.dtype.kind == "c" else a
    if not np.any(np.abs(real) >= 2.0**53):  # a rounded integer lands at 2**53 or beyond
        return
    for given, held in zip(_scalars(obj), real.reshape(-1).tolist()):
        # int(given): a NumPy integer would compare with the float inexactly (as float64); a Python int is exact.
        if isinstance(given, (int, np.integer)) and not isinstance(given, (bool, np.bool_)) and held != int(given):
            raise LossyCastError(
                f"these numbers have no common dtype that holds them all: NumPy infers {a.dtype} for them, "
                f"which rounds the integer {int(given)} to {held!r}. Convert the integers and the "
                f"fractions separately, pass dtype= with casting='unsafe' to accept the rounding, or "
                f"build a NumPy array of the dtype you want first"
            )


def _holds_masked(data: list[Any] | tuple[Any, ...]) -> bool:
    """True when nested lists/tuples hold a NumPy masked array anywhere (``np.ma.masked`` is one).

    A masked array given directly is refused by the NumPy backend; nested in a list, NumPy's
    inference would read it as plain data. The data is looked at one depth at a time, by the
    set of its element types (``set(map(type, chain(...)))`` runs at C speed): about what
    NumPy's own inference costs, once more.
    """
    level: list[Any] = [data]
    while level:
        kinds = set(map(type, chain.from_iterable(level)))
        if kinds <= _PLAIN_SCALARS:
            return False
        if any(issubclass(k, np.ma.MaskedArray) for k in kinds):
            return True
        if kinds <= _SEQUENCES:
            level = list(chain.from_iterable(level))  # every element is a list: one more depth
        else:  # lists beside numbers or arrays (NumPy decides whether that has an array form)
            level = [item for item in chain.from_iterable(level) if isinstance(item, (list, tuple))]
    return False


def _scalars(obj: Any) -> Iterator[Any]:
    """The scalars of nested Python data, in the C order NumPy lays them out."""
    if isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _scalars(item)
    elif isinstance(obj, (int, float, complex, np.generic)):
        yield obj
    else:  # an array-like nested in the data (a NumPy array, a tensor): NumPy lays out each element
        yield from np.asarray(obj).reshape(-1).tolist()


def _is_python_data(obj: Any) -> bool:
    """Python numbers, and lists/tuples: data whose dtype is only NumPy's inference.

    NumPy scalars are not: ``np.float64`` subclasses ``float`` but carries a dtype.
    """
    return isinstance(obj, _PYTHON_VALUES) and not isinstance(obj, np.generic)


def _infer(obj: Any, copy: Any) -> np.ndarray[Any, Any]:
    """``np.asarray(obj)``, refusing what has no numeric array form (and copies under copy=False)."""
    if isinstance(obj, GeneratorType) or (hasattr(obj, "__next__") and not hasattr(obj, "__len__")):
        raise UnsupportedInputError(
            f"cannot convert a {type(obj).__name__} (an iterator): materialise it first, e.g. list(it)"
        )
    try:
        if hasattr(obj, "__dlpack__") and not hasattr(obj, "__array__") and not hasattr(obj, "__array_interface__"):
            a = np.from_dlpack(obj, copy=copy)  # only DLPack on offer (NumPy's asarray ignores it)
        elif copy is False:
            with warnings.catch_warnings(), np.errstate(invalid="ignore"):
                # NumPy's warning for an old-style __array__ without copy=: the error below says it.
                warnings.simplefilter("ignore", DeprecationWarning)
                a = np.asarray(obj, copy=False)
        else:
            # A signalling NaN scalar (float32, bfloat16) beside wider data is quieted on its way
            # to float64 and NumPy warns "invalid value": it is still NaN, no value changed.
            with np.errstate(invalid="ignore"):
                a = np.asarray(obj)
    except (ValueError, TypeError, OverflowError, BufferError, RuntimeError) as exc:
        if copy is False and _infer(obj, None) is not None:
            # It has an array form, but only as a copy (an __array__ that cannot share).
            raise CopyRequiredError(
                f"a {type(obj).__name__} gives its values only as a copy (its __array__ or buffer "
                f"cannot be shared), so copy=False cannot be honoured"
            ) from None
        if isinstance(obj, (list, tuple)):
            raise UnsupportedInputError(
                f"cannot convert {type(obj).__name__} to an array ({exc}); ragged or mixed "
                f"data has no array form — pad it to a rectangular shape first"
            ) from None
        raise UnsupportedInputError(
            f"cannot convert a {type(obj).__name__} to an array: NumPy could not read it "
            f"({type(exc).__name__}: {exc}); pass a NumPy array or an array of a registered backend"
        ) from None
    if a.dtype.kind in "OUSMmV" and a.dtype.name != "bfloat16":
        raise UnsupportedInputError(
            f"cannot convert {type(obj).__name__} with dtype {a.dtype}: "
            + (
                "its elements are not all numbers (or an int is too large for 64 bits)"
                if a.dtype.kind == "O"
                else "only bool, integer, floating and complex data is supported"
            )
        )
    return a


def _python_float_dtype(obj: Any, a: np.ndarray[Any, Any], default_float: DType) -> np.dtype[Any] | None:
    """The dtype Python data becomes under a non-default default float, or None to keep NumPy's.

    Python floats take the default float (complexes its complex type); NumPy scalars
    and arrays nested in the data keep their own dtype, and the result is their
    promotion, as NumPy promotes a weak Python scalar with a typed value.
    """
    weak_float = np.dtype(numpy_dtype(default_float))
    weak_complex = np.result_type(weak_float, np.complex64)
    found_float = found_complex = False
    typed: list[np.dtype[Any]] = []
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)) and not isinstance(item, np.generic):
            stack.extend(item)
        elif isinstance(item, np.generic) or isinstance(item, np.ndarray):
            typed.append(item.dtype)
        elif isinstance(item, bool) or isinstance(item, int):
            continue
        elif isinstance(item, float):
            found_float = True
        elif isinstance(item, complex):
            found_complex = True
        else:  # any other array-like nested in a list: typed, as NumPy reads it
            typed.append(np.asarray(item).dtype)
    if not (found_float or found_complex):
        return None  # only typed values are floating: they keep their dtype
    if any(d.name == "bfloat16" for d in typed):
        # ml_dtypes' promotion depends on the order of its operands: NumPy's inference stands.
        return None
    weak = [weak_complex if found_complex else weak_float]
    return np.result_type(*weak, *typed) if typed else weak[0]


def _from_numpy(req: _Request, a: np.ndarray[Any, Any], fresh: bool, origin: str) -> Any:
    """Hand a NumPy array to the request's backend, applying the dtype and copy policy.

    ``fresh``: ``a`` is already a private copy. ``origin``: ``"python"`` when ``a``
    was inferred from Python values, which may take any dtype that holds them exactly.
    """
    copy, want = req.copy, req.want
    if want is not None:
        have = from_numpy_dtype(a.dtype)
        if want != have:
            if copy is False:
                plan_cast(have, want, req.casting, origin)  # a cast the policy refuses says so first
                raise CopyRequiredError(f"changing dtype {have} -> {want} needs a copy, but copy=False")
            a = cast(a, want, req.casting, origin=origin, src=have)  # planned once, carried out
            fresh = True
    if fresh:
        if copy is False:
            raise CopyRequiredError(
                "the input has no array memory to share (Python data, or a copy was already "
                "needed on the way); copy=False cannot be honoured"
            )
        copy = None  # the fresh array is ours: sharing it is a copy of the input
    if copy is None and type(a) is _NDARRAY:
        fast = _fast_path_into(req.into, req.dev)
        if fast:
            out = _apply(fast, a)
            if out is not None:
                return out
    return req.into.from_numpy(a, device=req.dev, copy=copy)


def _host_to_device_async(obj: Any, req: _Request) -> Any:
    """``non_blocking=True`` to a device: one host buffer, handed to the backend's asynchronous copy."""
    into, src, want = req.into, req.src, req.want
    host_to_device = getattr(into, "host_to_device", None)
    if host_to_device is None:
        raise UnsupportedInputError(
            f"backend {into.name!r} has no asynchronous host-to-device copy; drop non_blocking=True"
        )
    if req.copy is False:
        raise CopyRequiredError(f"moving host data to {req.dev} needs a copy, but copy=False")
    if src is None:
        a = _host_data(obj, None, req.casting, req.default_float, want is None)[0]
        origin = "python" if _is_python_data(obj) else "array"
    elif src.device_of(obj) == CPU:
        a, origin = src.to_numpy(obj, copy=None), "array"
    else:  # already on a device: nothing to stage on the host, the synchronous path moves it
        return _convert(obj, req, non_blocking=False)
    if want is not None:
        have = from_numpy_dtype(a.dtype)
        if want != have:
            a = cast(a, want, req.casting, origin=origin, src=have)
    return host_to_device(a, device=req.dev, non_blocking=True)


def check_modes(copy: Any, casting: Any) -> None:
    """Raise ConfigurationError unless ``copy`` and ``casting`` are valid options.

    Example:
        >>> check_modes(None, "same_kind")
    """
    if not (copy is None or isinstance(copy, (bool, np.bool_))):
        raise ConfigurationError(f"copy={copy!r} is not one of None, True, False")
    if not isinstance(casting, str) or casting not in CASTING_MODES:
        raise ConfigurationError(
            f"casting={casting!r} is not a casting mode; use one of: {', '.join(CASTING_MODES)}"
        )


# == 3. the other conversions and questions ========================================================




def to_numpy(x: Any, /, *, copy: bool | None = None) -> np.ndarray[Any, Any]:
    """A NumPy array from any registered framework's array (a view when possible).

    Works on tensors that require grad (through ``detach()``). A view of an
    immutable tensor (TensorFlow) is read-only.

    Example:
        >>> import unibridge as ub
        >>> ub.to_numpy([1, 2]).tolist()
        [1, 2]
    """
    if copy is None:
        view = _MEMO.views.get(type(x))
        if view is None:
            view = _view_path(x)
        if view:
            convert, declines = view
            try:
                out = convert(x)
            except declines:
                out = None
            if out is not None:
                return out  # type: ignore[no-any-return]
    check_modes(copy, SAME_KIND)
    src = _owner(x)
    if src is None:
        a = _host_data(x, copy, SAME_KIND, current_default_float(), True)[0]
        if isinstance(x, _FRESH_PYTHON):
            if copy is False:
                raise CopyRequiredError(f"a {type(x).__name__} has no array memory to share")
            return a
        return a.copy() if copy else a
    return _numpy_of(src, x, copy)


def shares_memory(a: Any, b: Any, /) -> bool:
    """True when ``a`` and ``b`` overlap in memory, whatever their frameworks.

    Answers from the actual memory ranges, so a NumPy view, a ``torch.from_numpy``
    tensor and a DLPack import all count.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> a = np.arange(4)
        >>> ub.shares_memory(a, a[2:]), ub.shares_memory(a, a.copy())
        (True, False)
    """
    views = _MEMO.views
    mem_a = _cpu_view(a, views.get(type(a)))
    mem_b = _cpu_view(b, views.get(type(b)))
    if mem_a is not None and mem_b is not None:
        return bool(np.shares_memory(mem_a, mem_b))
    dev_a, mem_a = _memory_of(a) if mem_a is None else (CPU, mem_a)
    dev_b, mem_b = _memory_of(b) if mem_b is None else (CPU, mem_b)
    if mem_a is None or mem_b is None or dev_a != dev_b:
        return False
    if isinstance(mem_a, np.ndarray) and isinstance(mem_b, np.ndarray):
        return bool(np.shares_memory(mem_a, mem_b))
    lo_a, hi_a = _span(mem_a)
    lo_b, hi_b = _span(mem_b)
    return lo_a < hi_b and lo_b < hi_a


def _cpu_view(x: Any, view: Any) -> np.ndarray[Any, Any] | None:
    """``x``'s zero-copy NumPy view through its memoized view path, or None."""
    if view is None:
        view = _view_path(x)
    if not view:
        return None
    convert, declines = view
    try:
        return convert(x)  # type: ignore[no-any-return]
    except declines:
        return None


def _memory_of(x: Any) -> tuple[Device, Any]:
    """``(device, memory)``: a NumPy view of CPU memory, else a backend's ``memory_layout``
    (a NumPy array describing the bytes, never read), else its ``memory_span``."""
    src = _owner(x)
    if src is None:
        if isinstance(x, _FRESH_PYTHON):
            return CPU, None  # Python data owns no array memory
        try:
            return CPU, _infer(x, None)  # buffers, __array__, __array_interface__, DLPack
        except UnsupportedInputError:
            return CPU, None  # no numeric array form: no array memory to share
    dev = src.device_of(x)
    if dev == CPU:
        try:
            return dev, _numpy_of(src, x, False)
        except CopyRequiredError:
            pass
        except ConfigurationError:
            return dev, None  # an empty array too large to describe: it holds no bytes
    described = getattr(src, "memory_layout", None)  # optional: exact where no NumPy view exists
    if described is not None:
        return dev, described(x)
    return dev, src.memory_span(x)


def _span(mem: Any) -> tuple[int, int]:
    if isinstance(mem, np.ndarray):
        if mem.size == 0:
            return (0, 0)
        from numpy.lib.array_utils import byte_bounds

        return byte_bounds(mem)
    return (mem[1], mem[2])


def _require_owner(x: Any, what: str) -> Backend:
    src = _owner(x)
    if src is None:
        raise UnsupportedInputError(
            f"{what} needs an array of a registered backend, got {type(x).__name__}; "
            f"convert it with unibridge.asarray first"
        )
    return src


def to_device(x: Any, device: Any, /, *, copy: bool | None = None) -> Any:
    """Move ``x`` to ``device`` within its own framework (see :func:`unibridge.to_device`)."""
    check_modes(copy, SAME_KIND)
    src = _require_owner(x, "to_device")
    return src.from_native(x, device=_resolve_request(device, src), copy=copy)


def zeros(shape: Any, dtype: Any, device: Any, backend: str | None) -> Any:
    """A fresh zero-filled array (see :func:`unibridge.zeros`)."""
    sel = current_selection()
    into, dev = target(sel, backend, device)
    dt = sel.default_float if dtype is None else resolve_dtype(dtype)
    dims = _shape_tuple(shape)
    if 0 in dims:  # before any framework sees it: XLA aborts on some empty shapes (others: check_nbytes)
        _require_addressable(dims, dt)
    return into.zeros(dims, dtype=dt, device=dev)


def zeros_like(x: Any, dtype: Any, device: Any, backend: str | None) -> Any:
    """Zeros with ``x``'s shape and dtype (see :func:`unibridge.zeros_like`)."""
    src = _owner(x)
    if src is None:
        template = _host_data(x, None, SAME_KIND, current_default_float(), True)[0]
        shape, like_dtype = template.shape, from_numpy_dtype(template.dtype)
    else:
        shape, like_dtype = src.shape_of(x), src.dtype_of(x)
    return zeros(shape, like_dtype if dtype is None else dtype, device, backend)


def dtype_of(x: Any) -> DType:
    """The framework-neutral dtype of ``x`` (see :func:`unibridge.dtype_of`)."""
    src = _owner(x)
    if src is None:
        return from_numpy_dtype(_host_data(x, None, SAME_KIND, current_default_float(), True)[0].dtype)
    return src.dtype_of(x)


def device_of(x: Any) -> Device:
    """The framework-neutral device of ``x`` (see :func:`unibridge.device_of`)."""
    src = _owner(x)
    if src is None:
        return CPU
    return src.device_of(x)


def _shape_tuple(shape: Any) -> tuple[int, ...]:
    try:
        dims = (operator.index(shape),) if not hasattr(shape, "__iter__") else tuple(
            operator.index(d) for d in shape
        )
    except TypeError:
        raise ConfigurationError(
            f"shape must be an int or a sequence of ints, got {shape!r}"
        ) from None
    if any(d < 0 for d in dims):
        raise ConfigurationError(f"shape must not have negative dimensions, got {dims}")
    total = 1
    for d in dims:
        total *= d
    if total > sys.maxsize:
        raise ConfigurationError(f"shape {dims} has {total} elements, more than any array can hold")
    return dims


def current_selection() -> Selection:
    """The active selection (the innermost ``use()`` block's, else the process default)."""
    return _CURRENT.get() or _DEFAULT.selection or process_default()


def current_default_float() -> DType:
    """The active selection's default float."""
    return current_selection().default_float


# == 4. targets, routes and fast paths, memoized ===================================================

Route = Union[NumpyFastPath, Literal[False]]  # False: no route for this input type and target
ViewPath = Union[tuple[Callable[[Any], Any], tuple[type[BaseException], ...]], Literal[False]]


def target(sel: Selection, backend: Any, device: Any) -> tuple[Backend, Device]:
    """The backend object and concrete device a conversion goes to.

    ``backend=None`` means the selection's backend; ``device=None`` the
    selection's device (``auto`` resolved for that backend). A backend that
    ``UNIBRIDGE_BACKEND`` chose has its framework imported here, on its first use,
    so a framework that fails to import says which variable chose it.

    Example:
        >>> import unibridge as ub
        >>> target(ub.current(), "numpy", None)[0].name
        'numpy'
    """
    named = backend is None or type(backend) is str
    if device is None and named:
        found = _MEMO.targets.get((backend, sel.key))
        if found is not None:
            return found
    generation = _REGISTRY.generation
    into = _loaded(sel.backend if backend is None else backend)
    if backend is None and sel.sources.get("backend") == "environment":
        try:
            load_framework(into)
        except BackendUnavailableError as exc:
            raise blame_environment(exc, sel) from exc
    if device is not None:
        return into, _resolve_request(device, into)
    try:
        dev = _device_among(sel.device, into)
    except DeviceUnavailableError as exc:
        raise DeviceUnavailableError(f"{exc} (device set by {sel.device_origin()})") from None
    found = (into, dev)
    if named:
        _MEMO.store(_MEMO.targets, (backend, sel.key), found, generation)
    return found


def _loaded(name: Any) -> Backend:
    """The backend registered as ``name``: the registry's table of loaded backends read first."""
    found = _REGISTRY.loaded.get(name) if type(name) is str else None
    return found if found is not None else _REGISTRY.load(name)


def _device_among(request: DeviceRequest, backend: Backend) -> Device:
    """``request`` resolved among ``backend.devices()``: a device it has is itself (the
    common case, answered here); ``auto`` and the errors are :func:`resolve_device`'s."""
    available = backend.devices()
    if type(request) is Device and request in available:
        return request
    return resolve_device(request, available, backend.name)


def _owner(x: Any) -> Backend | None:
    """The backend owning ``x``: None for Python data, else the registry's answer, read from
    its table of types already seen before it is asked."""
    kind = type(x)
    if kind in _PYTHON_DATA_TYPES:
        return None
    found = _REGISTRY.by_type.get(kind, _UNSEEN)
    return owner_of(x) if found is _UNSEEN else found  # type: ignore[return-value]


def _resolve_request(device: Any, backend: Backend) -> Device:
    """Parse and resolve an explicit ``device=`` argument for ``backend``."""
    request = device if type(device) is Device else parse_device(device)
    return resolve_device(request, backend.devices(), backend.name)


def _route(sel: Selection, x: Any, backend: Any) -> Route:
    """Build (once per input type and target) the fast conversion of ``x``, or False.

    A route composes the source backend's zero-copy NumPy view with the
    target's NumPy fast path; either may decline a particular array by
    returning None, which sends that call down the full path.
    """
    if backend is not None and type(backend) is not str:
        return False  # not a name: the full path explains
    generation = _REGISTRY.generation
    route: Route = False
    kind = type(x)
    if kind in _PYTHON_DATA_TYPES:
        fast: Route = False  # Python data is inferred by NumPy on the full path
    else:
        into, dev = target(sel, backend, None)
        fast = _fast_path_into(into, dev)
    if fast and kind is _NDARRAY:
        route = fast  # the target's own fast path, whichever backend owns NumPy arrays
    elif fast and (source := _owner(x)) is not None and source is not into:
        view = _view_path(x)
        if view:
            see, declines = view

            def composed(x: Any) -> Any:
                try:
                    a = see(x)
                except declines:
                    return None
                return None if a is None else _apply(fast, a)

            route = NumpyFastPath(composed)
    if route:
        route = tuple(route)  # type: ignore[assignment]  # a plain tuple unpacks faster than a NamedTuple
    routes = _MEMO.routes.get(sel.key)
    if routes is None:
        routes = {}
        _MEMO.store(_MEMO.routes, sel.key, routes, generation)
    by_type = routes.get(backend)
    if by_type is None:
        by_type = {}
        _MEMO.store(routes, backend, by_type, generation)
    _MEMO.store(by_type, type(x), route, generation)
    return route


def _apply(path: NumpyFastPath, a: np.ndarray[Any, Any]) -> Any:
    """Run a NumPy fast path on ``a``; None means "take the full path"."""
    convert, flags, declines, chars = path
    if (flags and a.flags.num & flags != flags) or (chars is not None and a.dtype.char not in chars):
        return None
    try:
        return convert(a)
    except declines:
        return None


def _fast_path_into(backend: Backend, device: Device) -> Route:
    """``backend.numpy_fast_path(device)``, built once per backend object and device; False if none."""
    key = (backend.name, device)
    found = _MEMO.fast_paths.get(key)
    if found is not None and found[0] is backend:
        return found[1]  # type: ignore[no-any-return]
    generation = _REGISTRY.generation
    maker = _accelerator(backend, "numpy_fast_path", "from_numpy")
    made: Any = maker(device) if maker is not None else None
    if made and not isinstance(made, NumpyFastPath):
        made = NumpyFastPath(made)  # a bare converter function is accepted too
    if made and made.dtype_chars is None:
        # The full path refuses strings, objects, datetimes, longdouble...; a fast path that
        # names no dtypes must not accept what the full path refuses (tests/reliability/FINDINGS.md, F22).
        made = made._replace(dtype_chars=PLAIN_NUMBER_CHARS)
    path: Route = made or False
    _MEMO.store(_MEMO.fast_paths, key, (backend, path), generation)
    return path


def _view_path(x: Any) -> ViewPath:
    """The source backend's zero-copy view of ``x``'s type as ``(view, declines)``, or False."""
    generation = _REGISTRY.generation
    source = _owner(x)
    path: ViewPath = False
    if source is not None:
        maker = _accelerator(source, "numpy_view_fast_path", "to_numpy")
        made: Any = maker() if maker is not None else None
        if isinstance(made, NumpyViewFastPath):
            # ValueError: NumPy's "array is too big" (an empty array with huge extents); the
            # full path explains it.
            path = (made.view, (*made.declines, ValueError))
        elif made is not None:
            path = (made, (ValueError,))  # a bare view function is accepted too
    _MEMO.store(_MEMO.views, type(x), path, generation)
    return path


def _accelerator(backend: Backend, name: str, stands_for: str) -> Any:
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


class _Memo:
    """Derived answers of the engine; dropping them never changes a result, only its speed.

    * ``routes``: selection key -> {``backend=`` (None: the selection's) -> {input type -> route}};
    * ``views``: array type -> the owning backend's zero-copy NumPy view path;
    * ``fast_paths``: (backend name, device) -> (backend object, its NumPy fast path);
    * ``targets``: (``backend=`` name, None for the selection's; selection key) -> (backend object,
      resolved device).

    One rule invalidates them all: every registry change calls :meth:`clear`
    (under the registry lock), and an entry built from an older registry
    generation is never stored.
    """

    __slots__ = ("routes", "views", "fast_paths", "targets")

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        # New dicts: a reader holding an old one finishes its call with consistent data.
        self.routes: dict[str, dict[str | None, dict[type, Route]]] = {}
        self.views: dict[type, ViewPath] = {}
        self.fast_paths: dict[tuple[str, Device], tuple[Backend, Any]] = {}
        self.targets: dict[tuple[str | None, str], tuple[Backend, Device]] = {}

    def store(self, table: dict[Any, Any], key: Any, value: Any, generation: int | None = None) -> None:
        """``table[key] = value``, unless the registry changed since ``generation`` was read."""
        with _REGISTRY.lock:
            if generation is None or generation == _REGISTRY.generation:
                table[key] = value


_MEMO = _Memo()
_REGISTRY.on_change(_MEMO.clear)
