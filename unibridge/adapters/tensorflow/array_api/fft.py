"""The Array API ``fft`` extension for TensorFlow tensors.

TF transforms only the innermost axis and never normalises the forward transform, so each
function moves the axis last, resizes it to ``n``, transforms, and applies the ``norm`` scale.
N-dimensional transforms compose 1-D ones (each axis's scale multiplies to the spec's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Optional

import tensorflow as tf

from ._creation import arange
from ._dtypes import as_tf_dtype, default_complex, default_float
from ._helpers import ndim, normalize_axis, shape_list, tensor

__all__ = [
    "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft",
    "fftfreq", "rfftfreq", "fftshift", "ifftshift",
]

Norm = Literal["backward", "ortho", "forward"]
_SWAP: dict[str, Norm] = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _check_norm(norm: str) -> None:
    if norm not in _SWAP:
        raise ValueError(f"norm must be 'backward', 'ortho' or 'forward', got {norm!r}")


def _last(x: tf.Tensor, axis: int) -> tuple[tf.Tensor, list[int]]:
    n = ndim(x)
    perm = [a for a in range(n) if a != axis] + [axis]
    return (tf.transpose(x, perm) if axis != n - 1 else x), perm


def _back(x: tf.Tensor, perm: list[int]) -> tf.Tensor:
    inv = [perm.index(a) for a in range(len(perm))]
    return tf.transpose(x, inv) if perm != sorted(perm) else x


def _resize(x: tf.Tensor, n: Any) -> tf.Tensor:
    """Crop or zero-pad the last axis to ``n`` points.

    Inside ``tf.function`` the axis's size, and ``n`` when it comes from that size, may be
    scalar tensors known only when the graph runs: then crop and pad with tensor arithmetic
    (a Python ``if`` on a symbolic size would fail to trace).
    """
    size = shape_list(x)[-1]
    if isinstance(n, int) and n < 1:
        raise ValueError(f"invalid number of points {n}")
    if n is size:
        return x
    if isinstance(size, int) and isinstance(n, int):
        if size == n:
            return x
        if size > n:
            return x[..., :n]
        return tf.pad(x, [[0, 0]] * (ndim(x) - 1) + [[0, n - size]])
    cropped = x[..., :n]
    missing = tf.maximum(tf.cast(n, tf.int32) - tf.shape(cropped, out_type=tf.int32)[-1], 0)
    pad = tf.concat([tf.zeros([ndim(x) - 1, 2], tf.int32), tf.reshape(tf.stack([0, missing]), [1, 2])], axis=0)
    return tf.pad(cropped, pad)


def _scale(x: tf.Tensor, norm: str, n: Any, inverse: bool) -> tf.Tensor:
    """TF: forward unscaled, inverse divided by n. Rescale to what ``norm`` asks.

    ``n`` is a scalar tensor inside ``tf.function`` when the axis's size is not known yet.
    """
    if norm == "backward":
        return x
    if isinstance(n, int):
        count = tf.constant(float(n), tf.float64)
    else:
        count = tf.cast(n, tf.float64)
    factor = tf.sqrt(count) if norm == "ortho" else count
    if not inverse:
        factor = 1.0 / factor
    return x * tf.cast(factor, x.dtype)


def _complex(x: Any) -> tf.Tensor:
    x = tensor(x)
    if x.dtype.is_complex:
        return x
    return tf.cast(x, tf.complex64 if x.dtype == tf.float32 else default_complex())


def _real(x: Any) -> tf.Tensor:
    x = tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, default_float())


def _c2c(x: Any, n: Optional[int], axis: int, norm: str, inverse: bool) -> tf.Tensor:
    _check_norm(norm)
    x = _complex(x)
    axis = normalize_axis(axis, ndim(x))
    xt, perm = _last(x, axis)
    n = shape_list(xt)[-1] if n is None else n
    xt = _resize(xt, n)
    out = (tf.signal.ifft if inverse else tf.signal.fft)(xt)
    return _back(_scale(out, norm, n, inverse), perm)


def fft(x: tf.Tensor, /, *, n: Optional[int] = None, axis: int = -1, norm: Norm = "backward") -> tf.Tensor:
    """1-D discrete Fourier transform (real input is treated as complex)."""
    return _c2c(x, n, axis, norm, inverse=False)


def ifft(x: tf.Tensor, /, *, n: Optional[int] = None, axis: int = -1, norm: Norm = "backward") -> tf.Tensor:
    """1-D inverse discrete Fourier transform."""
    return _c2c(x, n, axis, norm, inverse=True)


def rfft(x: tf.Tensor, /, *, n: Optional[int] = None, axis: int = -1, norm: Norm = "backward") -> tf.Tensor:
    """1-D transform of real input: the ``n // 2 + 1`` non-negative frequencies."""
    _check_norm(norm)
    x = _real(x)
    axis = normalize_axis(axis, ndim(x))
    xt, perm = _last(x, axis)
    n = shape_list(xt)[-1] if n is None else n
    out = tf.signal.rfft(_resize(xt, n), fft_length=[n])
    return _back(_scale(out, norm, n, inverse=False), perm)


def irfft(x: tf.Tensor, /, *, n: Optional[int] = None, axis: int = -1, norm: Norm = "backward") -> tf.Tensor:
    """Inverse of ``rfft``: ``n`` real samples (default ``2 * (m - 1)``)."""
    _check_norm(norm)
    x = _complex(x)
    axis = normalize_axis(axis, ndim(x))
    xt, perm = _last(x, axis)
    n = 2 * (shape_list(xt)[-1] - 1) if n is None else n
    xt = _resize(xt, n // 2 + 1)
    out = tf.signal.irfft(xt, fft_length=[n])
    return _back(_scale(out, norm, n, inverse=True), perm)


def hfft(x: tf.Tensor, /, *, n: Optional[int] = None, axis: int = -1, norm: Norm = "backward") -> tf.Tensor:
    """Transform of a Hermitian-symmetric signal (real output): ``irfft(conj(x))``, norm swapped."""
    _check_norm(norm)
    return irfft(tf.math.conj(_complex(x)), n=n, axis=axis, norm=_SWAP[norm])


def ihfft(x: tf.Tensor, /, *, n: Optional[int] = None, axis: int = -1, norm: Norm = "backward") -> tf.Tensor:
    """Inverse of ``hfft``: ``conj(rfft(x))``, norm swapped."""
    _check_norm(norm)
    return tf.math.conj(rfft(x, n=n, axis=axis, norm=_SWAP[norm]))


def _axes_and_sizes(x: tf.Tensor, s: Optional[Sequence[int]], axes: Optional[Sequence[int]]) -> list[tuple[int, Optional[int]]]:
    n = ndim(x)
    if axes is None:
        axes = list(range(n)) if s is None else list(range(n - len(s), n))
    axes = [normalize_axis(a, n) for a in axes]
    sizes: list[Optional[int]] = [None] * len(axes) if s is None else [None if v == -1 else v for v in s]
    if len(sizes) != len(axes):
        raise ValueError("s and axes must have the same length")
    return list(zip(axes, sizes))


def fftn(x: tf.Tensor, /, *, s: Optional[Sequence[int]] = None, axes: Optional[Sequence[int]] = None, norm: Norm = "backward") -> tf.Tensor:
    """N-D discrete Fourier transform over ``axes``."""
    x = _complex(x)
    for axis, size in reversed(_axes_and_sizes(x, s, axes)):
        x = fft(x, n=size, axis=axis, norm=norm)
    return x


def ifftn(x: tf.Tensor, /, *, s: Optional[Sequence[int]] = None, axes: Optional[Sequence[int]] = None, norm: Norm = "backward") -> tf.Tensor:
    """N-D inverse discrete Fourier transform over ``axes``."""
    x = _complex(x)
    for axis, size in reversed(_axes_and_sizes(x, s, axes)):
        x = ifft(x, n=size, axis=axis, norm=norm)
    return x


def rfftn(x: tf.Tensor, /, *, s: Optional[Sequence[int]] = None, axes: Optional[Sequence[int]] = None, norm: Norm = "backward") -> tf.Tensor:
    """N-D transform of real input (the last axis is halved)."""
    x = _real(x)
    pairs = _axes_and_sizes(x, s, axes)
    (last, n_last), rest = pairs[-1], pairs[:-1]
    out = rfft(x, n=n_last, axis=last, norm=norm)
    for axis, size in reversed(rest):
        out = fft(out, n=size, axis=axis, norm=norm)
    return out


def irfftn(x: tf.Tensor, /, *, s: Optional[Sequence[int]] = None, axes: Optional[Sequence[int]] = None, norm: Norm = "backward") -> tf.Tensor:
    """Inverse of ``rfftn`` (real output)."""
    x = _complex(x)
    pairs = _axes_and_sizes(x, s, axes)
    (last, n_last), rest = pairs[-1], pairs[:-1]
    for axis, size in rest:
        x = ifft(x, n=size, axis=axis, norm=norm)
    return irfft(x, n=n_last, axis=last, norm=norm)


def fftfreq(n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """Sample frequencies ``[0, 1, ..., -1] / (d * n)`` (default dtype: the default float)."""
    k = arange(n, dtype=tf.int64, device=device)
    k = tf.where(k < (n + 1) // 2, k, k - n)
    dt = default_float() if dtype is None else as_tf_dtype(dtype)
    return tf.cast(tf.cast(k, tf.float64) / (d * n), dt)


def rfftfreq(n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None) -> tf.Tensor:
    """Non-negative sample frequencies ``[0, ..., n // 2] / (d * n)``."""
    dt = default_float() if dtype is None else as_tf_dtype(dtype)
    k = arange(n // 2 + 1, dtype=tf.float64, device=device)
    return tf.cast(k / (d * n), dt)


def _shift(x: Any, axes: Optional[Sequence[int]], inverse: bool) -> tf.Tensor:
    x = tensor(x)
    nd = ndim(x)
    axes_list = list(range(nd)) if axes is None else [normalize_axis(a, nd) for a in ([axes] if isinstance(axes, int) else axes)]
    shape = shape_list(x)
    shifts = [(-(shape[a] // 2) if inverse else shape[a] // 2) for a in axes_list]
    return tf.roll(x, shifts, axes_list) if axes_list else x


def fftshift(x: tf.Tensor, /, *, axes: Optional[Sequence[int]] = None) -> tf.Tensor:
    """Move the zero frequency to the centre."""
    return _shift(x, axes, inverse=False)


def ifftshift(x: tf.Tensor, /, *, axes: Optional[Sequence[int]] = None) -> tf.Tensor:
    """Undo ``fftshift``."""
    return _shift(x, axes, inverse=True)
