"""The Array API ``linalg`` extension for TensorFlow tensors.

Integer inputs to the decompositions are computed in the default float (the spec only
defines floating inputs).
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, Optional, Union

import numpy as np
import tensorflow as tf

from ._dtypes import default_float
from ._helpers import Axis, ndim, normalize_axes, normalize_axis, operands, shape_list, tensor
from ._linear_algebra import matmul, matrix_transpose, tensordot, vecdot
from ._statistics import sum as _sum

__all__ = [
    "cholesky", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv", "matmul", "matrix_norm",
    "matrix_power", "matrix_rank", "matrix_transpose", "outer", "pinv", "qr", "slogdet", "solve",
    "svd", "svdvals", "tensordot", "trace", "vecdot", "vector_norm",
]


class EigResult(NamedTuple):
    eigenvalues: tf.Tensor
    eigenvectors: tf.Tensor


class EighResult(NamedTuple):
    eigenvalues: tf.Tensor
    eigenvectors: tf.Tensor


class QRResult(NamedTuple):
    Q: tf.Tensor
    R: tf.Tensor


class SlogdetResult(NamedTuple):
    sign: tf.Tensor
    logabsdet: tf.Tensor


class SVDResult(NamedTuple):
    U: tf.Tensor
    S: tf.Tensor
    Vh: tf.Tensor


def _float(x: Any) -> tf.Tensor:
    x = tensor(x)
    return x if (x.dtype.is_floating or x.dtype.is_complex) else tf.cast(x, default_float())


def _matrices(x: Any, square: bool = False) -> tf.Tensor:
    x = _float(x)
    if ndim(x) < 2:
        raise ValueError("expected a stack of matrices (at least two dimensions)")
    if square and x.shape[-1] is not None and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"expected square matrices, got shape {tuple(x.shape)}")
    return x


def cholesky(x: tf.Tensor, /, *, upper: bool = False) -> tf.Tensor:
    """Cholesky factor: lower ``L`` with ``x = L L^H``, or upper ``U = L^H``."""
    low = tf.linalg.cholesky(_matrices(x, square=True))
    return tf.linalg.adjoint(low) if upper else low


def cross(x1: tf.Tensor, x2: tf.Tensor, /, *, axis: int = -1) -> tf.Tensor:
    """Cross product of 3-vectors along ``axis`` (broadcast first)."""
    a, b = operands(x1, x2)
    shape = tf.broadcast_static_shape(a.shape, b.shape)
    axis = normalize_axis(axis, shape.rank)
    if shape[axis] != 3:
        raise ValueError(f"cross needs vectors of size 3 along axis {axis}")
    a = tf.broadcast_to(a, shape)
    b = tf.broadcast_to(b, shape)
    a0, a1, a2 = tf.unstack(a, axis=axis)
    b0, b1, b2 = tf.unstack(b, axis=axis)
    return tf.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=axis)


def det(x: tf.Tensor, /) -> tf.Tensor:
    """Determinant of each square matrix."""
    return tf.linalg.det(_matrices(x, square=True))


def diagonal(x: tf.Tensor, /, *, offset: int = 0) -> tf.Tensor:
    """The ``offset``-th diagonal of each matrix (above the main one when positive)."""
    x = tensor(x)
    if ndim(x) < 2:
        raise ValueError("diagonal needs at least two dimensions")
    rows, cols = shape_list(x)[-2:]
    if isinstance(rows, int) and isinstance(cols, int) and (offset >= cols or -offset >= rows):
        return tf.zeros(shape_list(x)[:-2] + [0], x.dtype)
    return tf.linalg.diag_part(x, k=offset)


def eig(x: tf.Tensor, /) -> EigResult:
    """Eigenvalues and eigenvectors of general square matrices (complex, in no particular order)."""
    values, vectors = tf.linalg.eig(_matrices(x, square=True))
    return EigResult(values, vectors)


def eigvals(x: tf.Tensor, /) -> tf.Tensor:
    """Eigenvalues of general square matrices (complex of the input's precision)."""
    return tf.linalg.eigvals(_matrices(x, square=True))


def eigh(x: tf.Tensor, /) -> EighResult:
    """Eigenvalues (ascending) and eigenvectors of Hermitian matrices."""
    values, vectors = tf.linalg.eigh(_matrices(x, square=True))
    # TF gives complex Hermitian input complex eigenvalues (imaginary parts zero); they are real.
    return EighResult(tf.math.real(values) if values.dtype.is_complex else values, vectors)


def eigvalsh(x: tf.Tensor, /) -> tf.Tensor:
    """Eigenvalues (ascending) of Hermitian matrices."""
    values = tf.linalg.eigvalsh(_matrices(x, square=True))
    return tf.math.real(values) if values.dtype.is_complex else values


def inv(x: tf.Tensor, /) -> tf.Tensor:
    """Inverse of each square matrix."""
    return tf.linalg.inv(_matrices(x, square=True))


def svd(x: tf.Tensor, /, *, full_matrices: bool = True) -> SVDResult:
    """``U, S, Vh`` with ``x = U diag(S) Vh``; singular values descending."""
    s, u, v = tf.linalg.svd(_matrices(x), full_matrices=full_matrices, compute_uv=True)
    return SVDResult(u, s, tf.linalg.adjoint(v))


def svdvals(x: tf.Tensor, /) -> tf.Tensor:
    """Singular values, descending."""
    return tf.linalg.svd(_matrices(x), compute_uv=False)


def matrix_norm(
    x: tf.Tensor, /, *, keepdims: bool = False, ord: Union[int, float, Literal["fro", "nuc"], None] = "fro"  # noqa: A002
) -> tf.Tensor:
    """Matrix norm over the last two axes: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf."""
    x = _matrices(x)
    mag = tf.math.abs(x)
    if ord == "fro" or ord is None:
        out = tf.math.sqrt(tf.reduce_sum(mag * mag, axis=[-2, -1]))
    elif ord == "nuc":
        out = tf.reduce_sum(svdvals(x), axis=-1)
    elif ord in (2, -2):
        s = svdvals(x)
        out = tf.reduce_max(s, axis=-1) if ord == 2 else tf.reduce_min(s, axis=-1)
    elif ord in (1, -1):
        cols = tf.reduce_sum(mag, axis=-2)
        out = tf.reduce_max(cols, axis=-1) if ord == 1 else tf.reduce_min(cols, axis=-1)
    elif ord in (np.inf, -np.inf):
        rows = tf.reduce_sum(mag, axis=-1)
        out = tf.reduce_max(rows, axis=-1) if ord > 0 else tf.reduce_min(rows, axis=-1)
    else:
        raise ValueError(f"unsupported matrix norm order {ord!r}; use 'fro', 'nuc', 1, -1, 2, -2, inf or -inf")
    return out[..., None, None] if keepdims else out


def matrix_power(x: tf.Tensor, n: int, /) -> tf.Tensor:
    """``x`` multiplied by itself ``n`` times (``n < 0`` uses the inverse; 0 gives identity)."""
    x = tensor(x)
    if ndim(x) < 2 or (x.shape[-1] is not None and x.shape[-1] != x.shape[-2]):
        raise ValueError("matrix_power needs square matrices")
    if n == 0:
        eye = tf.eye(tf.shape(x)[-1], dtype=x.dtype)
        return tf.broadcast_to(eye, tf.shape(x))
    if n < 0:
        x, n = inv(x), -n
    result, base = None, x
    while n:  # binary exponentiation: O(log n) products
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def _cutoff(x: tf.Tensor, s: tf.Tensor, rtol: Optional[Union[float, tf.Tensor]]) -> tf.Tensor:
    """``rtol * largest singular value`` per matrix, shaped to compare with ``s``."""
    if rtol is None:
        m, n = shape_list(x)[-2:]
        eps = np.finfo(s.dtype.as_numpy_dtype).eps
        tol = tf.cast(tf.maximum(m, n), s.dtype) * eps
    else:
        tol = tf.constant(rtol, s.dtype) if isinstance(rtol, (int, float)) else tf.cast(tensor(rtol), s.dtype)
    if tol.shape.rank:
        tol = tol[..., None]  # an rtol per matrix broadcasts against the stack
    return tf.reduce_max(s, axis=-1, keepdims=True) * tol


def matrix_rank(x: tf.Tensor, /, *, rtol: Optional[Union[float, tf.Tensor]] = None) -> tf.Tensor:
    """Number of singular values above ``rtol * largest`` (int64)."""
    x = _matrices(x)
    s = svdvals(x)
    return tf.reduce_sum(tf.cast(s > _cutoff(x, s, rtol), tf.int64), axis=-1)


def pinv(x: tf.Tensor, /, *, rtol: Optional[Union[float, tf.Tensor]] = None) -> tf.Tensor:
    """Moore-Penrose pseudo-inverse via SVD (singular values below ``rtol * largest`` dropped)."""
    x = _matrices(x)
    s, u, v = tf.linalg.svd(x, full_matrices=False)
    keep = s > _cutoff(x, s, rtol)
    s_inv = tf.where(keep, 1 / tf.where(keep, s, tf.ones((), s.dtype)), tf.zeros((), s.dtype))
    return tf.linalg.matmul(v * tf.cast(s_inv, x.dtype)[..., None, :], u, adjoint_b=True)


def qr(x: tf.Tensor, /, *, mode: Literal["reduced", "complete"] = "reduced") -> QRResult:
    """QR decomposition, ``mode`` 'reduced' or 'complete'."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"mode must be 'reduced' or 'complete', got {mode!r}")
    q, r = tf.linalg.qr(_matrices(x), full_matrices=mode == "complete")
    return QRResult(q, r)


def slogdet(x: tf.Tensor, /) -> SlogdetResult:
    """Sign and log of the absolute determinant (sign 0 and -inf for singular matrices).

    ``logabsdet`` is real for complex input too (TF returns it as a complex number).
    """
    x = _matrices(x, square=True)
    sign, logabs = tf.linalg.slogdet(x)
    if logabs.dtype.is_complex:
        logabs = tf.math.real(logabs)
    singular = tf.math.is_inf(logabs) & (logabs < 0) | tf.math.is_nan(logabs)
    sign = tf.where(singular, tf.zeros((), sign.dtype), sign)
    logabs = tf.where(singular, tf.constant(-np.inf, logabs.dtype), logabs)
    return SlogdetResult(sign, logabs)


def solve(x1: tf.Tensor, x2: tf.Tensor, /) -> tf.Tensor:
    """Solve ``x1 @ out = x2``; a 1-D ``x2`` is one right-hand side; batch dims broadcast."""
    a, b = operands(_float(x1), _float(x2))
    _matrices(a, square=True)
    vector = ndim(b) == 1
    if vector:
        b = b[:, None]
    batch = tf.broadcast_static_shape(a.shape[:-2], b.shape[:-2])
    # tf.linalg.solve does not broadcast batch dimensions, so broadcast explicitly.
    a = tf.broadcast_to(a, batch.concatenate(a.shape[-2:]))
    b = tf.broadcast_to(b, batch.concatenate(b.shape[-2:]))
    out = tf.linalg.solve(a, b)
    return out[..., 0] if vector else out


def trace(x: tf.Tensor, /, *, offset: int = 0, dtype: Any = None) -> tf.Tensor:
    """Sum of the ``offset``-th diagonal (integers accumulate as in ``sum``)."""
    return _sum(diagonal(x, offset=offset), axis=-1, dtype=dtype)


def outer(x1: tf.Tensor, x2: tf.Tensor, /) -> tf.Tensor:
    """Outer product of two 1-D arrays."""
    a, b = operands(x1, x2)
    if ndim(a) != 1 or ndim(b) != 1:
        raise ValueError("outer needs two 1-D arrays")
    return a[:, None] * b[None, :]


def vector_norm(
    x: tf.Tensor, /, *, axis: Axis = None, keepdims: bool = False, ord: Union[int, float] = 2  # noqa: A002
) -> tf.Tensor:
    """p-norm over ``axis`` (all axes by default); ``ord`` may be inf, -inf, 0 or any p."""
    x = _float(x)
    axes = list(normalize_axes(axis, ndim(x)))
    mag = tf.math.abs(x)
    if ord == np.inf:
        return tf.reduce_max(mag, axis=axes, keepdims=keepdims)
    if ord == -np.inf:
        return tf.reduce_min(mag, axis=axes, keepdims=keepdims)
    if ord == 0:
        return tf.reduce_sum(tf.cast(tf.not_equal(mag, 0), mag.dtype), axis=axes, keepdims=keepdims)
    if ord == 1:
        return tf.reduce_sum(mag, axis=axes, keepdims=keepdims)
    if ord == 2:
        return tf.math.sqrt(tf.reduce_sum(mag * mag, axis=axes, keepdims=keepdims))
    p = tf.constant(ord, mag.dtype)
    return tf.reduce_sum(mag**p, axis=axes, keepdims=keepdims) ** (1 / p)


