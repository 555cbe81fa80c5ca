"""Seeded random numbers that are the same on every backend.

``unibridge.random.default_rng(seed)`` draws with NumPy's ``default_rng(seed)``
(PCG64) on the host and hands the result to the backend in one conversion
(zero-copy where the backend can share: the draw is written into a 64-byte
aligned buffer, which TensorFlow and JAX import without copying). So an
initialisation or a shuffle written against ``unibridge.random`` gives
bit-identical numbers on NumPy, PyTorch, TensorFlow, JAX and Dask, on CPU or
GPU; no framework's own generator (or global seed) is used or touched.

The numbers are NumPy's float64 draws: ``normal`` and ``uniform`` give exactly
``numpy.random.default_rng(seed).normal(loc, scale, size)`` and
``.uniform(low, high, size)``. float32, float16 and bfloat16 draws are those
float64 numbers rounded to nearest (``uniform`` clamps the rare value that
rounds onto ``high`` to the largest value below it), so one seed gives the same
experiment at every precision. Parameters NumPy refuses (``scale < 0``,
``high < low``, a non-finite ``high - low``) raise :class:`ConfigurationError`.

This generator is for the host: initialisation and shuffles. A draw while
``unibridge.jit`` traces a function (``tf.function``, ``jax.jit``) raises: it
would freeze into the compiled function as a constant. Use the key-based
functions (``unibridge.random.key``, ``uniform``, ...) there.

Example:
    >>> import unibridge as ub
    >>> x = ub.random.default_rng(0).normal(size=2)
    >>> ub.dtype_of(x), x.tolist() == [0.1257302210933933, -0.1321048632913019]
    (DType('float64'), True)
"""

from __future__ import annotations

import math
import operator
import sys
from typing import Any

import numpy as np

from .._memory import aligned_empty
from ..api import asarray
from ..config import current
from ..dtypes import DType
from ..errors import ConfigurationError
from ..registry import resolve_dtype
from ._tracing import compiling_framework

__all__ = ["Generator", "default_rng"]

_FLOAT64 = np.dtype(np.float64)


def _shape(size: Any, itemsize: int = 8) -> tuple[int, ...]:
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
    if math.prod(dims) * itemsize > sys.maxsize:
        raise ConfigurationError(f"size={dims} is more memory than this machine can address; draw less")
    return dims


def _seed(seed: Any) -> Any:
    """``seed`` if NumPy's ``default_rng`` takes it: None, a non-negative int or a sequence of them."""
    if seed is None:
        return None
    try:
        values = [operator.index(s) for s in seed] if hasattr(seed, "__iter__") else [operator.index(seed)]
    except TypeError:
        raise ConfigurationError(
            f"seed must be None, a non-negative int or a sequence of them, got {type(seed).__name__}"
        ) from None
    if any(v < 0 for v in values):
        raise ConfigurationError(f"seed must be non-negative, got {seed!r}")
    return seed


def _refuse_while_compiling(draw: str) -> None:
    framework = compiling_framework()
    if framework is not None:
        raise ConfigurationError(
            f"default_rng().{draw}() was called while {framework} traces a function for unibridge.jit: the "
            f"numbers would be frozen into the compiled function, the same on every call. Inside jit, pass a key "
            f"and draw with the key-based API: unibridge.random.uniform(key, shape), normal(key, shape), ..."
        )


def _round_into(wide: np.ndarray[Any, Any], dt: DType, low: float, high: float) -> np.ndarray[Any, Any]:
    """float64 draws in ``[low, high)`` rounded to nearest in ``dt``, the ends clamped into ``[low, high)``."""
    narrow = aligned_empty(wide.shape, dt.numpy)
    narrow[...] = wide
    if low == high:
        return narrow
    kind = dt.numpy.type
    top, bottom = kind(high), kind(low)
    if float(top) >= high:
        top = np.nextafter(top, kind(-np.inf))
    if float(bottom) < low:
        bottom = np.nextafter(bottom, kind(np.inf))
    if float(bottom) > float(top):
        raise ConfigurationError(f"no {dt} value lies in [{low}, {high}); use a wider dtype or range")
    np.minimum(narrow, top, out=narrow)
    np.maximum(narrow, bottom, out=narrow)
    return narrow


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
        self._numpy = np.random.default_rng(_seed(seed))
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

    def _draw64(self, fill: Any, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        """``fill(out=..., dtype=float64)`` into an aligned buffer."""
        out = aligned_empty(shape, _FLOAT64)
        fill(out=out, dtype=_FLOAT64)
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
        _refuse_while_compiling("normal")
        loc_, scale_ = _scalar("loc", loc), _scalar("scale", scale)
        if not (math.isfinite(loc_) and math.isfinite(scale_)) or scale_ < 0:
            raise ConfigurationError(f"normal needs a finite loc and a finite scale >= 0, got loc={loc}, scale={scale}")
        dt = self._float_dtype(dtype)
        out = self._draw64(self._numpy.standard_normal, _shape(size))
        if scale_ != 1.0:  # in place, as NumPy's own normal(): loc + scale * z
            out *= scale_
        if loc_ != 0.0:
            out += loc_
        if dt != "float64":
            narrow = aligned_empty(out.shape, dt.numpy)
            narrow[...] = out
            out = narrow
        return self._deliver(out)

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Any = None, *, dtype: Any = None) -> Any:
        """Uniform samples in ``[low, high)``.

        Example:
            >>> import unibridge as ub
            >>> u = ub.random.default_rng(0, backend="numpy").uniform(-1.0, 1.0, size=4)
            >>> bool(((u >= -1) & (u < 1)).all()), ub.dtype_of(u)
            (True, DType('float64'))
        """
        _refuse_while_compiling("uniform")
        low_, high_ = _scalar("low", low), _scalar("high", high)
        if not math.isfinite(high_ - low_) or high_ < low_:
            raise ConfigurationError(
                f"uniform needs finite low <= high with a finite high - low, got low={low}, high={high}"
            )
        dt = self._float_dtype(dtype)
        out = self._draw64(self._numpy.random, _shape(size))
        if (low_, high_) != (0.0, 1.0):  # NumPy's uniform(): low + (high - low) * u
            out *= high_ - low_
            out += low_
        return self._deliver(_round_into(out, dt, low_, high_))

    def integers(self, low: int, high: int | None = None, size: Any = None, *, dtype: Any = "int64") -> Any:
        """Integers in ``[low, high)`` (``[0, low)`` when ``high`` is None).

        Example:
            >>> import unibridge as ub
            >>> ub.random.default_rng(1, backend="numpy").integers(10, size=3).tolist()
            [4, 5, 7]
        """
        _refuse_while_compiling("integers")
        dt = resolve_dtype(dtype)
        if dt.kind not in ("signed integer", "unsigned integer"):
            raise ConfigurationError(f"dtype={dtype!r}: integers() draws integer dtypes, e.g. 'int64'")
        start, stop = (0, low) if high is None else (low, high)
        try:
            start, stop = operator.index(start), operator.index(stop)
        except TypeError:
            raise ConfigurationError(f"integers(low, high) takes Python ints, got {low!r}, {high!r}") from None
        info = np.iinfo(dt.numpy)
        if start >= stop:
            raise ConfigurationError(f"integers needs low < high, got low={start}, high={stop}")
        if start < int(info.min) or stop - 1 > int(info.max):
            raise ConfigurationError(
                f"integers({start}, {stop}) does not fit {dt} ([{info.min}, {int(info.max) + 1})); use a wider dtype"
            )
        host = self._numpy.integers(start, stop, size=_shape(size), dtype=dt.numpy)
        return self._deliver(np.asarray(host))

    def permutation(self, n: int) -> Any:
        """A random ordering of ``0 .. n-1`` as an int64 array (e.g. to shuffle with ``xp.take``).

        Example:
            >>> import unibridge as ub
            >>> sorted(ub.random.default_rng(3, backend="numpy").permutation(5).tolist())
            [0, 1, 2, 3, 4]
        """
        _refuse_while_compiling("permutation")
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
