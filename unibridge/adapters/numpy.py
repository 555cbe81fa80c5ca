"""The NumPy backend: CPU only, always available, and the conversion hub.

Arrays unibridge allocates here (``zeros``, ``asarray(..., copy=True)``) are
64-byte aligned, so handing them to TensorFlow or JAX later is zero-copy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from ..backend_kit import (
    CPU,
    CPU_ONLY,
    Device,
    DeviceUnavailableError,
    DType,
    NumpyFastPath,
    NumpyViewFastPath,
    PLAIN_NUMBER_CHARS,
    UnsupportedInputError,
    aligned_copy,
    check_nbytes,
    aligned_zeros,
    from_numpy_dtype,
    numpy_dtype,
    with_default_float,
)

__all__ = ["NumpyBackend"]



def _check_cpu(device: Device) -> None:
    if device != CPU:
        raise DeviceUnavailableError(
            f"device '{device}' is not available on backend 'numpy'; available: cpu. "
            f"Backend 'numpy' runs on the CPU only: use a backend with GPU support for GPU arrays"
        )


def _plain(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Validate a NumPy array and strip harmless subclasses (np.matrix)."""
    if isinstance(a, np.ma.MaskedArray):
        raise UnsupportedInputError(
            "a masked array cannot be converted without losing its mask; "
            "pass x.filled(fill_value) to fill masked entries, or x.data to drop the mask"
        )
    from_numpy_dtype(a.dtype)  # raises UnsupportedInputError for object/str/datetime/structured
    return a if type(a) is np.ndarray else a.view(np.ndarray)


def _numeric_or_none(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    return a if a.dtype.char in PLAIN_NUMBER_CHARS else None


def _plain_numeric_or_none(x: Any) -> np.ndarray[Any, Any] | None:
    # Subclasses (masked arrays, np.matrix) take the full path, which refuses or strips them.
    return x if type(x) is np.ndarray and x.dtype.char in PLAIN_NUMBER_CHARS else None


class NumpyBackend:
    """NumPy on the CPU; the default backend.

    Example:
        >>> import unibridge as ub
        >>> ub.get_backend("numpy").devices()
        (Device('cpu'),)
    """

    name = "numpy"
    array_modules = ("numpy",)
    install_hint = "pip install numpy"

    def available(self) -> tuple[bool, str]:
        return True, ""

    def version(self) -> str | None:
        return str(np.__version__)

    def is_array(self, x: Any) -> bool:
        return isinstance(x, np.ndarray)

    def is_dtype(self, x: Any) -> bool:
        return isinstance(x, np.dtype)

    def devices(self) -> Sequence[Device]:
        return CPU_ONLY

    def canonical_dtype(self, native: Any) -> DType:
        return from_numpy_dtype(np.dtype(native))

    def dtype_of(self, x: Any) -> DType:
        return from_numpy_dtype(x.dtype)

    def device_of(self, x: Any) -> Device:
        return CPU

    def shape_of(self, x: Any) -> tuple[int, ...]:
        return tuple(x.shape)

    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Device, copy: bool | None) -> Any:
        if device != CPU:
            _check_cpu(device)
        a = _plain(a)
        return aligned_copy(a) if copy else a

    def numpy_fast_path(self, device: Device) -> NumpyFastPath | None:
        """Plain arrays of a numeric dtype are returned as they are."""
        if device != CPU:
            return None
        return NumpyFastPath(_numeric_or_none)

    def numpy_view_fast_path(self) -> NumpyViewFastPath:
        """A plain array of a numeric dtype is its own view."""
        return NumpyViewFastPath(_plain_numeric_or_none)

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        x = _plain(x)
        return aligned_copy(x) if copy else x

    def from_native(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        return self.from_numpy(x, device=device, copy=copy)

    def zeros(self, shape: tuple[int, ...], *, dtype: DType, device: Device) -> Any:
        _check_cpu(device)
        check_nbytes(shape, dtype)
        return aligned_zeros(shape, numpy_dtype(dtype))

    def memory_span(self, x: Any) -> tuple[Device, int, int] | None:
        if x.size == 0:
            return None
        from numpy.lib.array_utils import byte_bounds

        lo, hi = byte_bounds(x)
        return CPU, lo, hi

    def namespace(self) -> ModuleType:
        import array_api_compat.numpy

        return array_api_compat.numpy

    def default_float_namespace(self, default_float: DType) -> ModuleType:
        """``namespace()`` creating in ``default_float``: the module itself for float64, NumPy's own."""
        return with_default_float(self.namespace(), default_float, native=DType("float64"))

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        """``fun`` itself: NumPy has no compiler, so ``unibridge.jit`` declares no compilation here."""
        return fun

    def namespace_device(self, device: Device) -> Any:
        """None: the namespace makes every array on NumPy's one device, the CPU."""
        _check_cpu(device)
        return None
