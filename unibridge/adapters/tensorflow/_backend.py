"""The TensorFlow backend (CPU and GPU), zero-copy through DLPack where it is safe.

Facts it relies on (measured on tensorflow-cpu 2.21, see ``docs/framework-facts.md``,
"NumPy to TensorFlow" and "TensorFlow DLPack import: alignment", and
``tests/test_tensorflow_traps.py``):

* ``tf.convert_to_tensor(ndarray)`` always copies, at 3-4x the time of a memcpy.
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

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from ...backend_kit import (
    Autodiff,
    ALIGNMENT,
    CPU,
    CopyRequiredError,
    Device,
    DType,
    DtypeTable,
    FrameworkBackend,
    NumpyFastPath,
    NumpyViewFastPath,
    PLAIN_NUMBER_CHARS,
    UnsupportedInputError,
    address,
    aligned_copy,
    check_nbytes,
    dlpack_span,
    from_numpy_dtype,
    has_subnormals,
    numpy_dtype,
    share_blocker,
)
from ...devices import parse_device
from ._shape_sequence import register_tensorshape_as_sequence

__all__ = ["TensorFlowBackend"]

_INSTALL = "pip install 'unibridge[tensorflow]'  (or pip install tensorflow-cpu)"
# How TensorFlow's dtypes without an array equivalent are named in errors (after "TensorFlow").
_UNSUPPORTED_TF = {
    "string": "string tensor",
    "resource": (
        "resource handle (a reference to a variable or other resource, not values: "
        "pass the tf.Variable itself, or its .value())"
    ),
    "variant": "variant tensor (an opaque object such as an encoded tf.data dataset or tensor list)",
}


class TensorFlowBackend(FrameworkBackend):
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
    framework = "tensorflow"
    distributions = ("tensorflow", "tensorflow-cpu", "tf-nightly")

    def __init__(self) -> None:
        super().__init__()
        self._import: Any = None  # tf.experimental.dlpack.from_dlpack
        self._devices: tuple[Device, ...] | None = None
        self._eager_type: Any = None
        self._device_names: dict[str, Device] = {}  # TF device string -> Device
        self._autodiff: Autodiff | None = None

    def _on_load(self, tf: ModuleType) -> None:
        register_tensorshape_as_sequence(tf)  # the one documented global effect
        self._import = tf.experimental.dlpack.from_dlpack
        # init_scope: the first load may happen while a tf.function is being traced, where
        # tf.constant makes a *symbolic* tensor; the type must be the eager one.
        with tf.init_scope():
            self._eager_type = type(tf.constant(0))

    def dtype_table(self, module: ModuleType) -> DtypeTable:
        return DtypeTable(
            "TensorFlow", module,
            lambda native: _UNSUPPORTED_TF.get(getattr(native, "name", ""), f"dtype {native!r}"),
        )

    def array_types(self, module: ModuleType) -> tuple[type, ...]:
        return (module.Tensor, module.Variable, module.RaggedTensor, module.SparseTensor, module.IndexedSlices)

    def dtype_types(self, module: ModuleType) -> tuple[type, ...]:
        return (module.dtypes.DType,)

    def devices(self) -> Sequence[Device]:
        if self._devices is None:
            tf = self.module
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
            if isinstance(x, self.module.RaggedTensor):
                raise UnsupportedInputError(
                    f"a tf.RaggedTensor of shape {x.shape} has rows of different lengths and no "
                    f"rectangular shape; call .to_tensor(default_value=...) to pad it first"
                )
            raise UnsupportedInputError(
                f"TensorFlow value with unknown shape {x.shape} (a symbolic tensor inside "
                f"tf.function?) has no concrete shape"
            )
        return tuple(int(d) for d in dims)

    @staticmethod
    def tf_device_name(device: Device) -> str:
        """TensorFlow's device string for a unibridge device: ``"/CPU:0"``, ``"/GPU:1"``."""
        return "/CPU:0" if device == CPU else f"/GPU:{device.index}"

    # -- conversion ---------------------------------------------------------
    def _import_aligned(self, a: np.ndarray[Any, Any]) -> Any:
        """Import a C-contiguous, 64-byte-aligned, writable NumPy buffer (zero-copy)."""
        if a.dtype.char == "E" and from_numpy_dtype(a.dtype) == "bfloat16":
            # NumPy cannot export ml_dtypes' bfloat16 through DLPack; the bits
            # travel as int16 and TF reinterprets them in place.
            return self.module.bitcast(self._import(a.view(np.int16).__dlpack__()), self.module.bfloat16)
        return self._import(a.__dlpack__())

    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Device, copy: bool | None) -> Any:
        tf = self.module
        dtype = from_numpy_dtype(a.dtype)  # UnsupportedInputError for object/str/datetime
        if a.size == 0:
            # Nothing to share, and an empty import would carry an arbitrary pointer.
            with tf.device(self.tf_device_name(device)):
                return tf.zeros(a.shape, dtype=self.native_dtype(dtype))
        reason = share_blocker(a, writable=True, aligned64=True, c_contiguous=True)
        if device != CPU:
            if copy is False:
                raise CopyRequiredError(f"moving a host array to {device} needs a copy, but copy=False")
            host = self._import_aligned(a if reason is None else aligned_copy(a))
            with tf.device(self.tf_device_name(device)):
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
        tf = self.module
        t = self._import(x.__dlpack__())
        if self.device_of(t) != device:
            if copy is False:
                raise CopyRequiredError(f"the array is on {self.device_of(t)}, not {device}; copy=False")
            with tf.device(self.tf_device_name(device)):
                return tf.identity(t)
        return tf.raw_ops.DeepCopy(x=t) if copy else t

    def numpy_fast_path(self, device: Device) -> NumpyFastPath | None:
        """DLPack import of compact writable buffers; small misaligned ones are realigned inline."""
        if device != CPU:
            return None
        self.module  # noqa: B018 - loads the DLPack importer
        dlpack_import = self._import

        def convert(a: np.ndarray[Any, Any]) -> Any:
            flags = a.flags
            dt = a.dtype
            if not (flags.c_contiguous and flags.writeable and dt.char in PLAIN_NUMBER_CHARS and dt.isnative and a.size):
                return None
            if address(a) % ALIGNMENT:
                a = aligned_copy(a)  # never hand TF a misaligned buffer (IsAligned abort)
            return dlpack_import(a.__dlpack__())

        return NumpyFastPath(convert)

    def numpy_view_fast_path(self) -> NumpyViewFastPath:
        """``np.asarray`` of an eager CPU tensor: a zero-copy, read-only view."""
        self.module  # noqa: B018 - loads the eager tensor type
        eager = self._eager_type
        devices = self._device_names
        # TF's own dtypes with an array equivalent that np.asarray reads directly. Checked
        # *before* np.asarray: resource and variant tensors make it raise TF's own error,
        # and quantized ones (qint8, ...) come out as plain int8/uint8/... arrays.
        plain = frozenset(d for dt, d in self._dtypes.to_native.items() if dt != "bfloat16")  # type: ignore[union-attr]
        # InvalidArgumentError: an empty tensor whose extents NumPy cannot describe ((0, 2**62)).
        declined = (ValueError, self.module.errors.InvalidArgumentError)

        def view(x: Any) -> np.ndarray[Any, Any] | None:
            if type(x) is not eager or x.dtype not in plain or devices.get(x.device) != CPU:
                return None  # Variables, GPU tensors, unseen devices, other dtypes: the full path
            try:
                a = np.asarray(x)
            except declined:  # 0-d bfloat16 and friends
                return None
            # string/resource tensors come out as object arrays: refuse, never pass them on
            return a if a.dtype.char in PLAIN_NUMBER_CHARS else None

        return NumpyViewFastPath(view)

    def _as_tensor(self, x: Any) -> Any:
        tf = self.module
        if type(x) is self._eager_type and x.dtype in self._dtypes.from_native:  # type: ignore[union-attr]
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
        elif isinstance(x, tf.IndexedSlices):
            raise UnsupportedInputError(
                "a tf.IndexedSlices (a sparse gradient) has no dense memory; call "
                "tf.convert_to_tensor(x) first (unibridge does not densify implicitly)"
            )
        self.dtype_of(x)  # string/resource/variant -> UnsupportedInputError, before any export
        return x

    def _values(self, x: Any) -> Any:
        """``x`` as a tensor whose values exist now: not a symbolic one (inside tf.function)."""
        x = self._as_tensor(x)
        if not isinstance(x, self._eager_type):
            raise UnsupportedInputError(
                f"a symbolic tf.Tensor ({getattr(x, 'name', type(x).__name__)}, inside tf.function "
                f"or a Keras functional model) has no values or memory yet; convert it outside "
                f"tf.function, or compute on it with unibridge.namespace('tensorflow')"
            )
        return x

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        x = self._values(x)
        if self.device_of(x) != CPU:
            if copy is False:
                raise CopyRequiredError(
                    f"the tensor is on {self.device_of(x)}; reading it on the host needs a copy, but copy=False"
                )
            return np.asarray(x)  # a fresh host copy
        try:
            if x.dtype == self.module.bfloat16:
                # TF's __array__ fails on 0-d bfloat16; the int16 bits view is exact everywhere.
                bits = np.asarray(self.module.bitcast(x, self.module.int16))
                view = bits.view(numpy_dtype(self.dtype_of(x)))
            else:
                view = np.asarray(x)  # zero-copy and read-only (the tensor is immutable)
        except Exception as exc:  # symbolic tensors inside tf.function
            raise UnsupportedInputError(
                f"cannot read this TensorFlow value as an array ({type(exc).__name__}: {exc})"
            ) from None
        return aligned_copy(view) if copy else view

    def astype(self, x: Any, dtype: DType) -> Any:
        """``x`` cast by TensorFlow itself (``tf.cast``): differentiable under a ``GradientTape``.

        The core calls this only after the casting policy allowed the change (and checked
        the values where it must).
        """
        x = self._as_tensor(x)
        if x.dtype.is_floating or x.dtype.is_complex:
            try:
                host = self.to_numpy(x, copy=None) if self.device_of(x) == CPU else None
            except UnsupportedInputError:
                host = None  # symbolic (inside tf.function): no values to look at; TF casts
            if host is not None and has_subnormals(host, cast_to=dtype):
                # TF's CPU cast flushes subnormal inputs and results to zero (float32 1e-45 -> float64 0.0,
                # docs/framework-facts.md); NumPy's cast keeps them, so the host makes this one.
                return self.from_numpy(aligned_copy(host, numpy_dtype(dtype)), device=CPU, copy=None)
        return self.module.cast(x, self.native_dtype(dtype))

    def from_native(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        tf = self.module
        x = self._as_tensor(x)
        here = self.device_of(x)
        if here == device:
            if copy:
                return self._deep_copy(x)  # tf.identity would alias
            return x
        if copy is False:
            raise CopyRequiredError(f"moving a tensor from {here} to {device} needs a copy, but copy=False")
        with tf.device(self.tf_device_name(device)):
            return tf.identity(x)

    def _deep_copy(self, x: Any) -> Any:
        """``tf.raw_ops.DeepCopy``, with the identity's gradient (TF registers none for it, so
        ``ub.asarray(u, copy=True)`` inside a differentiated function would break the gradient)."""
        tf = self.module

        @tf.custom_gradient  # type: ignore[untyped-decorator]
        def deep_copy(t: Any) -> Any:
            return tf.raw_ops.DeepCopy(x=t), lambda upstream: upstream

        return deep_copy(x)

    def zeros(self, shape: tuple[int, ...], *, dtype: DType, device: Device) -> Any:
        tf = self.module
        check_nbytes(shape, dtype)
        with tf.device(self.tf_device_name(device)):
            return tf.zeros(shape, dtype=self.native_dtype(dtype))

    def memory_span(self, x: Any) -> tuple[Device, int, int] | None:
        x = self._values(x)
        span = dlpack_span(x)
        return None if span is None else (self.device_of(x), span[0], span[1])

    # The optional vmap capability (unibridge.protocol.SupportsVmap).
    def vmap(self, fun: Any, in_axes: tuple[Any, ...], out_axes: Any) -> Any:
        """``tf.vectorized_map`` over axis 0 of the mapped arguments (each mapped axis moved there first).

        Unmapped arguments are closed over; outputs are moved from axis 0 to
        ``out_axes``. Operations TensorFlow cannot vectorise run in its
        ``while_loop`` fallback (``fallback_to_while_loop=True``, TensorFlow's
        default, which logs a warning saying so).
        """
        tf = self.module
        from ..._batching import mapped_leaves, place_outputs
        from ...tree import unflatten

        moveaxis = tf.experimental.numpy.moveaxis

        def mapped(*args: Any) -> Any:
            leaves, axes, structure = mapped_leaves(args, in_axes)
            batched = [i for i, axis in enumerate(axes) if axis is not None]
            elems = tuple(leaves[i] if axes[i] == 0 else moveaxis(leaves[i], axes[i], 0) for i in batched)

            def one(slices: tuple[Any, ...]) -> Any:
                current = list(leaves)
                for i, piece in zip(batched, slices):
                    current[i] = piece
                return fun(*unflatten(structure, current))

            out = tf.vectorized_map(one, elems)
            return place_outputs(out, out_axes, lambda x, axis: x[0] if axis is None else moveaxis(x, 0, axis))

        return mapped

    def namespace(self) -> ModuleType:
        """unibridge's conforming Array API 2025.12 namespace for plain ``tf.Tensor`` objects.

        (``tf.experimental.numpy`` is not one: it fails about 40% of the standard.)
        """
        self.module  # noqa: B018 - the namespace imports TensorFlow; fail with our error first
        from . import array_api

        return array_api

    # -- capabilities: gradients and compilation ---------------------------------------------------
    def autodiff(self) -> Autodiff:
        """``tf.GradientTape`` for ``unibridge.grad`` (see :mod:`unibridge.adapters.tensorflow._autodiff`)."""
        if self._autodiff is None:
            from ._autodiff import TensorFlowAutodiff

            self._autodiff = TensorFlowAutodiff()
        return self._autodiff

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        """``tf.function(fun, autograph=False)``: graph execution, TensorFlow's eager kernels bit for bit.

        Traced like ``jax.jit``: Python control flow runs once, at trace time, and an ``if``
        on a tensor's value raises on both. AutoGraph would turn it into ``tf.cond`` on
        TensorFlow only (so code would pass on TF and fail on JAX), and would try to convert
        unibridge's own code. Dicts keep each call's key order and a ``defaultdict`` its
        type, in the arguments and in the result, which ``tf.function`` alone does not
        (:mod:`._jit`).
        """
        from ._jit import function_keeping_containers

        return function_keeping_containers(self.module, fun)

    def default_float_namespace(self, default_float: DType) -> ModuleType:
        """``namespace()`` itself: it reads the configured default float at every call."""
        return self.namespace()

    def namespace_device(self, device: Device) -> Any:
        """None: the namespace places arrays on the selected device itself (it reads the selection)."""
        return None
