"""The MLX backend: ``mlx.core.array`` on the CPU.

Facts it relies on, measured with mlx 0.32.4 (the CPU build, ``mlx[cpu]``) and
NumPy 2.4 (``backends/mlx/FACTS.md`` has the tables;
``tests/plugins/test_mlx_backend.py`` re-measures each one):

* ``mx.array(a)``, ``mx.asarray(a)`` and ``mx.from_dlpack(a)`` of a float64
  NumPy array **silently give float32** (complex128 gives complex64). With an
  explicit ``dtype=mx.float64`` the values are kept bit for bit. So this
  backend always names the dtype, and refuses complex128, which MLX lacks.
* Every way into MLX copies: no NumPy buffer is ever aliased (MLX allocates
  all array memory itself). ``copy=False`` therefore raises
  :class:`~unibridge.CopyRequiredError`. The copy is made before the call
  returns (a write to the source right after it does not show).
* ``np.array(x, copy=False)`` is a **writable** zero-copy view of ``x``'s
  buffer (after evaluating it); ``np.from_dlpack(x)`` a read-only one. NumPy
  cannot read MLX's bfloat16 buffer format, so bfloat16 arrays are viewed
  through ``x.view(mx.uint16)`` (same buffer) as ``ml_dtypes.bfloat16``.
* ``mx.array(x)`` of an MLX array copies; ``mx.asarray(x)``, ``x.astype`` to
  the same dtype, ``x[:]`` and reshapes share ``x``'s buffer.
* MLX's ``np.array(x, copy=False)`` holds the Python object ``x``, not its
  buffer: after an in-place update that replaces the buffer (a promoting
  ``x += y``) the view points at freed memory that MLX reuses. Views made here
  hold the buffer itself (see :meth:`MlxBackend._host_view`); MLX's in-place
  updates (``x[i] = v``, ``x += y``) then give ``x`` a new buffer, and the
  view keeps the old one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from unibridge.backend_kit import (
    CPU,
    Autodiff,
    CPU_ONLY,
    CopyRequiredError,
    Device,
    DeviceUnavailableError,
    DType,
    DtypeTable,
    FrameworkBackend,
    UnsupportedInputError,
    aligned_copy,
    check_nbytes,
    from_numpy_dtype,
    numpy_dtype,
)

__all__ = ["MlxBackend"]

_INSTALL = "pip install unibridge-mlx 'mlx[cpu]' (Linux CPU build), or pip install unibridge-mlx mlx (macOS, Metal)"
NO_FOREIGN_MEMORY = (
    "MLX cannot wrap memory it did not allocate (mx.array, mx.asarray and mx.from_dlpack always "
    "copy), so this array cannot be shared with MLX"
)


def _describe_dtype(native: Any) -> str:
    return f"dtype {native}"


def _check_cpu(device: Device) -> None:
    if device != CPU:
        raise DeviceUnavailableError(
            f"device {device!r} is not available on backend 'mlx'; available: cpu (MLX arrays live "
            f"in host memory, unified with the GPU on Apple silicon; see the unibridge-mlx README)"
        )


class MlxBackend(FrameworkBackend):
    """MLX arrays on the CPU, with float64 and every other dtype kept exactly.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> x = ub.asarray(np.arange(3.0), backend="mlx")
        >>> ub.dtype_of(x), ub.device_of(x), type(x).__module__
        (DType('float64'), Device('cpu'), 'mlx.core')
    """

    name = "mlx"
    array_modules = ("mlx",)
    install_hint = _INSTALL
    framework = "mlx.core"
    requires = ("mlx",)
    distributions = ("mlx",)
    adopts_host_memory = False
    """MLX copies every NumPy buffer it is given (the conformance kit reads this: ``copy=False``
    from NumPy raises here by design, and sharing is never claimed)."""

    def __init__(self) -> None:
        super().__init__()
        self._uint16: Any = None
        self._autodiff: Autodiff | None = None

    def _on_load(self, mx: ModuleType) -> None:
        self._uint16 = mx.uint16

    # -- recognising --------------------------------------------------------
    def array_types(self, module: ModuleType) -> tuple[type, ...]:
        return (module.array,)

    def dtype_types(self, module: ModuleType) -> tuple[type, ...]:
        return (module.Dtype,)

    def dtype_table(self, module: ModuleType) -> DtypeTable:
        table = DtypeTable("MLX", module, _describe_dtype)
        # MLX spells bool `bool_`; it has no complex128 (refused by name: "MLX has no complex128 dtype").
        table.to_native[DType("bool")] = module.bool_
        table.from_native[module.bool_] = DType("bool")
        return table

    def devices(self) -> Sequence[Device]:
        return CPU_ONLY

    def device_of(self, x: Any) -> Device:
        return CPU

    def shape_of(self, x: Any) -> tuple[int, ...]:
        return tuple(int(d) for d in x.shape)

    # -- conversion ---------------------------------------------------------
    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Device, copy: bool | None) -> Any:
        mx = self.module
        _check_cpu(device)
        if isinstance(a, np.ma.MaskedArray):
            raise UnsupportedInputError(
                "a masked array cannot be converted without losing its mask; "
                "pass x.filled(fill_value) to fill masked entries, or x.data to drop the mask"
            )
        native = self.native_dtype(from_numpy_dtype(a.dtype))  # object/str/...; complex128
        if copy is False:
            raise CopyRequiredError(f"{NO_FOREIGN_MEMORY}; copy=False")
        if not (a.dtype.isnative and a.flags.c_contiguous) or any(s < 0 for s in a.strides):
            # MLX refuses negative strides (a ValueError, also for one element, which NumPy calls
            # contiguous) and foreign byte order (std::bad_cast): hand it compact, native-order
            # memory, of the same shape (np.ascontiguousarray would make a 0-d array 1-d).
            # The copy MLX makes next is the one the caller gets.
            a = np.array(a, dtype=a.dtype.newbyteorder("="), order="C", copy=True)
        # dtype= always: without it MLX turns float64 into float32 and complex128 into complex64.
        return mx.array(a, dtype=native)

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        view = self._host_view(x)
        return aligned_copy(view) if copy else view

    def _host_view(self, x: Any) -> np.ndarray[Any, Any]:
        """A zero-copy, writable NumPy view of ``x``'s buffer (``x`` is evaluated first).

        The view is taken through an anchor, a second MLX array over the same buffer that only
        the view holds: MLX's own ``np.array(x, copy=False)`` keeps the Python object ``x``
        alive but not its buffer, so after an in-place update that replaces the buffer
        (``x += float64_array`` promoting a float32 ``x``) it points at freed memory, which
        MLX hands to the next array (measured: the view then showed another array's values).
        Anchored, the buffer lives as long as the view, and MLX cannot donate it to an
        in-place update: such an update gives ``x`` a new buffer and the view keeps the old.
        """
        mx = self.module
        dtype = self.dtype_of(x)
        try:
            if dtype == "bfloat16":  # NumPy cannot parse MLX's "bfloat16" buffer format
                raw: np.ndarray[Any, Any] = np.array(x.view(self._uint16), copy=False)  # view: an anchor
                return raw.view(numpy_dtype(dtype))
            return np.array(mx.asarray(x), copy=False)  # mx.asarray(x): the anchor (same buffer)
        except (ValueError, RuntimeError) as exc:
            raise self._no_values(x, exc) from None

    def _no_values(self, x: Any, exc: BaseException) -> UnsupportedInputError:
        return UnsupportedInputError(
            f"this MLX array ({self.dtype_of(x)}{list(x.shape)}) has no values to read here: "
            f"inside mx.compile (unibridge.jit) or mx.vmap arrays are placeholders, evaluated only "
            f"when the function runs; call unibridge outside the compiled function, or compute on it "
            f"with unibridge.namespace('mlx') (MLX said: {exc})"
        )

    def from_native(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        mx = self.module
        _check_cpu(device)
        self.dtype_of(x)
        if not copy:
            return x
        y = mx.array(x)  # measured: a new buffer (mx.asarray would share)
        mx.eval(y)
        return y

    def astype(self, x: Any, dtype: DType) -> Any:
        """``x`` cast by MLX itself (recorded by ``mx.grad``, kept lazy); the core calls it only
        for dtype changes its casting policy allowed.

        Example:
            >>> import unibridge as ub
            >>> x = ub.asarray([1.5, 2.5], backend="mlx")
            >>> ub.dtype_of(ub.get_backend("mlx").astype(x, ub.DType("float32")))
            DType('float32')
        """
        return x.astype(self.native_dtype(dtype))

    def zeros(self, shape: tuple[int, ...], *, dtype: DType, device: Device) -> Any:
        mx = self.module
        _check_cpu(device)
        native = self.native_dtype(dtype)
        check_nbytes(shape, dtype)
        x = mx.zeros(shape, dtype=native)
        mx.eval(x)  # its own buffer now, not a lazy broadcast of a scalar
        return x

    def memory_span(self, x: Any) -> tuple[Device, int, int] | None:
        if x.size == 0:
            return None
        from numpy.lib.array_utils import byte_bounds

        lo, hi = byte_bounds(self._host_view(x))
        return CPU, lo, hi

    def namespace(self) -> ModuleType:
        self.module  # noqa: B018 - MLX is imported through the backend (its install hint on failure)
        from . import array_api

        return array_api

    # -- gradients and compilation (unibridge.value_and_grad, unibridge.jit) -------------------
    def autodiff(self) -> Autodiff:
        """``mx.value_and_grad`` for ``unibridge.value_and_grad`` (one object, built on first use)."""
        if self._autodiff is None:
            from .autodiff import MlxAutodiff

            self._autodiff = MlxAutodiff()
        return self._autodiff

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        """``mx.compile(fun)``: traced once per input shapes, elementwise chains fused (fused
        float64 kernels may round the last bit differently from eager MLX)."""
        from .autodiff import compiled

        return compiled(self.module, fun)
