"""The PyTorch backend (CPU and CUDA).

Facts it relies on (measured, see ``docs/framework-facts.md``, "NumPy to PyTorch"):

* ``torch.from_numpy`` shares memory, but refuses negative strides and foreign
  byte order, and accepts a read-only array with only a warning — writing
  through the tensor then modifies the read-only memory. So unibridge shares
  only writable, native-order, non-negative-stride buffers, and copies the rest.
* ``torch.from_dlpack`` *aborts the process* on negative strides; unibridge
  never hands torch a DLPack capsule of a NumPy array.
* torch cannot take ml_dtypes' bfloat16 directly; reinterpreting the bits as
  int16 on both sides is exact and zero-copy.
* ``.numpy()`` refuses tensors that require grad; ``detach()`` shares memory.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from ..backend_kit import (
    CPU,
    Autodiff,
    CopyRequiredError,
    Device,
    DType,
    FrameworkBackend,
    NumpyFastPath,
    NumpyViewFastPath,
    UnsupportedInputError,
    aligned_copy,
    check_nbytes,
    from_numpy_dtype,
    numpy_dtype,
    share_blocker,
)
from .._memory import layout

__all__ = ["TorchBackend"]

_INSTALL = "pip install 'unibridge[torch]'"
# NumPy's NPY_ARRAY_ALIGNED | NPY_ARRAY_WRITEABLE flag bits (one read of flags.num
# is cheaper than two flag attributes on the hot path).
_WRITEABLE_AND_ALIGNED = 0x0100 | 0x0400
# Below this size a host->GPU copy is latency-bound and staging gains nothing.
_PINNED_STAGING_MIN_BYTES = 1 << 20


class TorchBackend(FrameworkBackend):
    """PyTorch tensors on the CPU or CUDA GPUs.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> t = ub.asarray(np.arange(3.0), backend="torch")
        >>> type(t).__name__, ub.dtype_of(t)
        ('Tensor', DType('float64'))
    """

    name = "torch"
    array_modules = ("torch",)
    install_hint = _INSTALL
    framework = "torch"
    dtype_framework = "torch"

    # Per object, found on first use.
    _devices: tuple[Device, ...] | None = None
    _autodiff: Autodiff | None = None

    def array_types(self, module: ModuleType) -> tuple[type, ...]:
        return (module.Tensor,)

    def dtype_types(self, module: ModuleType) -> tuple[type, ...]:
        return (module.dtype,)

    def devices(self) -> Sequence[Device]:
        if self._devices is None:
            torch = self.module
            count = torch.cuda.device_count() if torch.cuda.is_available() else 0
            self._devices = (CPU, *(Device("gpu", i) for i in range(count)))
        return self._devices

    def _torch_device(self, device: Device) -> Any:
        torch = self.module
        return torch.device("cpu") if device == CPU else torch.device("cuda", device.index)

    def device_of(self, x: Any) -> Device:
        if x.is_cpu:
            return CPU
        dev = x.device
        if dev.type == "cpu":
            return CPU
        if dev.type == "cuda":
            return Device("gpu", dev.index if dev.index is not None else 0)
        raise UnsupportedInputError(
            f"torch device {dev} has no unibridge equivalent; supported: cpu, cuda"
        )

    def shape_of(self, x: Any) -> tuple[int, ...]:
        if getattr(x, "is_nested", False):
            self._check_dense(x)  # raises: a nested tensor has no rectangular shape
        return tuple(x.shape)  # a sparse tensor has one: zeros_like may use it

    # -- conversion ---------------------------------------------------------
    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Device, copy: bool | None) -> Any:
        torch = self.module
        dtype = from_numpy_dtype(a.dtype)  # UnsupportedInputError for object/str/datetime
        bfloat16 = dtype == "bfloat16"
        if bfloat16:
            # torch cannot read ml_dtypes.bfloat16: reinterpret the bits (exact, zero-copy).
            a = a.view(np.int16)
        else:
            if a.dtype.char in "qQ":
                # NumPy's ulonglong is uint64 under another type number, which
                # torch.from_numpy refuses (longlong it takes); the same bits,
                # viewed as the canonical type.
                a = a.view(numpy_dtype(dtype).newbyteorder(a.dtype.byteorder))
        reason = share_blocker(a)
        if device != CPU:
            if copy is False:
                raise CopyRequiredError(f"moving a host array to {device} needs a copy, but copy=False")
            t = self._host_to_device(torch.from_numpy(a if reason is None else aligned_copy(a)), device)
        elif copy:
            t = torch.from_numpy(aligned_copy(a))
        elif reason is None:
            t = torch.from_numpy(a)
        elif copy is False:
            raise CopyRequiredError(f"cannot share this array with torch: {reason}; copy=False")
        else:
            t = torch.from_numpy(aligned_copy(a))
        return t.view(torch.bfloat16) if bfloat16 else t

    def _host_to_device(self, host: Any, device: Device, non_blocking: bool = False) -> Any:
        """Copy a CPU tensor to a GPU; large copies go through pinned memory.

        Pageable memory cannot be DMA'd directly, so the driver stages it
        through small pinned buffers at a fraction of the bus speed. Copying
        once into a page-locked buffer (torch's caching host allocator reuses
        them) lets the transfer itself run at full bus speed. With
        ``non_blocking=True`` the transfer is queued on the current CUDA stream
        and this returns at once: work queued later on that stream sees the
        data, and the NumPy source may be modified right away, because it was
        already copied into the staging buffer.
        """
        torch = self.module
        target = self._torch_device(device)
        if host.numel() * host.element_size() < _PINNED_STAGING_MIN_BYTES:
            return host.to(target, non_blocking=False)
        staging = torch.empty(host.shape, dtype=host.dtype, pin_memory=True)
        staging.copy_(host)
        out = staging.to(target, non_blocking=True)  # the allocator keeps staging alive until done
        if not non_blocking:
            torch.cuda.current_stream(target).synchronize()
        return out

    def host_to_device(self, a: np.ndarray[Any, Any], *, device: Device, non_blocking: bool) -> Any:
        """Copy a NumPy array to a GPU (pinned staging), optionally without waiting."""
        torch = self.module
        bfloat16 = from_numpy_dtype(a.dtype) == "bfloat16"
        host = a.view(np.int16) if bfloat16 else a
        if host.dtype.char in "qQ":  # (u)longlong: same bits, torch's type number (see from_numpy)
            host = host.view(numpy_dtype(from_numpy_dtype(host.dtype)).newbyteorder(host.dtype.byteorder))
        if share_blocker(host) is not None:
            host = aligned_copy(host)  # byte order and strides are fixed by value, never by a view
        out = self._host_to_device(torch.from_numpy(host), device, non_blocking)
        return out.view(torch.bfloat16) if bfloat16 else out

    def from_dlpack(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        """Import another framework's device array through DLPack, without the host."""
        torch = self.module
        t = torch.from_dlpack(x)  # torch passes its current stream to the producer
        if self.device_of(t) != device:
            if copy is False:
                raise CopyRequiredError(f"the array is on {self.device_of(t)}, not {device}; copy=False")
            return t.to(self._torch_device(device))
        return t.clone() if copy else t

    def synchronize(self, x: Any) -> None:
        """Wait for queued work on ``x``'s device, so any DLPack consumer sees final values."""
        torch = self.module
        if x.device.type == "cuda":
            torch.cuda.current_stream(x.device).synchronize()

    def numpy_fast_path(self, device: Device) -> NumpyFastPath | None:
        """``torch.from_numpy`` itself, for writable element-aligned arrays (CPU only).

        torch.from_numpy refuses (with an exception, never a crash) negative
        strides, foreign byte order and dtypes it lacks, and those declines send
        the call down the full path; it only *warns* on read-only memory, so the
        core checks writability (and alignment) from the flag bits first.
        """
        if device != CPU:
            return None
        return NumpyFastPath(
            self.module.from_numpy,
            _WRITEABLE_AND_ALIGNED,
            (ValueError, TypeError),
            # Not complex: NumPy calls complex128 at 8 mod 16 aligned, torch segfaults on
            # it (share_blocker checks the address on the full path).
            frozenset("?bhilBHILefd"),
        )

    def _check_dense(self, x: Any) -> None:
        if getattr(x, "is_nested", False):
            raise UnsupportedInputError(
                "a nested (jagged) torch tensor has no rectangular array form; "
                "call x.to_padded_tensor(padding) first"
            )
        torch = self.module
        if x.layout is not torch.strided:
            raise UnsupportedInputError(
                f"a {x.layout} torch tensor has no dense memory; call .to_dense() first "
                f"(unibridge does not densify implicitly: it can need far more memory)"
            )

    def numpy_view_fast_path(self) -> NumpyViewFastPath:
        """``Tensor.numpy()`` itself: it shares memory, and raises (so the full path
        runs) for GPU, meta, sparse, nested, grad-requiring, conjugate- and
        negative-bit, bfloat16 and other dtypes NumPy lacks."""
        return NumpyViewFastPath(self.module.Tensor.numpy, (RuntimeError, TypeError))

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        torch = self.module
        self._check_dense(x)
        if x.is_meta:
            raise UnsupportedInputError("a tensor on the 'meta' device has no data to convert")
        if x.requires_grad:
            x = x.detach()  # shares memory; .numpy() refuses tensors that require grad
        fresh = False
        if not x.is_cpu:  # (x.device.type costs ~0.45 µs; is_cpu ~0.04 µs)
            if copy is False:
                raise CopyRequiredError(
                    f"the tensor is on {self.device_of(x)}; reading it on the host needs a copy, but copy=False"
                )
            x = x.cpu()
            fresh = True
        if x.is_conj() or x.is_neg():
            if copy is False:
                raise CopyRequiredError("the tensor has a lazy conjugate/negative bit; materialising it needs a copy")
            x = x.resolve_conj().resolve_neg()
            fresh = True
        dtype = self.dtype_of(x)
        try:
            if dtype == "bfloat16":
                a = x.view(torch.int16).numpy().view(numpy_dtype(dtype))
            else:
                a = x.numpy()
        except RuntimeError as exc:  # no storage of its own: torch.func transforms, FakeTensor, subclasses
            raise UnsupportedInputError(
                f"this torch tensor ({type(x).__name__}) has no memory of its own to read "
                f"({exc}): a tensor inside torch.func.vmap/grad or torch.compile tracing, a "
                f"FakeTensor, or a tensor subclass; convert a plain tensor outside the transform"
            ) from None
        return aligned_copy(a) if (copy and not fresh) else a

    def astype(self, x: Any, dtype: DType) -> Any:
        """``x`` cast by torch itself: a tensor that requires grad stays in the autograd graph.

        The core calls this only after the casting policy allowed the change (and checked
        the values where it must), so torch's own complex-to-real warning is noise here.
        """
        self._check_dense(x)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Casting complex values to real")
            return x.to(self.native_dtype(dtype))

    def from_native(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        self._check_dense(x)  # sparse/nested tensors raise here too, as they do from any other framework
        self.dtype_of(x)  # float8/complex32/quantized: refused as everywhere else, not passed through
        if self.device_of(x) == device:
            return x.clone() if copy else x
        if copy is False:
            raise CopyRequiredError(
                f"moving a tensor from {self.device_of(x)} to {device} needs a copy, but copy=False"
            )
        return x.to(self._torch_device(device))

    def zeros(self, shape: tuple[int, ...], *, dtype: DType, device: Device) -> Any:
        torch = self.module
        check_nbytes(shape, dtype)
        return torch.zeros(shape, dtype=self.native_dtype(dtype), device=self._torch_device(device))

    def memory_span(self, x: Any) -> tuple[Device, int, int] | None:
        self._check_dense(x)
        if x.numel() == 0:
            return None
        try:
            start = x.data_ptr()
        except RuntimeError as exc:  # torch.func wrappers and FakeTensors have no storage
            raise UnsupportedInputError(
                f"this torch tensor ({type(x).__name__}) has no memory of its own ({exc}); "
                f"convert a plain tensor outside the transform"
            ) from None
        extent = sum((n - 1) * s for n, s in zip(x.shape, x.stride())) + 1
        return self.device_of(x), start, start + extent * x.element_size()

    def memory_layout(self, x: Any) -> np.ndarray[Any, Any] | None:
        """The bytes ``x`` occupies, as :func:`unibridge._memory.layout` (never read), so that
        ``shares_memory`` is exact for what has no NumPy view: lazy conjugate and negative
        views (``t.conj()``: the same bytes, meaning other values) and GPU tensors."""
        span = self.memory_span(x)  # dense, has storage; None when empty
        if span is None:
            return None
        size = x.element_size()
        return layout(span[1], tuple(x.shape), tuple(s * size for s in x.stride()), size)

    # The optional vmap capability (unibridge.protocol.SupportsVmap).
    def vmap(self, fun: Any, in_axes: tuple[Any, ...], out_axes: Any) -> Any:
        """``torch.func.vmap``: JAX's ``in_axes``/``out_axes`` are its ``in_dims``/``out_dims``."""
        func = self.module.func
        return func.vmap(fun, in_dims=in_axes, out_dims=out_axes)

    def namespace(self) -> ModuleType:
        self.module  # noqa: B018 - array_api_compat.torch imports torch; fail with our error first
        import array_api_compat.torch

        return array_api_compat.torch

    # -- capabilities: gradients and compilation ---------------------------------------------------
    def autodiff(self) -> Autodiff:
        """``torch.autograd`` for ``unibridge.grad`` (see :mod:`unibridge.adapters._torch_autodiff`)."""
        if self._autodiff is None:
            from ._torch_autodiff import TorchAutodiff

            self._autodiff = TorchAutodiff()
        return self._autodiff

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        """``fun`` itself: torch declares no compilation for ``unibridge.jit``.

        ``torch.compile`` fuses and reorders floating-point operations (results differ
        from eager in the last bits) and compiles for seconds per input shape; call it
        yourself where that pays.
        """
        return fun

    def namespace_device(self, device: Device) -> Any:
        """The ``torch.device`` the namespace's ``device=`` takes."""
        return self._torch_device(device)
