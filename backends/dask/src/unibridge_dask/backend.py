"""The Dask backend: lazy, chunked ``dask.array.Array`` on the CPU.

Memory semantics, as dask really behaves (verified by the conformance kit's
mutation checks):

* ``da.from_array`` **copies** a NumPy input (since dask 2024.12,
  https://github.com/dask/dask/issues/11524), synchronously. So a dask array never shares memory with a
  NumPy array: ``shares_memory`` is always False, ``copy=None`` copies, and
  ``copy=False`` raises :class:`~unibridge.CopyRequiredError`. (Older dask
  kept a reference instead; this backend then copies itself, so the behaviour
  is the same on every version.)
* A dask array owns no memory until it is computed; ``to_numpy`` computes, and
  dask returns fresh memory (a single-chunk result is copied out of the graph).
  ``to_numpy(copy=False)`` therefore raises ``CopyRequiredError``.
* Computing uses dask's active scheduler: with a ``dask.distributed.Client``
  created, the work runs on the cluster.
* Nothing here computes a graph: a dtype change is a blockwise task
  (:meth:`DaskBackend.astype_checked`) that applies unibridge's casting policy to
  each chunk when the user computes, so a lossy value raises
  :class:`~unibridge.LossyCastError` then, naming the chunk it is in. Only
  ``to_numpy`` (and a conversion to another backend, which needs the values)
  computes, once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from unibridge.backend_kit import (
    CPU,
    LossyCastError,
    CPU_ONLY,
    CopyRequiredError,
    Device,
    DeviceUnavailableError,
    DType,
    FrameworkBackend,
    UnsupportedInputError,
    from_numpy_dtype,
    checked_cast,
    numpy_dtype,
    with_default_float,
)

from . import chunks_setting

__all__ = ["DaskBackend"]

_INSTALL = "pip install unibridge-dask (and 'distributed' for clusters)"
_NEVER_SHARES = (
    "dask.array.from_array copies its input, so a dask array never shares memory with a NumPy array"
)
_LAZY = (
    "a dask array is a lazy task graph: its values exist only once computed, "
    "which makes new memory"
)


def _chunks_for(shape: tuple[int, ...]) -> Any:
    """The chunk setting for an array of ``shape``.

    An empty array (a zero extent) gets one chunk: dask's automatic chunking divides
    by the extents (``ZeroDivisionError`` for ``(0, 10**6)``), and there is nothing to split.
    """
    chunks = chunks_setting()
    if isinstance(chunks, str) and 0 in shape:
        return -1
    return chunks


def _cast_block(block: np.ndarray[Any, Any], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """One chunk converted exactly as ``ndarray.astype`` would, without NumPy's warnings.

    The engine has already decided the cast is allowed (and checked values where
    needed); complex -> real takes the real part, which is what astype keeps.
    """
    if block.dtype.kind == "c" and dtype.kind not in "cb":
        block = block.real
    with np.errstate(over="ignore", invalid="ignore"):
        return block.astype(dtype)


def _checked_cast_block(
    block: np.ndarray[Any, Any], dtype: str, casting: str, block_info: dict[Any, Any] | None = None
) -> np.ndarray[Any, Any]:
    """One chunk cast under unibridge's casting policy; runs where the chunk is computed.

    The same :func:`unibridge.casting.cast` as an eager conversion, so a lazy cast
    gives the same values, or the same refusal, as ``asarray`` of the computed
    array would. A refusal names the chunk (its index in the grid of chunks and
    the elements it holds), because by then the conversion's call site is long gone.
    """
    if isinstance(block, np.ma.MaskedArray):
        raise UnsupportedInputError(
            "this dask array's chunks are masked arrays: casting would lose the mask; "
            "use x.map_blocks(np.ma.filled, fill_value) or da.ma.getdata(x) first"
        )
    try:
        return checked_cast(block, dtype, casting)
    except LossyCastError as exc:
        raise LossyCastError(f"in {_chunk_named(block_info)} of a lazy cast to {dtype}: {exc}") from None


def _chunk_named(block_info: dict[Any, Any] | None) -> str:
    """``chunk (2, 0), elements [4:6, 0:3]``: where a chunk sits in its dask array."""
    info = (block_info or {}).get(0)
    if not info:
        return "a chunk"
    where = ", ".join(f"{start}:{stop}" for start, stop in info["array-location"])
    return f"chunk {tuple(info['chunk-location'])}, elements [{where}]"


def _check_cpu(device: Device) -> None:
    if device != CPU:
        raise DeviceUnavailableError(
            f"device '{device}' is not available on backend 'dask'; available: cpu. "
            f"Backend 'dask' runs on the CPU only (its chunks are NumPy arrays)"
        )


class DaskBackend(FrameworkBackend):
    """Chunked dask arrays, computed by the active dask scheduler (local or distributed).

    Example:
        >>> import numpy as np, unibridge as ub
        >>> x = ub.asarray(np.arange(4.0), backend="dask")
        >>> type(x).__name__, ub.dtype_of(x), ub.to_numpy(x).tolist()
        ('Array', DType('float64'), [0.0, 1.0, 2.0, 3.0])
    """

    name = "dask"
    array_modules = ("dask",)
    install_hint = _INSTALL
    framework = "dask.array"

    def __init__(self) -> None:
        super().__init__()
        self._from_array_copies = True

    def _on_load(self, da: ModuleType) -> None:
        # Does this dask copy in from_array? (It does since 2024.12.) One tiny probe.
        probe = np.zeros(1)
        lazy = da.from_array(probe, chunks=-1, name=False)
        probe[0] = 1.0
        self._from_array_copies = bool(lazy.compute(scheduler="sync")[0] == 0.0)

    def array_types(self, module: ModuleType) -> tuple[type, ...]:
        return (module.Array,)

    def devices(self) -> Sequence[Device]:
        return CPU_ONLY

    def device_of(self, x: Any) -> Device:
        return CPU

    def shape_of(self, x: Any) -> tuple[int, ...]:
        shape = x.shape
        if any(d != d for d in shape):  # NaN: unknown chunk sizes
            raise UnsupportedInputError(
                f"this dask array has unknown dimensions {shape}; call x.compute_chunk_sizes() first"
            )
        return tuple(int(d) for d in shape)

    # -- conversion ---------------------------------------------------------
    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Device, copy: bool | None) -> Any:
        da = self.module
        _check_cpu(device)
        if isinstance(a, np.ma.MaskedArray):
            raise UnsupportedInputError(
                "a masked array cannot be converted without losing its mask; pass x.filled(value) or x.data"
            )
        from_numpy_dtype(a.dtype)  # UnsupportedInputError for object/str/datetime/structured
        if copy is False:
            raise CopyRequiredError(f"{_NEVER_SHARES}; copy=False cannot be honoured")
        if type(a) is not np.ndarray:
            a = a.view(np.ndarray)
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))  # dask computes on native data only
        elif not self._from_array_copies:
            a = a.copy()  # old dask kept a reference: snapshot it ourselves
        return da.from_array(a, chunks=_chunks_for(a.shape), name=False)

    def astype(self, x: Any, dtype: DType) -> Any:
        """``x`` converted to ``dtype``, lazily: a new dask array, nothing is computed.

        Values convert as NumPy's ``astype`` converts them (the optional native cast
        of the backend kit; casting rules and value checks are the caller's).
        """
        self.dtype_of(x)  # UnsupportedInputError for a source dtype unibridge does not know
        target = np.dtype(numpy_dtype(dtype))
        if x.dtype == target:
            return x.copy()  # a new Array object, like every cast
        return x.map_blocks(_cast_block, target, dtype=target, token="unibridge-cast")

    def astype_checked(self, x: Any, dtype: DType, casting: str) -> Any:
        """``x`` cast to ``dtype`` under ``casting``, lazily: the value check is part of the graph.

        Nothing is computed here. The engine has already refused what the casting
        mode forbids for the dtypes alone; the values (an int that would wrap, a
        finite float that would become infinite) are checked chunk by chunk, where
        and when the array is computed, and a bad one raises ``LossyCastError``
        naming its chunk. Chunks are kept.

        Example:
            >>> import numpy as np, unibridge as ub, dask.array as da
            >>> x = da.from_array(np.array([1, 2, 300, 4]), chunks=2)
            >>> y = ub.get_backend("dask").astype_checked(x, ub.as_dtype("int8"), "same_kind")
            >>> try:
            ...     y.compute()
            ... except ub.LossyCastError as exc:
            ...     print(str(exc)[:55])
            in chunk (1,), elements [2:4] of a lazy cast to int8: t
        """
        self.dtype_of(x)  # UnsupportedInputError for a source dtype unibridge does not know
        target = np.dtype(numpy_dtype(dtype))
        return x.map_blocks(
            _checked_cast_block, str(dtype), casting, dtype=target,
            meta=np.empty((0,) * x.ndim, dtype=target), token=f"unibridge-cast-{casting}",
        )

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        """``x``'s values: this **computes** the graph, once, on the active scheduler (the one
        place unibridge computes a dask array; a lazy cast's ``LossyCastError`` surfaces here)."""
        self.module  # noqa: B018 - dask.array must be importable
        self.dtype_of(x)  # a string/object/datetime dask array: refused before computing anything
        if copy is False:
            raise CopyRequiredError(f"{_LAZY}; copy=False cannot be honoured")
        out = x.compute()
        if isinstance(out, np.ma.MaskedArray):
            raise UnsupportedInputError(
                "this dask array's chunks are masked arrays: converting would lose the mask; "
                "use x.map_blocks(np.ma.filled, fill_value) or da.ma.getdata(x) first"
            )
        if not isinstance(out, np.ndarray):
            try:
                out = np.asarray(out)
            except Exception as exc:  # noqa: BLE001 - e.g. GPU (cupy) chunks
                raise UnsupportedInputError(
                    f"this dask array's chunks are {type(out).__name__}, not NumPy arrays ({exc})"
                ) from None
        if copy and not (out.flags.owndata and out.flags.writeable):
            out = out.copy()
        return out

    def from_native(self, x: Any, *, device: Device, copy: bool | None) -> Any:
        _check_cpu(device)
        self.dtype_of(x)  # string/object/datetime dask arrays are refused here too, as by numpy
        # A new Array object: item assignment on one never changes the other.
        return x.copy() if copy else x

    def zeros(self, shape: tuple[int, ...], *, dtype: DType, device: Device) -> Any:
        da = self.module
        _check_cpu(device)
        return da.zeros(shape, dtype=numpy_dtype(dtype), chunks=_chunks_for(shape))

    def memory_span(self, x: Any) -> tuple[Device, int, int] | None:
        return None  # lazy: no memory until computed

    def namespace(self) -> ModuleType:
        self.module  # noqa: B018 - dask.array must be importable
        import array_api_compat.dask.array

        return array_api_compat.dask.array

    def default_float_namespace(self, default_float: DType) -> ModuleType:
        """``namespace()`` creating in ``default_float``: the module itself for float64, Dask's own."""
        return with_default_float(self.namespace(), default_float, native=DType("float64"))

    def jit(self, fun: Callable[..., Any]) -> Callable[..., Any]:
        """``fun`` itself: Dask builds a lazy task graph already and has no compiler, so ``unibridge.jit`` declares no compilation here."""
        return fun
