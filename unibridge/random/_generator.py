"""Seeded random numbers that are the same on every backend.

``unibridge.random.default_rng(seed)`` draws with NumPy's ``default_rng(seed)``
(PCG64) on the host and hands the result to the backend in one conversion
(zero-copy where the backend can share: the draw is written into a 64-byte
aligned buffer, which TensorFlow and JAX import without copying). So an
initialisation or a shuffle written against ``unibridge.random`` gives
bit-identical numbers on NumPy, PyTorch, TensorFlow, JAX and Dask, on CPU or
GPU; no framework's own generator (or global seed) is used or touched.

The numbers are NumPy's: in float64, ``normal`` and ``uniform`` give exactly
``numpy.random.default_rng(seed).normal(loc, scale, size)`` and
``.uniform(low, high, size)``; float32 uses NumPy's float32 draws
(``standard_normal(dtype=float32)``, ``random(dtype=float32)``); float16 and
bfloat16 round the float32 draw.

Example:
    >>> import unibridge as ub
    >>> x = ub.random.default_rng(0).normal(size=2)
    >>> ub.dtype_of(x), x.tolist() == [0.1257302210933933, -0.1321048632913019]
    (DType('float64'), True)
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .._memory import aligned_empty
from ..api import asarray
from ..config import current
from ..dtypes import DType
from ..errors import ConfigurationError
from ..registry import resolve_dtype

__all__ = ["Generator", "default_rng"]

_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)


def _shape(size: Any) -> tuple[int, ...]:
    if size is None:
        return ()
    try:
        if hasattr(size, "__iter__"):
            dims = tuple(operator.index(d) for d in size)
        else:
            dims = (operator.index(size),)
    except TypeError:
        raise ConfigurationError(f"size must be None, an int or a tuple of ints, got {size!r}") from None
    if any(d < 0 for d in dims):
        raise ConfigurationError(f"size must not have negative dimensions, got {dims}")
    return dims


def _scalar(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"{name} must be a Python number, got {type(value).__name__}; "
            f"draw with the defaults and scale with xp for array-valued parameters"
        ) from None


class Generator:
    """A seeded generator whose draws are arrays of the active backend (or ``backend=``).

    Made by :func:`default_rng`. The same seed gives the same numbers on
    every backend and device.

    Example:
        >>> import unibridge as ub
        >>> rng = ub.random.default_rng(42, backend="numpy")
        >>> rng.integers(0, 10, size=5).tolist(), rng.permutation(4).tolist()
        ([0, 7, 6, 4, 4], [3, 0, 1, 2])
    """

    def __init__(self, seed: Any = None, *, backend: str | None = None, device: Any = None) -> None:
        self._numpy = np.random.default_rng(seed)
        self.backend = backend
        self.device = device

    def __repr__(self) -> str:
        where = f"backend={self.backend!r}" if self.backend else "the active backend"
        return f"unibridge.random.Generator({where}, device={self.device!r})"

    # -- helpers --------------------------------------------------------------
    def _float_dtype(self, dtype: Any) -> DType:
        dt = current().default_float if dtype is None else resolve_dtype(dtype)
        if dt.kind != "real floating":
            raise ConfigurationError(f"dtype={dtype!r}: this draw gives real floating numbers; use a float dtype")
        return dt

    def _deliver(self, host: np.ndarray[Any, Any]) -> Any:
        return asarray(host, backend=self.backend, device=self.device)

    def _draw_float(self, fill: Any, shape: tuple[int, ...], dt: DType) -> np.ndarray[Any, Any]:
        """``fill(out=..., dtype=...)`` into an aligned buffer: float64, else float32 then rounded."""
        wide = _FLOAT64 if dt == "float64" else _FLOAT32
        out = aligned_empty(shape, wide)
        fill(out=out, dtype=wide)
        if dt not in ("float64", "float32"):
            rounded = aligned_empty(shape, dt.numpy)
            rounded[...] = out
            return rounded
        return out

    # -- draws ----------------------------------------------------------------
    def normal(self, loc: float = 0.0, scale: float = 1.0, size: Any = None, *, dtype: Any = None) -> Any:
        """Normal (Gaussian) samples with mean ``loc`` and standard deviation ``scale``.

        ``size=None`` gives a 0-d array. Without ``dtype``: the configured default float.

        Example:
            >>> import unibridge as ub
            >>> x = ub.random.default_rng(0, backend="numpy").normal(1.0, 2.0, size=(2, 3), dtype="float32")
            >>> x.shape, ub.dtype_of(x)
            ((2, 3), DType('float32'))
        """
        loc_, scale_ = _scalar("loc", loc), _scalar("scale", scale)
        dt = self._float_dtype(dtype)
        out = self._draw_float(self._numpy.standard_normal, _shape(size), dt)
        if scale_ != 1.0:  # in place, as NumPy's own normal(): loc + scale * z
            out *= scale_
        if loc_ != 0.0:
            out += loc_
        return self._deliver(out)

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Any = None, *, dtype: Any = None) -> Any:
        """Uniform samples in ``[low, high)``.

        Example:
            >>> import unibridge as ub
            >>> u = ub.random.default_rng(0, backend="numpy").uniform(-1.0, 1.0, size=4)
            >>> bool(((u >= -1) & (u < 1)).all()), ub.dtype_of(u)
            (True, DType('float64'))
        """
        low_, high_ = _scalar("low", low), _scalar("high", high)
        dt = self._float_dtype(dtype)
        out = self._draw_float(self._numpy.random, _shape(size), dt)
        if (low_, high_) != (0.0, 1.0):  # NumPy's uniform(): low + (high - low) * u
            out *= high_ - low_
            out += low_
        return self._deliver(out)

    def integers(self, low: int, high: int | None = None, size: Any = None, *, dtype: Any = "int64") -> Any:
        """Integers in ``[low, high)`` (``[0, low)`` when ``high`` is None).

        Example:
            >>> import unibridge as ub
            >>> ub.random.default_rng(1, backend="numpy").integers(10, size=3).tolist()
            [4, 5, 7]
        """
        dt = resolve_dtype(dtype)
        if dt.kind not in ("signed integer", "unsigned integer"):
            raise ConfigurationError(f"dtype={dtype!r}: integers() draws integer dtypes, e.g. 'int64'")
        host = self._numpy.integers(low, high, size=_shape(size), dtype=dt.numpy)
        return self._deliver(np.asarray(host))

    def permutation(self, n: int) -> Any:
        """A random ordering of ``0 .. n-1`` as an int64 array (e.g. to shuffle with ``xp.take``).

        Example:
            >>> import unibridge as ub
            >>> sorted(ub.random.default_rng(3, backend="numpy").permutation(5).tolist())
            [0, 1, 2, 3, 4]
        """
        try:
            count = operator.index(n)
        except TypeError:
            raise ConfigurationError(f"permutation(n) takes an int, got {type(n).__name__}") from None
        if count < 0:
            raise ConfigurationError(f"permutation(n) needs n >= 0, got {count}")
        out = aligned_empty((count,), np.dtype(np.int64))
        out[...] = np.arange(count)
        self._numpy.shuffle(out)  # exactly what numpy's permutation(n) does, into an aligned buffer
        return self._deliver(out)


def default_rng(seed: Any = None, *, backend: str | None = None, device: Any = None) -> Generator:
    """A :class:`Generator` seeded with ``seed``: the same numbers on every backend.

    Draws are arrays of the active backend at the time of the draw, or of
    ``backend=``, on ``device=`` (default: the configured device).
    ``seed=None`` takes fresh entropy from the OS.

    Example:
        >>> import unibridge as ub
        >>> a = ub.random.default_rng(7, backend="numpy").uniform(size=3)
        >>> b = ub.random.default_rng(7, backend="numpy").uniform(size=3)
        >>> a.tolist() == b.tolist()
        True
    """
    return Generator(seed, backend=backend, device=device)
