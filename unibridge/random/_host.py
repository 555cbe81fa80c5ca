"""Eager draws in host memory (NumPy arrays, torch CPU tensors): Threefry by cache-sized blocks, in place.

Written with the backend's array operations, a draw of a million numbers makes
two hundred fresh megabyte temporaries, one per step of each round; here the
rounds run over blocks of :data:`BLOCK` words with NumPy ufuncs that write
into the buffers they read (:func:`~._threefry.threefry2x32_counters_in_place`),
and each block is finished (xor, shift, scaled to a float) into the result
before the next one starts. The numbers are the same bits as the array
operations give (and as ``jax.random``).

torch CPU tensors take the same route: their memory is NumPy's through
``Tensor.numpy()``, and NumPy's ufuncs beat torch's operations here (torch
has no uint32 arithmetic, so its int32 words need a mask after every right
shift, and its operations cost several microseconds each). The result is a
torch tensor that torch allocated. A tensor that is not plain eager CPU data
(inside ``torch.func`` transforms, ``torch.compile``, another device) takes
the array operations.

Example:
    >>> import numpy as np
    >>> key_words(np.array([0, 42], np.uint32), "numpy")
    (0, 42)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from ._erfinv import erfinv64_in_place
from ._threefry import threefry2x32_counters_in_place

__all__ = ["BLOCK", "key_words", "words", "xor_words", "unit", "normal", "normal_low"]

BLOCK = 1 << 16  # words per block: three 256 KiB buffers stay in a core's L2 cache
_RAMP = np.arange(BLOCK, dtype=np.uint32)
_RAMP.flags.writeable = False

# finish(y0, y1, out): one block's Threefry words into the block of each output.
Finish = Callable[[np.ndarray, np.ndarray, tuple[np.ndarray, ...]], None]


def _torch_key(k: Any) -> tuple[int, int] | None:
    torch = sys.modules["torch"]
    if k.device.type != "cpu" or torch.compiler.is_compiling():
        return None
    try:
        w0, w1 = k.view(torch.int32).tolist()
    except RuntimeError:  # a functorch wrapper (vmap, grad): no storage to read
        return None
    return w0 & 0xFFFFFFFF, w1 & 0xFFFFFFFF


_KEYS: dict[str, Callable[[Any], tuple[int, int] | None]] = {
    "numpy": lambda k: (int(k[0]), int(k[1])),
    "torch": _torch_key,
}


def key_words(k: Any, backend: str) -> tuple[int, int] | None:
    """The two words of key ``k`` as Python ints, when its draws can run here; else None."""
    read = _KEYS.get(backend)
    return None if read is None else read(k)


# The result arrays: allocated by the backend, written through a NumPy view of their memory.
# Words are the backend's words (torch: int32 tensors, written as uint32).
def _numpy_empty(n: int, kind: str) -> tuple[Any, np.ndarray]:
    out = np.empty(n, dtype=np.uint32 if kind == "words" else np.dtype(kind))
    return out, out


def _torch_empty(n: int, kind: str) -> tuple[Any, np.ndarray]:
    torch = sys.modules["torch"]
    out = torch.empty(n, dtype=torch.int32 if kind == "words" else getattr(torch, kind))
    view = out.numpy()
    return out, view.view(np.uint32) if kind == "words" else view


_EMPTY: dict[str, Callable[[int, str], tuple[Any, np.ndarray]]] = {"numpy": _numpy_empty, "torch": _torch_empty}


def _draw(backend: str, k01: tuple[int, int], shape: tuple[int, ...], kinds: tuple[str, ...], finish: Finish) -> Any:
    """Outputs of ``kinds`` ("words", "float32", ...) and ``shape``, block by block from Threefry's words."""
    n = math.prod(shape)
    made = [_EMPTY[backend](n, kind) for kind in kinds]
    size = min(n, BLOCK)
    x0, x1, scratch = (np.empty(size, np.uint32) for _ in range(3))
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        y0, y1, t = x0[:m], x1[:m], scratch[:m]
        threefry2x32_counters_in_place(k01[0], k01[1], start, _RAMP[:m], y0, y1, t)
        finish(y0, y1, tuple([view[start:start + m] for _, view in made]))
    return tuple([out.reshape(shape) for out, _ in made])


def _pair(y0: np.ndarray, y1: np.ndarray, out: tuple[np.ndarray, ...]) -> None:
    out[0][...] = y0
    out[1][...] = y1


def words(backend: str, k01: tuple[int, int], shape: tuple[int, ...]) -> tuple[Any, Any]:
    """Threefry's two words for every element of ``shape``, as the backend's word arrays."""
    y0, y1 = _draw(backend, k01, shape, ("words", "words"), _pair)
    return y0, y1


def _xor(y0: np.ndarray, y1: np.ndarray, out: tuple[np.ndarray, ...]) -> None:
    np.bitwise_xor(y0, y1, out=out[0])


def xor_words(backend: str, k01: tuple[int, int], shape: tuple[int, ...]) -> Any:
    """JAX's 32 random bits per element (``bits1 ^ bits2``), as the backend's words."""
    return _draw(backend, k01, shape, ("words",), _xor)[0]


def _unit32(y0: np.ndarray, y1: np.ndarray, out: tuple[np.ndarray, ...]) -> None:
    np.bitwise_xor(y0, y1, out=y0)
    np.right_shift(y0, 9, out=y0)  # the top 23 bits: the mantissa
    np.multiply(y0, np.float32(2.0**-23), out=out[0], dtype=np.float32)  # exact: m < 2**23


def _unit64(y0: np.ndarray, y1: np.ndarray, out: tuple[np.ndarray, ...]) -> None:
    # (bits1 << 32 | bits2) >> 12 = bits1 * 2**20 + (bits2 >> 12): below 2**52, so every step is exact
    o = out[0]
    np.right_shift(y1, 12, out=y1)
    np.multiply(y0, 2.0**20, out=o, dtype=np.float64)
    np.add(o, y1, out=o, dtype=np.float64)
    np.multiply(o, 2.0**-52, out=o)


_UNITS: dict[str, Finish] = {"float32": _unit32, "float64": _unit64}


def unit(backend: str, k01: tuple[int, int], shape: tuple[int, ...], dtype: str) -> Any | None:
    """JAX's uniform ``[0, 1)`` in float32 or float64 (None for other dtypes: the caller finishes those)."""
    finish = _UNITS.get(dtype)
    return None if finish is None else _draw(backend, k01, shape, (dtype,), finish)[0]


def normal_low(dtype: Any) -> float:
    """The low end of ``normal``'s uniform draw in ``dtype``: the float just above -1, as JAX takes it.

    JAX draws ``u * (1 - low) + low`` with ``u`` uniform in ``[0, 1)``. In every float dtype ``1 - low``
    (``2 - 2**-p``, a tie) rounds to 2, and ``u * 2 + low`` is then exact: every term is a multiple of
    ``low``'s last bit and the result is below 1 in size. So it is computed in float64 on every backend,
    fused or not, with nothing to round (and ``max(low, .)`` has nothing to clip).

    Example:
        >>> normal_low("float32") == -1 + 2.0**-24
        True
    """
    dt = np.dtype(str(dtype)) if str(dtype) != "bfloat16" else None
    if dt is None:  # NumPy has no bfloat16; its 8-bit significand gives 2**-8
        return -1.0 + 2.0**-8
    return float(np.nextafter(np.asarray(-1.0, dtype=dt), np.asarray(0.0, dtype=dt)))


# normal's mantissa bits per dtype: m = (the draw's top bits), u = m * 2**-nmant, x = m * 2**-(nmant - 1) + low.
_NORMAL_MANTISSA = {"float32": 23, "float16": 10}


def normal(backend: str, k01: tuple[int, int], shape: tuple[int, ...], dtype: str) -> Any | None:
    """``normal``'s draw in float64, float32 or float16 (None for bfloat16: the caller computes it),
    evaluated block by block (:func:`~._erfinv.erfinv64_in_place`)."""
    if dtype not in ("float64", *_NORMAL_MANTISSA):
        return None
    n = min(math.prod(shape), BLOCK)
    x, w, p = (np.empty(n) for _ in range(3))
    scratch: tuple[np.ndarray, ...] = (*(np.empty(n) for _ in range(4)), np.empty(n, np.int32))
    low = normal_low(dtype)
    nmant = _NORMAL_MANTISSA.get(dtype, 52)

    def finish(y0: np.ndarray, y1: np.ndarray, out: tuple[np.ndarray, ...]) -> None:
        m = len(y0)
        xb, wb, pb = x[:m], w[:m], p[:m]
        if dtype == "float64":  # m = bits1 * 2**20 + (bits2 >> 12), below 2**52: exact
            np.right_shift(y1, 12, out=y1)
            np.multiply(y0, 2.0**-31, out=xb, dtype=np.float64)
            np.multiply(y1, 2.0**-51, out=wb, dtype=np.float64)
            np.add(xb, wb, out=xb)
        else:
            np.bitwise_xor(y0, y1, out=y0)
            if dtype == "float16":
                np.bitwise_and(y0, 0xFFFF, out=y0)  # JAX's 16 random bits
            np.right_shift(y0, (32 if dtype == "float32" else 16) - nmant, out=y0)
            np.multiply(y0, 2.0 ** -(nmant - 1), out=xb, dtype=np.float64)
        np.add(xb, low, out=xb)
        erfinv64_in_place(xb, wb, pb, tuple([buffer[:m] for buffer in scratch]))
        np.multiply(pb, math.sqrt(2.0), out=out[0], casting="same_kind")  # rounded once to the dtype

    return _draw(backend, k01, shape, (dtype,), finish)[0]
