"""The strict backend: ``array_api_strict.Array`` on the CPU.

array-api-strict wraps a NumPy array and lets through only what the Array API
standard allows. Facts this backend relies on, measured with array-api-strict
2.6.1 and NumPy 2.4 (``backends/strict/README.md``, "Memory", has the table;
``tests/plugins/test_strict_backend.py`` re-measures each one):

* ``array_api_strict.asarray(a)`` of a NumPy array **wraps it without a
  copy**, whatever its layout: strided, negative strides, Fortran order,
  misaligned, read-only. A strict array over read-only memory stays read-only
  (``x[0] = 1`` raises NumPy's ``ValueError: assignment destination is
  read-only``). Non-native byte order, float16 and bfloat16 raise
  ``TypeError``: the standard has no such dtypes.
* ``np.from_dlpack(x)`` is a zero-copy view of ``x``'s memory, writable
  exactly when that memory is (DLPack 1.0's read-only flag), except that
  NumPy's DLPack export raises ``BufferError`` for strides that are not a
  multiple of the element size. ``np.asarray(x)`` also views, read-only
  memory included, through ``__array__`` on Python 3.11 and ``__buffer__`` on
  3.12+ (where ``__array__`` raises); this backend uses DLPack, and
  ``np.asarray`` for the layouts DLPack cannot describe.
* Arrays can live on array-api-strict's fake devices (``Device("device1")``,
  ...), which exist to catch code that mixes devices. Their memory is host
  memory and ``np.from_dlpack`` exports it without complaint, so this backend
  checks the device itself and refuses such arrays rather than treating them
  as CPU arrays.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from unibridge.backend_kit import (
    CPU,
    CPU_ONLY,
    CopyRequiredError,
    Device,
    DeviceUnavailableError,
    DType,
    DtypeTable,
    FrameworkBackend,
    UnsupportedInputError,
    aligned_copy,
    aligned_zeros,
    from_numpy_dtype,
    numpy_dtype,
    with_default_float,
)

__all__ = ["StrictBackend", "STANDARD_VERSIONS", "VERSION_ENV"]

_INSTALL = "pip install unibridge-strict"
VERSION_ENV = "ARRAY_API_STRICT_API_VERSION"
"""array-api-strict's own variable; when set, this backend leaves the version it names alone."""
STANDARD_VERSIONS = ("2025.12", "2024.12", "2023.12", "2022.12")
"""Released Array API standard versions, newest first: probed only when array-api-strict
does not list the versions it supports (drafts are never chosen)."""


def _describe_dtype(native: Any) -> str:
    return f"dtype {native!r}"


def _check_cpu(device: Device) -> None:
    if device != CPU:
        raise DeviceUnavailableError(
            f"device {device!r} is not available on backend 'strict'; available: cpu "
            f"(array-api-strict runs on the CPU only)"
        )


def _host_view(x: Any) -> np.ndarray[Any, Any]:
    """A zero-copy NumPy view of a CPU strict array's memory; read-only memory stays read-only."""
    try:
        return np.from_dlpack(x)
    except BufferError:  # strides that are not a multiple of the element size
        return np.asarray(x)  # __array__ (3.11) or __buffer__ (3.12+): a view as well


class StrictBackend(FrameworkBackend):
    """array-api-strict arrays on the CPU: the Array API standard and nothing more.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> a = np.arange(3.0)
        >>> x = ub.asarray(a, backend="strict")
        >>> ub.dtype_of(x), ub.device_of(x), ub.shares_memory(a, x)
        (DType('float64'), Device('cpu'), True)
    """

    name = "strict"
    array_modules = ("array_api_strict",)
    install_hint = _INSTALL
    framework = "array_api_strict"
    distributions = ("array-api-strict", "array_api_strict")

    def __init__(self) -> None:
        super().__init__()
        self._types: tuple[type, ...] | None = None
        self._cpu: Any = None
        self.api_version: str | None = None
        """The standard version the namespace was set to on first use (None before)."""

    def _on_load(self, xs: ModuleType) -> None:
        self._cpu = xs.Device()  # the default device: array-api-strict's CPU_DEVICE
        if VERSION_ENV not in os.environ:
            # Global in array-api-strict, like its other flags: the newest released
            # standard this installation supports (drafts are left out on purpose).
            supported = getattr(getattr(xs, "_flags", None), "supported_versions", None)
            for version in [max(supported)] if supported else STANDARD_VERSIONS:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # array-api-strict warns about 2021.12 and drafts
                        xs.set_array_api_strict_flags(api_version=version)
                except ValueError:
                    continue
                break
        self.api_version = str(xs.__array_api_version__)

    # -- recognising --------------------------------------------------------
    def array_types(self, module: ModuleType) -> tuple[type, ...]:
        if self._types is None:
            # array-api-strict does not export its Array class; its arrays' type is it.
            self._types = (type(module.asarray(False)),)
        return self._types

    def dtype_types(self, module: ModuleType) -> tuple[type, ...]:
        return (type(module.float64),)

    def dtype_table(self, module: ModuleType) -> DtypeTable:
        # The standard's dtypes only: no float16 and no bfloat16, so asking for them
        # raises UnsupportedInputError ("array-api-strict has no float16 dtype").
        return DtypeTable("array-api-strict", module, _describe_dtype)

    def devices(self) -> Sequence[Device]:
        return CPU_ONLY  # a GPU request is told the backend is CPU-only, not to check a GPU driver

    def device_of(self, x: Any) -> Device:
        self.module  # noqa: B018 - loads the CPU device
        if x.device != self._cpu:
            raise UnsupportedInputError(
                f"this array is on array-api-strict's device {x.device!r}, which has no unibridge "
                f"equivalent (unibridge's strict backend is CPU only); move it first with "
                f"x.to_device(array_api_strict.Device())"
            )
        return CPU

    def shape_of(self, x: Any) -> tuple[int, ...]:
        return tuple(int(d) for d in x.shape)

    # -- conversion ---------------------------------------------------------
    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Device, copy: bool | None) -> Any:
        xs = self.module
        _check_cpu(device)
        if isinstance(a, np.ma.MaskedArray):
            raise UnsupportedInputError(
                "a masked array cannot be converted without losing its mask; "
                "pass x.filled(fill_value) to fill masked entries, or x.data to drop the mask"
            )
        self.native_dtype(from_numpy_dtype(a.dtype))  # object/str/...; float16 and bfloat16
        if type(a) is not np.ndarray:
            a = a.view(np.ndarray)  # np.matrix would change what * means
        if not a.dtype.isnative:
            if copy is False:
                raise CopyRequiredError(
                    "cannot share this array with array-api-strict: non-native byte order "
                    "(it accepts native-order data only); copy=False"
                )
            a = aligned_copy(a)  # native order, fresh memory
        elif copy:
            a = aligned_copy(a)
        # Wraps without a copy for every layout, read-only memory included (it stays read-only).
        return xs.asarray(a, copy=False)

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        self.device_of(x)  # fake devices are refused, not read as host memory
        view = _host_view(x)
        return aligned_copy(view) if copy else view

    def from_native(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        xs = self.module
        _check_cpu(device)
        self.device_of(x)
        if not copy:
            return x
        return xs.asarray(aligned_copy(_host_view(x)), copy=False)

    def zeros(self, shape: tuple[int, ...], *, dtype: DType, device: Device) -> Any:
        xs = self.module
        _check_cpu(device)
        self.native_dtype(dtype)  # UnsupportedInputError for float16 and bfloat16
        # 64-byte aligned, so handing it to TensorFlow or JAX later is zero-copy.
        return xs.asarray(aligned_zeros(shape, numpy_dtype(dtype)), copy=False)

    def memory_span(self, x: Any) -> tuple[Device, int, int] | None:
        view = self.to_numpy(x, copy=False)
        if view.size == 0:
            return None
        from numpy.lib.array_utils import byte_bounds

        lo, hi = byte_bounds(view)
        return CPU, lo, hi

    def namespace(self) -> ModuleType:
        return self.module

    def default_float_namespace(self, default_float: DType) -> ModuleType:
        """``namespace()`` creating in ``default_float``: the module itself for float64, array-api-strict's own."""
        return with_default_float(self.namespace(), default_float, native=DType("float64"))

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        """``fun`` itself: array-api-strict is a NumPy-backed reference with no compiler, so ``unibridge.jit`` declares no compilation here."""
        return fun
