"""Complex ``log``, ``log1p`` and ``expm1`` built from real parts, so the spec's special cases hold.

TF's complex kernels return NaN where the spec (C99 Annex G) has an answer: ``log(-inf + 1j)``
is ``inf + pi j``, and ``log2`` computed as ``log(z) / log(2)`` divides by a complex number,
which turns ``inf + 0j`` into NaN. Here the real and imaginary parts are computed separately
(``log|z| + i arg z``) with ``hypot`` and ``atan2``, whose IEEE special cases give the spec's.
"""

from __future__ import annotations

import math
from typing import Callable

import tensorflow as tf

__all__ = ["log", "log1p", "expm1", "scaled_log"]

Hypot = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]


def _parts(z: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    return tf.math.real(z), tf.math.imag(z)


def log(z: tf.Tensor, hypot: Hypot) -> tf.Tensor:
    """``log|z| + i atan2(im, re)``: infinities and signed zeros as the spec lists."""
    re, im = _parts(z)
    return tf.complex(tf.math.log(hypot(re, im)), tf.math.atan2(im, re))


def scaled_log(z: tf.Tensor, base: float, hypot: Hypot) -> tf.Tensor:
    """``log(z) / log(base)`` with each part divided by the real constant (never a complex division)."""
    out = log(z, hypot)
    scale = tf.constant(math.log(base), tf.math.real(out).dtype)
    return tf.complex(tf.math.real(out) / scale, tf.math.imag(out) / scale)


def log1p(z: tf.Tensor, hypot: Hypot) -> tf.Tensor:
    """``log(1 + z)``; near 0 the real part is ``log1p(2a + a^2 + b^2) / 2``, keeping its precision.

    ``1 + z`` is formed part by part so that the sign of a zero imaginary part survives.
    """
    re, im = _parts(z)
    one_plus = re + tf.ones((), re.dtype)
    small = tf.math.abs(re) + tf.math.abs(im) < tf.constant(0.5, re.dtype)
    near = tf.constant(0.5, re.dtype) * tf.math.log1p(re * (one_plus + tf.ones((), re.dtype)) + im * im)
    far = tf.math.log(hypot(one_plus, im))
    return tf.complex(tf.where(small, near, far), tf.math.atan2(im, one_plus))


def expm1(z: tf.Tensor) -> tf.Tensor:
    """``exp(z) - 1`` as ``expm1(a) cos b - 2 sin^2(b/2) + i e^a sin b``, accurate near 0.

    Where that formula meets ``inf * 0`` or ``inf * NaN``, the spec's values are filled in:
    a zero imaginary part stays (``+inf + 0j`` gives ``+inf + 0j``), ``-inf`` with a
    non-finite ``b`` gives ``-1 + 0j``, ``+inf`` with a non-finite ``b`` gives ``inf + NaN j``.
    A zero real part is +0 (``expm1(-0 + 0j)`` is ``0 + 0j``: ``e**-0 - 1`` is ``1 - 1``),
    where the real ``expm1(-0)`` would carry the sign.
    """
    re, im = _parts(z)
    half_sin = tf.math.sin(im / tf.constant(2.0, re.dtype))
    real = tf.math.expm1(re) * tf.math.cos(im) - tf.constant(2.0, re.dtype) * half_sin * half_sin
    real = tf.where(tf.equal(real, tf.zeros((), re.dtype)), tf.zeros((), re.dtype), real)
    imag = tf.where(tf.equal(im, tf.zeros((), im.dtype)), im, tf.math.exp(re) * tf.math.sin(im))
    inf = tf.constant(math.inf, re.dtype)
    wild = tf.logical_not(tf.math.is_finite(im))
    to_minus_one = tf.equal(re, -inf) & wild
    to_inf = tf.equal(re, inf) & wild
    real = tf.where(to_minus_one, -tf.ones((), re.dtype), tf.where(to_inf, inf, real))
    imag = tf.where(to_minus_one, tf.zeros((), re.dtype), tf.where(to_inf, tf.constant(math.nan, re.dtype), imag))
    return tf.complex(real, imag)
