"""The JAX backend: ``jax.Array`` on the CPU and GPUs.

Facts it relies on (measured; see unibridge's ``docs/framework-facts.md``, "NumPy to JAX"):

* With x64 off, JAX *silently* turns float64 into float32, int64 into int32,
  uint64 into uint32 (values wrap) and complex128 into complex64. This backend
  never lets that happen: it enables x64 on first use (``enable`` mode, the
  default) or raises :class:`~unibridge.LossyCastError` (``strict`` mode), and
  it re-checks the flag and the result dtype on every conversion, because x64
  can be switched off later (``jax.config.update``, ``jax.enable_x64(False)``).
* ``jax.device_put`` aliases a host buffer only when it is 64-byte aligned and
  compact; otherwise it copies **asynchronously**, so a mutation of the source
  right after the call can leak into the "copy". ``jnp.asarray`` always copies,
  also asynchronously. So: the zero-copy path is ``device_put`` of an aligned,
  C-contiguous buffer, verified by comparing buffer pointers; every copy is
  made by unibridge itself (synchronously, into a private aligned buffer) or
  waited for with ``block_until_ready`` before returning.
* ``np.asarray(jax_array)`` is a read-only view of the array's host buffer.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from unibridge.backend_kit import (
    CPU,
    Autodiff,
    CopyRequiredError,
    Device,
    DType,
    FrameworkBackend,
    LossyCastError,
    UnsupportedInputError,
    aligned_copy,
    check_nbytes,
    from_numpy_dtype,
    has_subnormals,
    import_framework,
    numpy_dtype,
    share_blocker,
    with_default_float,
)
from unibridge.errors import ConfigurationError

from . import X64_ENV

__all__ = ["JaxBackend"]

_INSTALL = "pip install unibridge-jax (CPU) or pip install 'jax[cuda12]' unibridge-jax (NVIDIA GPU)"
_X64_MODES = ("enable", "strict")
# Dtypes JAX narrows when x64 is off.
_WIDE = frozenset({"float64", "int64", "uint64", "complex128"})
_log = logging.getLogger("unibridge_jax")


def _x64_mode() -> str:
    raw = os.environ.get(X64_ENV, "").strip().lower() or "enable"
    if raw not in _X64_MODES:
        raise ConfigurationError(
            f"{X64_ENV}={raw!r} is not a JAX x64 mode; allowed: {', '.join(_X64_MODES)} "
            f"(enable: turn on jax_enable_x64 process-wide; strict: never touch it and "
            f"raise LossyCastError for 64-bit dtypes while it is off)"
        )
    return raw


class JaxBackend(FrameworkBackend):
    """JAX arrays on the CPU and GPUs, with 64-bit dtypes kept exactly.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> x = ub.asarray(np.arange(3.0), backend="jax")
        >>> ub.dtype_of(x), ub.device_of(x)
        (DType('float64'), Device('cpu'))
    """

    name = "jax"
    array_modules = ("jax", "jaxlib")
    install_hint = _INSTALL
    framework = "jax"
    requires = ("jax", "jaxlib")

    def __init__(self) -> None:
        super().__init__()
        self._cpu: Any = None
        self._gpus: tuple[Any, ...] = ()
        self._devices: tuple[Device, ...] | None = None
        self._mode: str | None = None
        self._autodiff: Autodiff | None = None

    def _on_load(self, jax: ModuleType) -> None:
        mode = _x64_mode()
        import_framework("jax.numpy", self.name, _INSTALL)  # the namespace; also loads the array type
        if mode == "enable" and not jax.config.jax_enable_x64:
            # Process-wide by JAX's design; documented in the README.
            jax.config.update("jax_enable_x64", True)
            _log.info("unibridge-jax enabled jax_enable_x64 so that 64-bit dtypes are kept exactly")
        self._cpu = jax.devices("cpu")[0]
        try:
            self._gpus = tuple(jax.devices("gpu"))
        except RuntimeError:  # "Unknown backend: 'gpu' requested ..." when there is none
            self._gpus = ()
        self._mode = mode

    # -- recognising --------------------------------------------------------
    def is_array(self, x: Any) -> bool:
        # Tracers (abstract values inside jit/grad/vmap) are claimed too: they have a dtype
        # and a shape, and every method that needs values says what they are (see _no_values).
        jax = sys.modules.get("jax")
        return jax is not None and isinstance(x, jax.Array)

    def is_dtype(self, x: Any) -> bool:
        # jnp.float64 & co. are scalar *types* carrying a NumPy ``.dtype``.
        return (
            isinstance(x, type)
            and type(x).__module__.startswith("jax.")
            and isinstance(getattr(x, "dtype", None), np.dtype)
        )

    def devices(self) -> Sequence[Device]:
        if self._devices is None:
            self.module  # noqa: B018 - loads the devices
            self._devices = (CPU, *(Device("gpu", i) for i in range(len(self._gpus))))
        return self._devices

    def canonical_dtype(self, native: Any) -> DType:
        return from_numpy_dtype(np.dtype(getattr(native, "dtype", native)))

    def dtype_of(self, x: Any) -> DType:
        return from_numpy_dtype(x.dtype)

    def _no_values(self, x: Any, exc: BaseException) -> UnsupportedInputError:
        """The error for a jax value whose data cannot be reached (a tracer, a deleted array)."""
        jax = self.module
        if isinstance(x, jax.core.Tracer):
            return UnsupportedInputError(
                f"a JAX tracer ({type(x).__name__} of {x.dtype}{list(x.shape)}: an abstract value inside "
                f"jax.jit, grad or vmap) has no values, memory or device until the function runs; "
                f"call unibridge outside the transformed function, or compute on it with jax.numpy "
                f"(unibridge.namespace('jax'))"
            )
        deleted = getattr(x, "is_deleted", None)
        if deleted is not None and deleted():
            return UnsupportedInputError(
                f"this jax array ({x.dtype}{list(x.shape)}) has been deleted (x.delete(), or donated to a "
                f"jitted function through donate_argnums); it has no values any more: keep a reference "
                f"to a live array, or do not donate it"
            )
        return UnsupportedInputError(f"cannot reach this jax array's data ({type(exc).__name__}: {exc})")

    def device_of(self, x: Any) -> Device:
        try:
            placed = x.devices()
        except Exception as exc:  # noqa: BLE001 - tracers and deleted arrays: said plainly below
            raise self._no_values(x, exc) from None
        if len(placed) != 1:
            raise UnsupportedInputError(
                f"this jax array is sharded over {len(placed)} devices; unibridge handles "
                f"single-device arrays (gather it first, e.g. jax.device_put(x, device))"
            )
        dev = next(iter(placed))
        if dev.platform == "cpu":
            return CPU
        self.module  # noqa: B018 - loads the devices
        for index, gpu in enumerate(self._gpus):
            if gpu == dev:
                return Device("gpu", index)
        raise UnsupportedInputError(f"jax device {dev} ({dev.platform}) has no unibridge equivalent; supported: cpu, gpu")

    def shape_of(self, x: Any) -> tuple[int, ...]:
        return tuple(int(d) for d in x.shape)

    # -- dtype guard --------------------------------------------------------
    def _check_dtype(self, dtype: DType) -> None:
        jax = self.module
        if dtype in _WIDE and not jax.config.jax_enable_x64:
            raise LossyCastError(
                f"JAX's x64 mode is off, so it would silently turn {dtype} into a 32-bit dtype. "
                f"Enable it (jax.config.update('jax_enable_x64', True), or unset {X64_ENV}=strict "
                f"to let unibridge-jax do it), or cast explicitly, e.g. dtype='float32'"
            )

    def _checked(self, x: Any, dtype: DType) -> Any:
        got = from_numpy_dtype(x.dtype)
        if got != dtype:  # last line of defence: never hand out a narrowed array
            raise LossyCastError(f"JAX produced {got} for {dtype} data; refusing a silent narrowing")
        return x

    def _jax_device(self, device: Device) -> Any:
        self.module  # noqa: B018 - loads the devices
        if device == CPU:
            return self._cpu
        return self._gpus[device.index]

    # -- conversion ---------------------------------------------------------
    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Device, copy: bool | None) -> Any:
        jax = self.module
        dtype = from_numpy_dtype(a.dtype)  # UnsupportedInputError for object/str/datetime
        self._check_dtype(dtype)
        target = self._jax_device(device)
        if device != CPU:
            if copy is False:
                raise CopyRequiredError(f"moving a host array to {device} needs a copy, but copy=False")
            src = a if share_blocker(a, writable=False, c_contiguous=True) is None else aligned_copy(a)
            x = jax.device_put(src, target)
            if isinstance(x, jax.core.Tracer):  # inside jit/grad/vmap: a staged constant
                return self._checked(jax.device_put(aligned_copy(a), target), dtype)
            x.block_until_ready()  # the host->device copy must not read `a` after we return
            return self._checked(x, dtype)
        reason = share_blocker(a, writable=False, aligned64=True, c_contiguous=True)
        if copy or reason is not None:
            if copy is False:
                raise CopyRequiredError(f"cannot share this array with jax: {reason}; copy=False")
            # A private, synchronous, aligned copy: device_put then aliases it, so no
            # asynchronous read of the caller's memory can still be in flight.
            return self._checked(jax.device_put(aligned_copy(a), target), dtype)
        x = jax.device_put(a, target)
        if isinstance(x, jax.core.Tracer):
            # Inside jit/grad/vmap tracing, device_put is staged: the array becomes a constant
            # of the trace (copied when it is compiled), never an alias; it is made from a
            # private copy, so a later write to `a` cannot reach it.
            if copy is False:
                raise CopyRequiredError(
                    "inside a JAX transformation (jit, grad, vmap) a NumPy array becomes a traced "
                    "constant, which is a copy; copy=False cannot be honoured"
                )
            return self._checked(jax.device_put(aligned_copy(a), target), dtype)
        if a.size and x.unsafe_buffer_pointer() != a.ctypes.data:
            # JAX chose to copy after all: wait, so the copy cannot see later writes.
            if copy is False:
                raise CopyRequiredError("jax.device_put copied this array instead of aliasing it; copy=False")
            x.block_until_ready()
        return self._checked(x, dtype)

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        jax = self.module
        here = self.device_of(x)  # first: tracers and deleted arrays raise our error
        self.dtype_of(x)  # float8, int4, ...: UnsupportedInputError, never a float8 ndarray
        if here != CPU:
            if copy is False:
                raise CopyRequiredError(
                    f"the array is on {self.device_of(x)}; reading it on the host needs a copy, but copy=False"
                )
            return np.asarray(jax.device_get(x))  # fresh host memory
        view = np.asarray(x)  # waits for pending computation; read-only
        if copy:
            return aligned_copy(view)
        if copy is False and view.size and view.ctypes.data != x.unsafe_buffer_pointer():
            raise CopyRequiredError("jax materialised a host copy of this array (non-default layout); copy=False")
        return view

    def astype(self, x: Any, dtype: DType) -> Any:
        """``x`` cast by JAX itself (traceable, differentiable); 64-bit dtypes kept exactly.

        The core calls this only after the casting policy allowed the change (and checked
        the values where it must).
        """
        self._check_dtype(dtype)
        jax = self.module
        if not isinstance(x, jax.core.Tracer) and x.dtype.kind in "fcV" and self.device_of(x) == CPU:
            host = self.to_numpy(x, copy=None)
            if has_subnormals(host, cast_to=dtype):
                # XLA's CPU convert flushes subnormal inputs and results to zero (float32 1e-45 -> float64 0.0,
                # see unibridge's docs/framework-facts.md); NumPy's cast keeps them.
                return self.from_numpy(aligned_copy(host, numpy_dtype(dtype)), device=CPU, copy=None)
        return self._checked(x.astype(numpy_dtype(dtype)), dtype)

    def from_native(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        jax = self.module
        if isinstance(x, jax.core.Tracer):
            # Inside jit or grad (ub.asarray(u, copy=True) in a differentiated function): a traced
            # value has no memory to share and no device to compare, so it is placed by JAX's own
            # traceable operations, which keep the gradient; a copy of an immutable value is itself.
            self.dtype_of(x)
            return jax.device_put(x, self._jax_device(device))
        here = self.device_of(x)
        self.dtype_of(x)  # refused as on every other path, not passed through
        if here == device:
            if not copy:
                return x
            y = jax.numpy.array(x, copy=True)
        else:
            if copy is False:
                raise CopyRequiredError(
                    f"moving a jax array from {self.device_of(x)} to {device} needs a copy, but copy=False"
                )
            y = jax.device_put(x, self._jax_device(device))
        # x may alias a NumPy buffer its owner can still write: finish reading it now.
        y.block_until_ready()
        return y

    def from_dlpack(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        """Import another framework's device array through DLPack, without the host.

        The core first asks the producing backend to finish its queued work
        (``synchronize``). Without a copy the JAX array aliases the producer's
        memory, as a zero-copy import does on the CPU: JAX treats it as immutable,
        so pass ``copy=True`` if the producer will keep writing to it.
        """
        jax = self.module
        y = jax.dlpack.from_dlpack(x)
        here = self.device_of(y)
        if here != device:
            if copy is False:
                raise CopyRequiredError(f"the array is on {here}, not {device}; copy=False")
            return jax.device_put(y, self._jax_device(device))
        return jax.numpy.array(y, copy=True) if copy else y

    def zeros(self, shape: tuple[int, ...], *, dtype: DType, device: Device) -> Any:
        jax = self.module
        self._check_dtype(dtype)
        check_nbytes(shape, dtype)  # past 2**63 bytes XLA aborts the process
        x = jax.numpy.zeros(shape, dtype=numpy_dtype(dtype), device=self._jax_device(device))
        return self._checked(x, dtype)

    def memory_span(self, x: Any) -> tuple[Device, int, int] | None:
        device = self.device_of(x)  # first: tracers and deleted arrays raise our error
        if x.size == 0:
            return None
        start = x.unsafe_buffer_pointer()
        return device, start, start + x.size * x.dtype.itemsize

    # The optional vmap capability (unibridge.protocol.SupportsVmap).
    def vmap(self, fun: Any, in_axes: tuple[Any, ...], out_axes: Any) -> Any:
        """``jax.vmap``, whose convention :func:`unibridge.vmap` follows."""
        return self.module.vmap(fun, in_axes=in_axes, out_axes=out_axes)

    def namespace(self) -> ModuleType:
        jax = self.module
        return jax.numpy  # type: ignore[no-any-return]

    # -- capabilities: gradients and compilation ---------------------------------------------------
    def autodiff(self) -> Autodiff:
        """``jax.value_and_grad`` for ``unibridge.grad`` (see :mod:`unibridge_jax.autodiff`)."""
        if self._autodiff is None:
            from .autodiff import JaxAutodiff

            self._autodiff = JaxAutodiff()
        return self._autodiff

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        """``jax.jit(fun)``: XLA compilation; fusion may round the last bit differently from eager.

        Dicts keep their key order, in the arguments ``fun`` sees and in the results
        (``jax.jit`` alone sorts them; see :mod:`unibridge_jax.jit`).
        """
        self.module  # noqa: B018 - loads JAX with unibridge's settings (x64) before tracing
        from .jit import jit_keeping_key_order

        return jit_keeping_key_order(fun)

    def default_float_namespace(self, default_float: DType) -> ModuleType:
        """``jax.numpy`` creating in ``default_float``; a 64-bit default raises
        :class:`~unibridge.LossyCastError` at creation while x64 is off (``strict`` mode), as
        ``unibridge.zeros`` does, instead of JAX's warning and a float32 array."""
        if self.module.config.jax_enable_x64:
            # x64 on: jax.numpy itself creates float64, so it is returned as it is (the object
            # array_namespace gives for JAX arrays); the check is only needed while x64 is off.
            return with_default_float(self.namespace(), default_float, native=DType("float64"))
        return with_default_float(self.namespace(), default_float, check=self._check_dtype)

    def namespace_device(self, device: Device) -> Any:
        """The ``jax.Device`` the namespace's ``device=`` takes; None when JAX has no other
        place to put an array (its one CPU device and no accelerator), since creation with an
        explicit ``device=`` costs JAX about three times as much."""
        jax = self.module
        if device == CPU and jax.default_backend() == "cpu" and len(jax.devices()) == 1:
            return None
        return self._jax_device(device)
