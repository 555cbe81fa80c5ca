"""The conversion API: ``asarray``, ``zeros``, ``zeros_like``, ``to_device``,
``to_numpy``, ``shares_memory``, ``dtype_of``, ``device_of``, ``namespace``.

Every conversion between frameworks on the CPU goes through a zero-copy NumPy
view of the source (:meth:`Backend.to_numpy` with ``copy=False``): the dtype
policy is applied there once, and the target backend decides whether sharing
that view is safe. Python data is turned into NumPy first, so scalars and lists
are inferred identically on every backend.
"""

from __future__ import annotations

import operator
import sys
from types import GeneratorType, ModuleType
from typing import Any

import numpy as np

from .config import _CURRENT, active, apply_fast_path, fast_path_for, process_defaults, resolve_request
from .devices import CPU, Device
from .dtypes import CASTING_MODES, DType, as_dtype, cast_numpy, check_cast, from_numpy_dtype
from .errors import ConfigurationError, CopyRequiredError, UnsupportedInputError
from .protocol import Backend
from .registry import _REGISTRY

__all__ = [
    "asarray",
    "zeros",
    "zeros_like",
    "to_device",
    "to_numpy",
    "shares_memory",
    "dtype_of",
    "device_of",
    "namespace",
]

_MISSING = object()
_NDARRAY = np.ndarray
_SAME_KIND = "same_kind"
# Python values: no dtype of their own, so they may take any dtype that holds them.
_PYTHON_VALUES = (list, tuple, int, float, complex, bool)
# Values np.asarray turns into *fresh* memory (nothing to share); NumPy scalars
# are fresh too, but carry a dtype and follow the casting rules of arrays.
_FRESH_PYTHON = (*_PYTHON_VALUES, np.generic)


def _owner(x: Any) -> Backend | None:
    found = _REGISTRY.by_type.get(type(x), _MISSING)
    if found is _MISSING:
        return _REGISTRY.owner(x)
    return found  # type: ignore[return-value]


def _python_to_numpy(obj: Any, default_float: DType) -> np.ndarray[Any, Any]:
    """Infer an array from Python data (or a buffer) exactly as NumPy does."""
    if isinstance(obj, GeneratorType) or (hasattr(obj, "__next__") and not hasattr(obj, "__len__")):
        raise UnsupportedInputError(
            f"cannot convert a {type(obj).__name__} (an iterator): materialise it first, e.g. list(it)"
        )
    try:
        a = np.asarray(obj)
    except (ValueError, TypeError, OverflowError) as exc:
        raise UnsupportedInputError(
            f"cannot convert {type(obj).__name__} to an array ({exc}); ragged or mixed "
            f"data has no array form — pad it to a rectangular shape first"
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
    if default_float == "float32" and isinstance(obj, (list, tuple, float, complex)):
        # Python floats follow the configured default float, like creation functions.
        if a.dtype == np.float64:
            a = a.astype(np.float32)
        elif a.dtype == np.complex128:
            a = a.astype(np.complex64)
    return a


def _convert_numpy(
    target: Backend,
    a: np.ndarray[Any, Any],
    dtype: Any,
    device: Device,
    copy: bool | None,
    casting: str,
    fresh: bool,
    python_data: bool = False,
) -> Any:
    """Hand a NumPy array to ``target``, applying the dtype and copy policy.

    ``fresh``: ``a`` is already a private copy. ``python_data``: ``a`` was
    inferred from Python values, which may take any dtype that holds them exactly.
    """
    if dtype is not None:
        want = as_dtype(dtype)
        have = from_numpy_dtype(a.dtype)
        if want != have:
            if copy is False:
                check_cast(have, want, casting)
                raise CopyRequiredError(f"changing dtype {have} -> {want} needs a copy, but copy=False")
            a = cast_numpy(a, want, casting, weak=python_data)
            fresh = True
        else:
            check_cast(have, want, casting)
    if fresh:
        if copy is False:
            raise CopyRequiredError(
                "the input has no array memory to share (Python data, or a copy was already "
                "needed on the way); copy=False cannot be honoured"
            )
        copy = None  # the fresh array is ours: sharing it is a copy of the input
    if copy is None and type(a) is _NDARRAY:
        fast = fast_path_for(target, device)
        if fast:
            out = apply_fast_path(fast, a)
            if out is not None:
                return out
    return target.from_numpy(a, device=device, copy=copy)


def asarray(
    obj: Any,
    /,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    casting: str = _SAME_KIND,
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
    sel = _CURRENT.get() or process_defaults()
    if dtype is None and copy is None and device is None and casting is _SAME_KIND and not non_blocking:
        if backend is None:
            route = sel._routes.get(type(obj))
        elif type(backend) is str:
            route = sel._routes.get((type(obj), backend))
        else:
            route = False  # not a name: the full path explains
        if route is None:
            route = sel.route(obj, backend)
        if route:  # applied inline (see config.apply_fast_path): no extra frame on the hot path
            convert, flags, declines, chars = route
            if (not flags or obj.flags.num & flags == flags) and (chars is None or obj.dtype.char in chars):
                try:
                    out = convert(obj)
                except declines:
                    out = None
                if out is not None:
                    return out
    _check_modes(copy, casting)
    target = sel.backend_object if backend is None else _REGISTRY.load(backend)
    dev = sel.device_for(target) if device is None else resolve_request(device, target)
    src = _owner(obj)
    if non_blocking and dev != CPU:
        return _host_to_device_async(target, obj, src, dtype, dev, copy, casting, sel.default_float)

    if src is None:  # Python data, buffers, __array__ objects
        a = _python_to_numpy(obj, sel.default_float)
        fresh = isinstance(obj, _FRESH_PYTHON)
        python_data = isinstance(obj, _PYTHON_VALUES)
        return _convert_numpy(target, a, dtype, dev, copy, casting, fresh, python_data=python_data)

    if src is target and (dtype is None or as_dtype(dtype) == target.dtype_of(obj)):
        if dtype is not None:
            check_cast(target.dtype_of(obj), as_dtype(dtype), casting)
        return target.from_native(obj, device=dev, copy=copy)

    if dtype is None and dev != CPU and src.device_of(obj) == dev:
        # Device to device between frameworks: DLPack, never through the host.
        from_dlpack = getattr(target, "from_dlpack", None)
        if from_dlpack is not None:
            synchronize = getattr(src, "synchronize", None)
            if synchronize is not None:
                synchronize(obj)
            return from_dlpack(obj, device=dev, copy=copy)

    # A foreign array (or a dtype change): go through a NumPy view of its memory.
    try:
        view = src.to_numpy(obj, copy=False)
        fresh = False
    except CopyRequiredError:
        if copy is False:
            raise
        view = src.to_numpy(obj, copy=None)
        fresh = True
    return _convert_numpy(target, view, dtype, dev, copy, casting, fresh)


def _host_to_device_async(
    target: Backend, obj: Any, src: Backend | None, dtype: Any, dev: Device, copy: bool | None,
    casting: str, default_float: DType,
) -> Any:
    host_to_device = getattr(target, "host_to_device", None)
    if host_to_device is None:
        raise UnsupportedInputError(
            f"backend {target.name!r} has no asynchronous host-to-device copy; drop non_blocking=True"
        )
    if copy is False:
        raise CopyRequiredError(f"moving host data to {dev} needs a copy, but copy=False")
    if src is None:
        a = _python_to_numpy(obj, default_float)
    elif src.device_of(obj) == CPU:
        a = src.to_numpy(obj, copy=None)
    else:
        return asarray(obj, dtype=dtype, device=dev, copy=copy, casting=casting, backend=target.name)
    if dtype is not None and as_dtype(dtype) != from_numpy_dtype(a.dtype):
        a = cast_numpy(a, as_dtype(dtype), casting)
    return host_to_device(a, device=dev, non_blocking=True)


def _check_modes(copy: Any, casting: Any) -> None:
    if not (copy is None or isinstance(copy, (bool, np.bool_))):
        raise ConfigurationError(f"copy={copy!r} is not one of None, True, False")
    if not isinstance(casting, str) or casting not in CASTING_MODES:
        raise ConfigurationError(
            f"casting={casting!r} is not a casting mode; use one of: {', '.join(CASTING_MODES)}"
        )


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


def zeros(
    shape: Any, *, dtype: Any = None, device: Any = None, backend: str | None = None
) -> Any:
    """A fresh zero-filled array; without ``dtype`` it has the configured default float.

    Example:
        >>> import unibridge as ub
        >>> z = ub.zeros((2, 3), backend="numpy")
        >>> z.shape, ub.dtype_of(z)
        ((2, 3), DType('float64'))
    """
    sel = active()
    target = sel.backend_object if backend is None else _REGISTRY.load(backend)
    dev = sel.device_for(target) if device is None else resolve_request(device, target)
    dt = sel.default_float if dtype is None else as_dtype(dtype)
    return target.zeros(_shape_tuple(shape), dtype=dt, device=dev)


def zeros_like(
    x: Any, *, dtype: Any = None, device: Any = None, backend: str | None = None
) -> Any:
    """Zeros with the shape and dtype of ``x`` (any framework), on the active backend and device.

    Only ``x``'s shape and dtype are used: the result never aliases it.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> t = np.ones((2, 2), dtype=np.int32)
        >>> z = ub.zeros_like(t, backend="numpy")
        >>> z.dtype, ub.shares_memory(z, t)
        (dtype('int32'), False)
    """
    src = _owner(x)
    if src is None:
        template = _python_to_numpy(x, active().default_float)
        shape, like_dtype = template.shape, from_numpy_dtype(template.dtype)
    else:
        shape, like_dtype = src.shape_of(x), src.dtype_of(x)
    return zeros(shape, dtype=like_dtype if dtype is None else dtype, device=device, backend=backend)


def _require_owner(x: Any, what: str) -> Backend:
    src = _owner(x)
    if src is None:
        raise UnsupportedInputError(
            f"{what} needs an array of a registered backend, got {type(x).__name__}; "
            f"convert it with unibridge.asarray first"
        )
    return src


def to_device(x: Any, device: Any, /, *, copy: bool | None = None) -> Any:
    """Move ``x`` to ``device`` within its own framework.

    ``copy=False`` raises :class:`CopyRequiredError` when the device changes.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> a = np.zeros(2)
        >>> ub.to_device(a, "cpu") is a
        True
    """
    _check_modes(copy, _SAME_KIND)
    src = _require_owner(x, "to_device")
    return src.from_native(x, device=resolve_request(device, src), copy=copy)


def to_numpy(x: Any, /, *, copy: bool | None = None) -> np.ndarray[Any, Any]:
    """A NumPy array from any registered framework's array (a view when possible).

    Works on tensors that require grad (through ``detach()``). A view of an
    immutable tensor (TensorFlow) is read-only.

    Example:
        >>> import unibridge as ub
        >>> ub.to_numpy([1, 2]).tolist()
        [1, 2]
    """
    _check_modes(copy, _SAME_KIND)
    src = _owner(x)
    if src is None:
        a = _python_to_numpy(x, active().default_float)
        if isinstance(x, _FRESH_PYTHON):
            if copy is False:
                raise CopyRequiredError(f"a {type(x).__name__} has no array memory to share")
            return a
        return a.copy() if copy else a
    return src.to_numpy(x, copy=copy)


def _memory_view(x: Any) -> tuple[Device, Any]:
    src = _owner(x)
    if src is None:
        if isinstance(x, _FRESH_PYTHON):
            return CPU, None  # Python data owns no array memory
        return CPU, np.asarray(x)  # buffers: memoryview, bytes, array.array, __array__
    dev = src.device_of(x)
    if dev == CPU:
        try:
            return dev, src.to_numpy(x, copy=False)
        except CopyRequiredError:
            pass
    return dev, src.memory_span(x)


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
    dev_a, mem_a = _memory_view(a)
    dev_b, mem_b = _memory_view(b)
    if mem_a is None or mem_b is None or dev_a != dev_b:
        return False
    if isinstance(mem_a, np.ndarray) and isinstance(mem_b, np.ndarray):
        return bool(np.shares_memory(mem_a, mem_b))
    lo_a, hi_a = _span(mem_a)
    lo_b, hi_b = _span(mem_b)
    return lo_a < hi_b and lo_b < hi_a


def _span(mem: Any) -> tuple[int, int]:
    if isinstance(mem, np.ndarray):
        if mem.size == 0:
            return (0, 0)
        from numpy.lib.array_utils import byte_bounds

        return byte_bounds(mem)
    return (mem[1], mem[2])


def dtype_of(x: Any) -> DType:
    """The framework-neutral dtype of ``x``; it compares equal to its name.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.dtype_of(np.zeros(2, dtype=np.float32)) == "float32"
        True
    """
    src = _owner(x)
    if src is None:
        return from_numpy_dtype(_python_to_numpy(x, active().default_float).dtype)
    return src.dtype_of(x)


def device_of(x: Any) -> Device:
    """The framework-neutral device of ``x``: ``"cpu"`` or ``"gpu:N"``.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.device_of(np.zeros(2))
        Device('cpu')
    """
    src = _owner(x)
    if src is None:
        return CPU
    return src.device_of(x)


def namespace(backend: str | None = None) -> ModuleType:
    """The Array API namespace of ``backend`` (default: the active backend).

    Creation without a dtype gives the configured default float on every
    backend (see :mod:`unibridge.namespaces`).

    Example:
        >>> import unibridge as ub
        >>> xp = ub.namespace("numpy")
        >>> float(xp.sum(xp.asarray([1.0, 2.0])))
        3.0
    """
    sel = active()
    target = sel.backend_object if backend is None else _REGISTRY.load(backend)
    from .namespaces import with_default_float  # issue 14: one dtype default on every backend

    return with_default_float(target.name, target.namespace(), sel.default_float)
