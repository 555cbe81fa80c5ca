"""Creation functions. Every one takes ``device=`` and uses unibridge's default dtypes:
the configured default float (float64 unless configured), int64 and bool.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Optional, Union

import numpy as np
import tensorflow as tf

from ._convert import from_dlpack as _from_dlpack
from ._convert import from_host
from ._copy import fresh_copy
from ._devices import device as _device_of
from ._devices import device_scope, to_device
from ._dtypes import as_tf_dtype, default_complex, default_float
from ._helpers import ndim, promote_all, shape_list, tensor

__all__ = [
    "arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full", "full_like",
    "linspace", "meshgrid", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like",
]

Shape = Union[int, Sequence[int]]
_PY_SCALARS = (bool, int, float, complex)


def _shape(shape: Shape) -> list[int]:
    return [int(shape)] if isinstance(shape, (int, np.integer)) else [int(s) for s in shape]


def _scalar_dtype(value: Any) -> tf.DType:
    """The default dtype of a Python scalar: bool, int64, default float or default complex.

    A NumPy scalar keeps its own dtype, as NumPy keeps it (``np.float64`` is a subclass of
    ``float``, but it is not Python data without a dtype).
    """
    if isinstance(value, np.generic):
        return as_tf_dtype(value.dtype)
    if isinstance(value, bool):
        return tf.bool
    if isinstance(value, int):
        return tf.int64
    if isinstance(value, float):
        return default_float()
    if isinstance(value, complex):
        return default_complex()
    return tensor(value).dtype


def asarray(
    obj: Any, /, *, dtype: Any = None, device: Any = None, copy: Optional[bool] = None
) -> tf.Tensor:
    """Convert ``obj`` to a tensor. Python floats become the default float (float64 by default).

    Host buffers that are 64-byte aligned, compact and writable are shared (DLPack);
    ``copy=False`` raises :class:`unibridge.CopyRequiredError` (a ValueError) otherwise.
    """
    dt = None if dtype is None else as_tf_dtype(dtype)
    if isinstance(obj, (tf.Tensor, tf.Variable)):
        x = tf.convert_to_tensor(obj)
        if dt is not None and dt != x.dtype:
            if copy is False:
                raise ValueError(f"casting {x.dtype.name} to {dt.name} needs a copy, but copy=False")
            x = tf.cast(x, dt)
        elif copy:
            x = fresh_copy(x)  # tf.identity would share the buffer (a NumPy array's, perhaps)
        return x if device is None else to_device(x, device)
    return from_host(obj, dtype=None if dt is None else dt.name, device=device, copy=copy)


def _create(fn: Any, device: Any) -> tf.Tensor:
    with device_scope(device):
        return fn()


def zeros(shape: Shape, *, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """An array of zeros (default dtype: the default float)."""
    dt = default_float() if dtype is None else as_tf_dtype(dtype)
    return _create(lambda: tf.zeros(_shape(shape), dt), device)


def ones(shape: Shape, *, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """An array of ones (default dtype: the default float)."""
    dt = default_float() if dtype is None else as_tf_dtype(dtype)
    return _create(lambda: tf.ones(_shape(shape), dt), device)


def empty(shape: Shape, *, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """An uninitialised array; TF has no uninitialised memory, so this is zeros."""
    return zeros(shape, dtype=dtype, device=device)


def full(shape: Shape, fill_value: Any, *, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """An array filled with ``fill_value`` (dtype inferred from the scalar's kind if not given)."""
    dt = _scalar_dtype(fill_value) if dtype is None else as_tf_dtype(dtype)
    return _create(lambda: tf.fill(_shape(shape), tf.cast(tf.constant(fill_value), dt)
                                   if isinstance(fill_value, tf.Tensor) else tf.constant(fill_value, dt)), device)


def _like(x: Any, dtype: Any, device: Any) -> tuple[tf.Tensor, tf.DType, Any]:
    x = tensor(x)
    dt = x.dtype if dtype is None else as_tf_dtype(dtype)
    return x, dt, (_device_of(x) if device is None and tf.executing_eagerly() else device)


def zeros_like(x: tf.Tensor, /, *, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """Zeros with the shape of ``x`` (and its dtype and device unless given)."""
    x, dt, dev = _like(x, dtype, device)
    return _create(lambda: tf.zeros(tf.shape(x), dt), dev) if dev is not None else tf.zeros(tf.shape(x), dt)


def ones_like(x: tf.Tensor, /, *, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """Ones with the shape of ``x`` (and its dtype and device unless given)."""
    x, dt, dev = _like(x, dtype, device)
    return _create(lambda: tf.ones(tf.shape(x), dt), dev) if dev is not None else tf.ones(tf.shape(x), dt)


def empty_like(x: tf.Tensor, /, *, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """Like ``zeros_like`` (TF has no uninitialised memory)."""
    return zeros_like(x, dtype=dtype, device=device)


def full_like(x: tf.Tensor, /, fill_value: Any, *, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """``fill_value`` with the shape of ``x`` (and its dtype and device unless given)."""
    x, dt, dev = _like(x, dtype, device)

    def make() -> tf.Tensor:
        return tf.fill(tf.shape(x), tf.constant(fill_value, dt))

    return _create(make, dev) if dev is not None else make()


def arange(
    start: Union[int, float], /, stop: Optional[Union[int, float]] = None, step: Union[int, float] = 1,
    *, dtype: Any = None, device: Any = None,
) -> tf.Tensor:
    """Evenly spaced values in ``[start, stop)``; ``ceil((stop - start) / step)`` of them.

    Default dtype: int64 when all arguments are ints, else the default float.
    """
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("arange: step must not be zero")
    integral = all(isinstance(v, int) for v in (start, stop, step))
    dt = (tf.int64 if integral else default_float()) if dtype is None else as_tf_dtype(dtype)
    if integral:
        n = max(0, -((start - stop) // step))
    else:
        n = max(0, math.ceil((stop - start) / step))

    def make() -> tf.Tensor:
        # TF's Range kernel lacks small integer types: compute wide, then cast.
        if integral and dt.is_integer:
            return tf.cast(tf.range(n, dtype=tf.int64) * step + start, dt)
        wide = tf.complex128 if dt.is_complex else tf.float64
        # tf.cast(python float) would go through float32 first; tf.constant does not
        return tf.cast(tf.constant(start, wide) + tf.cast(tf.range(n, dtype=tf.float64), wide) * tf.constant(step, wide), dt)

    return _create(make, device)


def linspace(
    start: Union[int, float, complex], stop: Union[int, float, complex], /, num: int,
    *, dtype: Any = None, device: Any = None, endpoint: bool = True,
) -> tf.Tensor:
    """``num`` evenly spaced samples from ``start`` to ``stop`` (the last is exactly ``stop``)."""
    if num < 0:
        raise ValueError("linspace: num must be non-negative")
    is_complex = isinstance(start, complex) or isinstance(stop, complex)
    if dtype is None:
        dt = default_complex() if is_complex else default_float()
    else:
        dt = as_tf_dtype(dtype)
    wide = tf.complex128 if (dt.is_complex or is_complex) else tf.float64

    def make() -> tf.Tensor:
        div = (num - 1) if endpoint else num
        a, b = tf.constant(start, wide), tf.constant(stop, wide)
        steps = tf.cast(tf.range(num, dtype=tf.float64), wide)
        out = a + steps * ((b - a) / div) if div > 0 else a + 0 * steps
        if endpoint and num > 1:
            out = tf.concat([out[:-1], tf.reshape(b, [1])], 0)
        return tf.cast(out, dt)

    return _create(make, device)


def eye(
    n_rows: int, n_cols: Optional[int] = None, /, *, k: int = 0, dtype: Any = None, device: Any = None
) -> tf.Tensor:
    """A 2-D array with ones on the ``k``-th diagonal."""
    m = n_rows if n_cols is None else n_cols
    dt = default_float() if dtype is None else as_tf_dtype(dtype)

    def make() -> tf.Tensor:
        r = tf.range(n_rows, dtype=tf.int64)[:, None]
        c = tf.range(m, dtype=tf.int64)[None, :]
        return tf.cast(tf.equal(c - r, k), dt)

    return _create(make, device)


def _band_mask(x: tf.Tensor, keep: Any) -> tf.Tensor:
    shape = shape_list(x)
    r = tf.range(shape[-2], dtype=tf.int64)[:, None]
    c = tf.range(shape[-1], dtype=tf.int64)[None, :]
    return tf.where(keep(c - r), x, tf.zeros((), x.dtype))


def tril(x: tf.Tensor, /, *, k: int = 0) -> tf.Tensor:
    """The lower triangle of the last two axes (elements above the ``k``-th diagonal zeroed)."""
    x = tensor(x)
    if ndim(x) < 2:
        raise ValueError("tril needs an array of at least two dimensions")
    return _band_mask(x, lambda d: d <= k)


def triu(x: tf.Tensor, /, *, k: int = 0) -> tf.Tensor:
    """The upper triangle of the last two axes (elements below the ``k``-th diagonal zeroed)."""
    x = tensor(x)
    if ndim(x) < 2:
        raise ValueError("triu needs an array of at least two dimensions")
    return _band_mask(x, lambda d: d >= k)


def meshgrid(*arrays: tf.Tensor, indexing: str = "xy") -> tuple[tf.Tensor, ...]:
    """Coordinate matrices from 1-D coordinate vectors (a tuple, as the 2025.12 spec says)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"indexing must be 'xy' or 'ij', got {indexing!r}")
    tensors = promote_all(arrays)
    if not tensors:
        return ()
    return tuple(tf.meshgrid(*tensors, indexing=indexing))


def from_dlpack(x: Any, /, *, device: Any = None, copy: Optional[bool] = None) -> tf.Tensor:
    """A tensor from any object with ``__dlpack__``, on ``x``'s device unless ``device`` says.

    The TF backend decides whether the memory can be shared: host buffers that TF cannot
    safely import (not 64-byte aligned, read-only, strided) are copied, and ``copy=False``
    then raises :class:`unibridge.CopyRequiredError` (a ValueError).
    """
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return asarray(x, copy=copy, device=device)
    return _from_dlpack(x, device=device, copy=copy)
