"""The TensorFlow backend (CPU and GPU), zero-copy through DLPack where it is safe.

Facts it relies on (measured on tensorflow-cpu 2.21, see ``docs/framework-facts.md``
and ``tests/test_tensorflow_traps.py``):

* ``tf.convert_to_tensor(ndarray)`` always copies, slowly (~0.4 GB/s).
  ``tf.experimental.dlpack.from_dlpack(a.__dlpack__())`` imports without a copy.
* Computing on an imported buffer that is not 64-byte aligned **aborts the
  process** (``Check failed: IsAligned()``) — even ``tf.raw_ops.DeepCopy``
  does. So a misaligned buffer never reaches TensorFlow: it is copied into a
  fresh 64-byte-aligned NumPy buffer first, at NumPy's copy speed, and that
  buffer is imported.
* DLPack import rejects non-compact strides, and NumPy cannot export read-only
  memory through DLPack; both are copied the same way.
* ``np.asarray(tensor)`` is a zero-copy, **read-only** view; ``.numpy()`` copies.
* ``tf.device("/GPU:0")`` silently runs on the CPU when there is no GPU (soft
  placement). unibridge resolves devices itself first and raises
  :class:`DeviceUnavailableError` instead.
* ``tf.identity`` aliases its input; ``tf.raw_ops.DeepCopy`` gives fresh memory.
* ``tf.Variable``: converting reads a *snapshot* of the current value. TF copies
  the buffer on the next assignment when a reader still holds it, so the result
  never changes under the user afterwards.

Aliasing an immutable ``tf.Tensor`` onto writable NumPy memory is what
zero-copy means here: if you keep writing to the NumPy array, the tensor sees
the writes. Pass ``copy=True`` when you will mutate the source.

On a GPU, TensorFlow keeps int32 tensors in host memory; ``device_of`` still
reports the device the tensor was placed on, as TensorFlow does.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.util import find_spec
from types import ModuleType
from typing import Any

import numpy as np

from ..._memory import ALIGNMENT, address, aligned_copy
from ...devices import CPU, Device, parse_device
from ...dtypes import DType, from_numpy_dtype, numpy_dtype
from ...errors import CopyRequiredError, UnsupportedInputError
from ...protocol import NumpyFastPath, NumpyViewFastPath
from .._framework import DtypeMethods, DtypeTable, import_framework, importlib_version
from .._layout import share_blocker
from ._shape_sequence import register_tensorshape_as_sequence

__all__ = ["TensorFlowBackend"]

_INSTALL = "pip install 'unibridge[tensorflow]'  (or pip install tensorflow-cpu)"
_UNSUPPORTED_TF = {
    "string": "a string tensor",
    "resource": "a resource handle",
    "variant": "a variant tensor",
}


class TensorFlowBackend(DtypeMethods):
    """TensorFlow tensors on the CPU or GPUs.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> t = ub.asarray(np.arange(3.0), backend="tensorflow")
        >>> ub.dtype_of(t), ub.device_of(t)
        (DType('float64'), Device('cpu'))
    """

    name = "tensorflow"
    array_modules = ("tensorflow", "keras")
    install_hint = _INSTALL

    def __init__(self) -> None:
        self._tf: ModuleType | None = None
        self._import: Any = None  # tf.experimental.dlpack.from_dlpack
        self._dtypes: DtypeTable | None = None
        self._devices: tuple[Device, ...] | None = None
        self._array_types: tuple[type, ...] = ()
        self._eager_type: Any = None
        self._device_names: dict[str, Device] = {}  # TF device string -> Device

    # -- loading ------------------------------------------------------------
    def _load(self) -> ModuleType:
        tf = import_framework("tensorflow", self.name, _INSTALL)
        register_tensorshape_as_sequence(tf)  # the one documented global effect
        self._dtypes = DtypeTable(
            "TensorFlow", tf,
            lambda native: _UNSUPPORTED_TF.get(getattr(native, "name", ""), f"dtype {native!r}"),
        )
        self._import = tf.experimental.dlpack.from_dlpack
        self._eager_type = type(tf.constant(0))
        self._array_types = (tf.Tensor, tf.Variable, tf.RaggedTensor, tf.SparseTensor)
        self._tf = tf
        return tf

    def available(self) -> tuple[bool, str]:
        if "tensorflow" in sys.modules or find_spec("tensorflow") is not None:
            return True, ""
        return False, f"TensorFlow is not installed; {_INSTALL}"

    def version(self) -> str | None:
        return importlib_version("tensorflow", "tensorflow-cpu", "tf-nightly")

    # -- recognising --------------------------------------------------------
    def is_array(self, x: Any) -> bool:
        if "tensorflow" not in sys.modules:
            return False
        if self._tf is None:
            self._load()
        return isinstance(x, self._array_types)

    def is_dtype(self, x: Any) -> bool:
        tf = sys.modules.get("tensorflow")
        return tf is not None and isinstance(x, tf.dtypes.DType)

    def devices(self) -> Sequence[Device]:
        if self._devices is None:
            tf = self._tf or self._load()
            gpus = tf.config.list_logical_devices("GPU")
            self._devices = (CPU, *(Device("gpu", i) for i in range(len(gpus))))
        return self._devices

    def device_of(self, x: Any) -> Device:
        name = getattr(x, "device", "") or ""
        found = self._device_names.get(name)
        if found is None:
            parsed = parse_device(name) if name else CPU
            found = parsed if isinstance(parsed, Device) else CPU
            self._device_names[name] = found
        return found

    def shape_of(self, x: Any) -> tuple[int, ...]:
        dims = x.shape.as_list() if hasattr(x.shape, "as_list") else list(x.shape)
        if any(d is None for d in dims):
            raise UnsupportedInputError(
                f"TensorFlow value with unknown shape {x.shape} (a symbolic tensor inside "
                f"tf.function?) has no concrete shape"
            )
        return tuple(int(d) for d in dims)

    @staticmethod
    def tf_device_name(device: Device) -> str:
        """TensorFlow's device string for a unibridge device: ``"/CPU:0"``, ``"/GPU:1"``."""
        return "/CPU:0" if device == CPU else f"/GPU:{device.index}"

    _tf_device_name = tf_device_name

    # -- conversion ---------------------------------------------------------
    def _import_aligned(self, a: np.ndarray[Any, Any]) -> Any:
        """Import a C-contiguous, 64-byte-aligned, writable NumPy buffer (zero-copy)."""
        if a.dtype.char == "E" and from_numpy_dtype(a.dtype) == "bfloat16":
            # NumPy cannot export ml_dtypes' bfloat16 through DLPack; the bits
            # travel as int16 and TF reinterprets them in place.
            return self._tf.bitcast(self._import(a.view(np.int16).__dlpack__()), self._tf.bfloat16)  # type: ignore[union-attr]
        return self._import(a.__dlpack__())

    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Device, copy: bool | None) -> Any:
        tf = self._tf or self._load()
        dtype = from_numpy_dtype(a.dtype)  # UnsupportedInputError for object/str/datetime
        if a.size == 0:
            # Nothing to share, and an empty import would carry an arbitrary pointer.
            with tf.device(self._tf_device_name(device)):
                return tf.zeros(a.shape, dtype=self._native_dtype(dtype))
        reason = share_blocker(a, writable=True, aligned64=True, c_contiguous=True)
        if device != CPU:
            if copy is False:
                raise CopyRequiredError(f"moving a host array to {device} needs a copy, but copy=False")
            host = self._import_aligned(a if reason is None else aligned_copy(a))
            with tf.device(self._tf_device_name(device)):
                return tf.identity(host)  # cross-device identity copies host -> device
        if copy:
            return self._import_aligned(aligned_copy(a))
        if reason is None:
            return self._import_aligned(a)
        if copy is False:
            raise CopyRequiredError(f"cannot share this array with TensorFlow: {reason}; copy=False")
        return self._import_aligned(aligned_copy(a))

    def from_dlpack(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        """Import another framework's device array through DLPack, without the host.

        TensorFlow takes only capsules and names no stream, so the core first
        asks the producing backend to finish its queued work (``synchronize``).
        """
        tf = self._tf or self._load()
        t = self._import(x.__dlpack__())
        if self.device_of(t) != device:
            if copy is False:
                raise CopyRequiredError(f"the array is on {self.device_of(t)}, not {device}; copy=False")
            with tf.device(self._tf_device_name(device)):
                return tf.identity(t)
        return tf.raw_ops.DeepCopy(x=t) if copy else t

    def numpy_fast_path(self, device: Device) -> NumpyFastPath | None:
        """DLPack import of compact writable buffers; small misaligned ones are realigned inline."""
        if device != CPU:
            return None
        if self._tf is None:
            self._load()
        dlpack_import = self._import
        chars = frozenset("?bhilqBHILQefdFD")

        def convert(a: np.ndarray[Any, Any]) -> Any:
            flags = a.flags
            dt = a.dtype
            if not (flags.c_contiguous and flags.writeable and dt.char in chars and dt.isnative and a.size):
                return None
            if address(a) % ALIGNMENT:
                a = aligned_copy(a)  # never hand TF a misaligned buffer (IsAligned abort)
            return dlpack_import(a.__dlpack__())

        return NumpyFastPath(convert)

    def numpy_view_fast_path(self) -> NumpyViewFastPath:
        """``np.asarray`` of an eager CPU tensor: a zero-copy, read-only view."""
        if self._tf is None:
            self._load()
        eager = self._eager_type
        numeric = frozenset("?bhilqBHILQefdFD")
        devices = self._device_names

        def view(x: Any) -> np.ndarray[Any, Any] | None:
            if type(x) is not eager or devices.get(x.device) != CPU:
                return None  # Variables, GPU tensors, unseen devices: the full path
            try:
                a = np.asarray(x)
            except ValueError:  # 0-d bfloat16 and friends
                return None
            # string/resource tensors come out as object arrays: refuse, never pass them on
            return a if a.dtype.char in numeric else None

        return view

    def _as_tensor(self, x: Any) -> Any:
        tf = self._tf or self._load()
        if type(x) is self._eager_type and x.dtype in self._table().from_native:
            return x  # the common case, decided with one type and one dict check
        if isinstance(x, tf.Variable):
            x = x.value()  # a snapshot: TF copies on the next write while we hold it
        elif isinstance(x, tf.RaggedTensor):
            raise UnsupportedInputError(
                "a tf.RaggedTensor has rows of different lengths and no array form; "
                "call .to_tensor(default_value=...) to pad it first"
            )
        elif isinstance(x, tf.SparseTensor):
            raise UnsupportedInputError(
                "a tf.SparseTensor has no dense memory; call tf.sparse.to_dense(x) first "
                "(unibridge does not densify implicitly: it can need far more memory)"
            )
        self.dtype_of(x)  # string/resource/variant -> UnsupportedInputError, before any export
        return x

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        x = self._as_tensor(x)
        if self.device_of(x) != CPU:
            if copy is False:
                raise CopyRequiredError(
                    f"the tensor is on {self.device_of(x)}; reading it on the host needs a copy, but copy=False"
                )
            return np.asarray(x)  # a fresh host copy
        try:
            if x.dtype == self._tf.bfloat16:  # type: ignore[union-attr]
                # TF's __array__ fails on 0-d bfloat16; the int16 bits view is exact everywhere.
                bits = np.asarray(self._tf.bitcast(x, self._tf.int16))  # type: ignore[union-attr]
                view = bits.view(numpy_dtype(self.dtype_of(x)))
            else:
                view = np.asarray(x)  # zero-copy and read-only (the tensor is immutable)
        except Exception as exc:  # symbolic tensors inside tf.function
            raise UnsupportedInputError(
                f"cannot read this TensorFlow value as an array ({type(exc).__name__}: {exc})"
            ) from None
        return aligned_copy(view) if copy else view

    def from_native(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        tf = self._tf or self._load()
        x = self._as_tensor(x)
        here = self.device_of(x)
        if here == device:
            if copy:
                return tf.raw_ops.DeepCopy(x=x)  # tf.identity would alias
            return x
        if copy is False:
            raise CopyRequiredError(f"moving a tensor from {here} to {device} needs a copy, but copy=False")
        with tf.device(self._tf_device_name(device)):
            return tf.identity(x)

    def zeros(self, shape: tuple[int, ...], *, dtype: DType, device: Device) -> Any:
        tf = self._tf or self._load()
        with tf.device(self._tf_device_name(device)):
            return tf.zeros(shape, dtype=self._native_dtype(dtype))

    def memory_span(self, x: Any) -> tuple[Device, int, int] | None:
        from ..._dlpack import dlpack_span

        x = self._as_tensor(x)
        span = dlpack_span(x)
        return None if span is None else (self.device_of(x), span[0], span[1])

    def namespace(self) -> ModuleType:
        """unibridge's conforming Array API 2025.12 namespace for plain ``tf.Tensor`` objects.

        (``tf.experimental.numpy`` is not one: it fails about 40% of the standard.)
        """
        if self._tf is None:
            self._load()
        from . import array_api

        return array_api
