"""Elementwise functions with the spec's promotion and special cases.

Binary functions promote by the spec's table (Python scalars are weak) before calling TF,
which refuses mixed dtypes. Where a TF kernel is missing for a dtype or disagrees with the
spec's special cases, the workaround is next to the function with the reason.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Union

import numpy as np
import tensorflow as tf

from ._dtypes import default_float, iinfo
from ._helpers import operands, tensor

__all__ = [
    "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh",
    "bitwise_and", "bitwise_left_shift", "bitwise_invert", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "ceil", "clip", "conj", "copysign", "cos", "cosh", "divide", "equal", "exp",
    "expm1", "floor", "floor_divide", "greater", "greater_equal", "hypot", "imag", "isfinite",
    "isinf", "isnan", "less", "less_equal", "log", "log1p", "log2", "log10", "logaddexp",
    "logical_and", "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "multiply",
    "negative", "nextafter", "not_equal", "pow", "positive", "real", "reciprocal", "remainder",
    "round", "sign", "signbit", "sin", "sinh", "square", "sqrt", "subtract", "tan", "tanh", "trunc",
]

Operand = Union[tf.Tensor, bool, int, float, complex]


def _zero(x: tf.Tensor) -> tf.Tensor:
    return tf.zeros((), x.dtype)


def _inexact(x: Any) -> tf.Tensor:
    """``x`` as a floating or complex tensor (integers and bools become the default float)."""
    x = tensor(x)
    return x if (x.dtype.is_floating or x.dtype.is_complex) else tf.cast(x, default_float())


def _float_fn(fn: Callable[[tf.Tensor], tf.Tensor], name: str, doc: str) -> Callable[[tf.Tensor], tf.Tensor]:
    def f(x: tf.Tensor, /) -> tf.Tensor:
        return fn(_inexact(x))

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc + "\n\nInteger inputs are computed in the default float (the spec leaves them undefined)."
    return f


# TF's kernels follow C99/IEEE special cases for these, which is what the spec lists.
acos = _float_fn(tf.math.acos, "acos", "Inverse cosine.")
acosh = _float_fn(tf.math.acosh, "acosh", "Inverse hyperbolic cosine.")
asin = _float_fn(tf.math.asin, "asin", "Inverse sine.")
asinh = _float_fn(tf.math.asinh, "asinh", "Inverse hyperbolic sine.")
atan = _float_fn(tf.math.atan, "atan", "Inverse tangent.")
atanh = _float_fn(tf.math.atanh, "atanh", "Inverse hyperbolic tangent.")
cos = _float_fn(tf.math.cos, "cos", "Cosine.")
cosh = _float_fn(tf.math.cosh, "cosh", "Hyperbolic cosine.")
exp = _float_fn(tf.math.exp, "exp", "Exponential.")
expm1 = _float_fn(tf.math.expm1, "expm1", "``exp(x) - 1``, accurate near zero.")
log = _float_fn(tf.math.log, "log", "Natural logarithm.")
log1p = _float_fn(tf.math.log1p, "log1p", "``log(1 + x)``, accurate near zero.")
sin = _float_fn(tf.math.sin, "sin", "Sine.")
sinh = _float_fn(tf.math.sinh, "sinh", "Hyperbolic sine.")
sqrt = _float_fn(tf.math.sqrt, "sqrt", "Square root.")
tan = _float_fn(tf.math.tan, "tan", "Tangent.")
tanh = _float_fn(tf.math.tanh, "tanh", "Hyperbolic tangent.")


def log2(x: tf.Tensor, /) -> tf.Tensor:
    """Base-2 logarithm (``log(x) / log(2)``: TF has no log2 kernel)."""
    x = _inexact(x)
    return tf.math.log(x) / tf.constant(math.log(2.0), x.dtype)


def log10(x: tf.Tensor, /) -> tf.Tensor:
    """Base-10 logarithm (``log(x) / log(10)``: TF has no log10 kernel)."""
    x = _inexact(x)
    return tf.math.log(x) / tf.constant(math.log(10.0), x.dtype)


def abs(x: tf.Tensor, /) -> tf.Tensor:  # noqa: A001
    """Absolute value (complex input gives the real magnitude)."""
    x = tensor(x)
    if x.dtype.is_unsigned or x.dtype == tf.bool:
        return x  # TF's Abs kernel has no unsigned version; |x| == x there
    return tf.math.abs(x)


def positive(x: tf.Tensor, /) -> tf.Tensor:
    """``+x``."""
    return tensor(x)


def negative(x: tf.Tensor, /) -> tf.Tensor:
    """``-x`` (unsigned integers wrap around, as in the spec)."""
    x = tensor(x)
    if x.dtype.is_unsigned:
        return tf.math.subtract(_zero(x), x)  # no unsigned Neg kernel; 0 - x wraps the same
    return tf.math.negative(x)


def add(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``x1 + x2`` with the spec's promotion."""
    a, b = operands(x1, x2)
    return tf.math.add(a, b)


def subtract(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``x1 - x2`` with the spec's promotion."""
    a, b = operands(x1, x2)
    return tf.math.subtract(a, b)


def multiply(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``x1 * x2`` with the spec's promotion."""
    a, b = operands(x1, x2)
    return tf.math.multiply(a, b)


def divide(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """True division; integer operands are divided in the default float."""
    a, b = operands(x1, x2)
    if not (a.dtype.is_floating or a.dtype.is_complex):
        a, b = tf.cast(a, default_float()), tf.cast(b, default_float())
    return tf.math.divide(a, b)


def _int_safe_divisor(a: tf.Tensor, b: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    # TF raises on integer division by zero, and INT_MIN // -1 traps the CPU (SIGFPE), so
    # both cases divide by 1 and are patched afterwards (the spec leaves them undefined).
    zero = tf.equal(b, _zero(b))
    minus_one = tf.equal(b, tf.constant(-1, b.dtype)) if b.dtype.is_unsigned is False else tf.zeros_like(zero)
    safe = tf.where(zero | minus_one, tf.ones((), b.dtype), b)
    return safe, zero, minus_one


def floor_divide(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``floor(x1 / x2)``; floats follow Python's ``//`` (fmod-based), not a rounded quotient."""
    a, b = operands(x1, x2)
    if a.dtype.is_integer:
        safe, zero, minus_one = _int_safe_divisor(a, b)
        q = tf.math.floordiv(a, safe)
        q = tf.where(minus_one, negative(a), q)
        return tf.where(zero, _zero(a), q)
    # floor(a / b) rounds the quotient first: 1 // 0.1 gives 10 instead of Python's 9.
    naive = tf.math.floor(a / b)
    mod = tf.math.floormod(a, b)
    div = (a - mod) / b
    exact = tf.math.round(div)  # (a - mod) / b is an integer up to rounding
    finite = tf.math.is_finite(a) & tf.math.is_finite(b) & tf.not_equal(b, _zero(b)) & tf.math.is_finite(div)
    exact = tf.where(tf.equal(exact, _zero(exact)), naive, exact)  # keep the signed zero
    return tf.where(finite, exact, naive)


def remainder(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``x1 - floor_divide(x1, x2) * x2``: the result has the sign of ``x2``."""
    a, b = operands(x1, x2)
    if a.dtype.is_integer:
        safe, zero, minus_one = _int_safe_divisor(a, b)
        r = tf.math.floormod(a, safe)
        return tf.where(zero | minus_one, _zero(a), r)
    r = tf.math.floormod(a, b)
    # a zero remainder takes the divisor's sign (spec: -0 % 3 is +0); TF keeps the dividend's
    return tf.where(tf.equal(r, _zero(r)), copysign(tf.zeros_like(r), b), r)


def pow(x1: Operand, x2: Operand, /) -> tf.Tensor:  # noqa: A001
    """``x1 ** x2``. Unsigned integers are computed modulo 2**64 (TF has no unsigned Pow)."""
    a, b = operands(x1, x2)
    if a.dtype.is_unsigned:
        wide_a = tf.bitcast(a, tf.int64) if a.dtype == tf.uint64 else tf.cast(a, tf.int64)
        wide_b = tf.cast(b, tf.int64)
        out = tf.math.pow(wide_a, wide_b)
        return tf.bitcast(out, tf.uint64) if a.dtype == tf.uint64 else tf.cast(out, a.dtype)
    if a.dtype.is_integer and a.dtype in (tf.int8, tf.int16):
        return tf.cast(tf.math.pow(tf.cast(a, tf.int32), tf.cast(b, tf.int32)), a.dtype)
    return tf.math.pow(a, b)


def square(x: tf.Tensor, /) -> tf.Tensor:
    """``x * x``."""
    x = tensor(x)
    return tf.math.multiply(x, x)


def reciprocal(x: tf.Tensor, /) -> tf.Tensor:
    """``1 / x``."""
    x = _inexact(x)
    return tf.math.divide(tf.ones((), x.dtype), x)


def _compare(fn: Callable[[tf.Tensor, tf.Tensor], tf.Tensor], name: str, doc: str) -> Callable[..., tf.Tensor]:
    def f(x1: Operand, x2: Operand, /) -> tf.Tensor:
        a, b = operands(x1, x2)
        return fn(a, b)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc + " (operands promoted by the spec's rules)."
    return f


equal = _compare(tf.math.equal, "equal", "``x1 == x2``")
not_equal = _compare(tf.math.not_equal, "not_equal", "``x1 != x2``")
less = _compare(tf.math.less, "less", "``x1 < x2``")
less_equal = _compare(tf.math.less_equal, "less_equal", "``x1 <= x2``")
greater = _compare(tf.math.greater, "greater", "``x1 > x2``")
greater_equal = _compare(tf.math.greater_equal, "greater_equal", "``x1 >= x2``")


def _as_bool(x: Any) -> tf.Tensor:
    x = tensor(x)
    return x if x.dtype == tf.bool else tf.not_equal(x, _zero(x))


def logical_and(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """Logical AND (non-bool inputs are tested for non-zero)."""
    a, b = operands(x1, x2)
    return tf.math.logical_and(_as_bool(a), _as_bool(b))


def logical_or(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """Logical OR (non-bool inputs are tested for non-zero)."""
    a, b = operands(x1, x2)
    return tf.math.logical_or(_as_bool(a), _as_bool(b))


def logical_xor(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """Logical XOR (non-bool inputs are tested for non-zero)."""
    a, b = operands(x1, x2)
    return tf.math.logical_xor(_as_bool(a), _as_bool(b))


def logical_not(x: tf.Tensor, /) -> tf.Tensor:
    """Logical NOT (non-bool input is tested for non-zero)."""
    return tf.math.logical_not(_as_bool(x))


def bitwise_and(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """Bitwise AND of integers or booleans."""
    a, b = operands(x1, x2)
    return tf.math.logical_and(a, b) if a.dtype == tf.bool else tf.bitwise.bitwise_and(a, b)


def bitwise_or(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """Bitwise OR of integers or booleans."""
    a, b = operands(x1, x2)
    return tf.math.logical_or(a, b) if a.dtype == tf.bool else tf.bitwise.bitwise_or(a, b)


def bitwise_xor(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """Bitwise XOR of integers or booleans."""
    a, b = operands(x1, x2)
    return tf.math.logical_xor(a, b) if a.dtype == tf.bool else tf.bitwise.bitwise_xor(a, b)


def bitwise_invert(x: tf.Tensor, /) -> tf.Tensor:
    """Bitwise NOT of integers or booleans."""
    x = tensor(x)
    return tf.math.logical_not(x) if x.dtype == tf.bool else tf.bitwise.invert(x)


def bitwise_left_shift(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``x1 << x2``; shifting by the bit width or more gives 0 (TF leaves it undefined)."""
    a, b = operands(x1, x2)
    bits = a.dtype.size * 8
    too_far = tf.greater_equal(b, tf.constant(bits, b.dtype))
    shifted = tf.bitwise.left_shift(a, tf.where(too_far, _zero(b), b))
    return tf.where(too_far, _zero(a), shifted)


def bitwise_right_shift(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``x1 >> x2`` (arithmetic); shifting by the bit width or more gives 0 or -1."""
    a, b = operands(x1, x2)
    bits = a.dtype.size * 8
    too_far = tf.greater_equal(b, tf.constant(bits, b.dtype))
    shifted = tf.bitwise.right_shift(a, tf.where(too_far, _zero(b), b))
    fill = tf.where(tf.less(a, _zero(a)), tf.constant(-1, a.dtype), _zero(a)) if not a.dtype.is_unsigned else tf.zeros_like(a)
    return tf.where(too_far, fill, shifted)


def _rounding(fn: Callable[[tf.Tensor], tf.Tensor], name: str, doc: str) -> Callable[[tf.Tensor], tf.Tensor]:
    def f(x: tf.Tensor, /) -> tf.Tensor:
        x = tensor(x)
        if x.dtype.is_integer or x.dtype == tf.bool:
            return x  # integers are already whole; TF has no integer kernels for these
        if x.dtype.is_complex:
            return tf.complex(fn(tf.math.real(x)), fn(tf.math.imag(x)))
        return fn(x)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


ceil = _rounding(tf.math.ceil, "ceil", "Round towards +infinity (integers unchanged).")
floor = _rounding(tf.math.floor, "floor", "Round towards -infinity (integers unchanged).")
# TF's Round rounds half to even, as the spec asks.
round = _rounding(tf.math.round, "round", "Round to the nearest integer, halves to even.")  # noqa: A001
trunc = _rounding(
    lambda x: tf.where(tf.less(x, _zero(x)), tf.math.ceil(x), tf.math.floor(x)),
    "trunc", "Round towards zero (integers unchanged); keeps the sign of zero.",
)


def sign(x: tf.Tensor, /) -> tf.Tensor:
    """-1, 0 or +1 (``x / |x|`` for complex, 0 at 0); NaN gives NaN."""
    x = tensor(x)
    if x.dtype.is_unsigned:
        return tf.cast(tf.greater(x, _zero(x)), x.dtype)  # no unsigned Sign kernel
    if x.dtype.is_floating:
        return tf.where(tf.math.is_nan(x), x, tf.math.sign(x))
    return tf.math.sign(x)


def _bits_of(x: tf.Tensor) -> tf.Tensor:
    return tf.bitcast(x, {tf.float32: tf.int32, tf.float64: tf.int64, tf.float16: tf.int16}[x.dtype])


def signbit(x: tf.Tensor, /) -> tf.Tensor:
    """Whether the sign bit is set (true for -0.0 and negative NaNs)."""
    x = tensor(x)
    if x.dtype.is_floating:
        bits = _bits_of(x)
        return tf.less(bits, tf.zeros((), bits.dtype))  # TF has no signbit; read the IEEE bit
    if x.dtype.is_unsigned or x.dtype == tf.bool:
        return tf.zeros_like(x, tf.bool)
    return tf.less(x, _zero(x))


def copysign(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``|x1|`` with the sign bit of ``x2`` (NaN signs included), done on the IEEE bits."""
    a, b = operands(x1, x2)
    if not a.dtype.is_floating:
        a, b = tf.cast(a, default_float()), tf.cast(b, default_float())
    ia, ib = _bits_of(a), _bits_of(b)
    int_dtype = ia.dtype
    sign_mask = tf.constant(np.iinfo(int_dtype.as_numpy_dtype).min, int_dtype)
    out = tf.bitwise.bitwise_or(
        tf.bitwise.bitwise_and(ia, tf.bitwise.invert(sign_mask)), tf.bitwise.bitwise_and(ib, sign_mask)
    )
    return tf.bitcast(out, a.dtype)


def nextafter(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """The next representable value after ``x1`` towards ``x2``; ``x2`` itself when equal."""
    a, b = operands(x1, x2)
    # TF returns x1 when x1 == x2, so nextafter(-0.0, +0.0) kept -0.0; the spec says x2.
    return tf.where(tf.equal(a, b), b, tf.math.nextafter(a, b))


def hypot(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``sqrt(x1**2 + x2**2)`` without overflow; infinity wins over NaN, as the spec says."""
    a, b = operands(x1, x2)
    if not a.dtype.is_floating:
        a, b = tf.cast(a, default_float()), tf.cast(b, default_float())
    a, b = tf.math.abs(a), tf.math.abs(b)
    big, small = tf.maximum(a, b), tf.minimum(a, b)
    safe_big = tf.where(tf.equal(big, _zero(big)), tf.ones((), big.dtype), big)
    ratio = small / safe_big
    out = big * tf.math.sqrt(1 + ratio * ratio)
    inf = tf.constant(np.inf, a.dtype)
    out = tf.where(tf.math.is_nan(a) | tf.math.is_nan(b), tf.constant(np.nan, a.dtype), out)
    return tf.where(tf.equal(a, inf) | tf.equal(b, inf), inf, out)


def logaddexp(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``log(exp(x1) + exp(x2))`` without overflow; +inf with any non-NaN gives +inf."""
    a, b = operands(x1, x2)
    if not a.dtype.is_floating:
        a, b = tf.cast(a, default_float()), tf.cast(b, default_float())
    big = tf.maximum(a, b)
    out = big + tf.math.log1p(tf.math.exp(-tf.math.abs(a - b)))
    # equal arguments (both infinite included, where a - b is NaN): log(2 e^a) = a + log 2
    return tf.where(tf.equal(a, b), a + tf.constant(math.log(2.0), a.dtype), out)


def atan2(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """The angle of ``(x2, x1)``, with C99's signed-zero and infinity cases."""
    a, b = operands(x1, x2)
    if not a.dtype.is_floating:
        a, b = tf.cast(a, default_float()), tf.cast(b, default_float())
    return tf.math.atan2(a, b)


def maximum(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """Elementwise maximum; NaN in either gives NaN."""
    a, b = operands(x1, x2)
    if a.dtype == tf.bool:
        return tf.math.logical_or(a, b)
    return tf.math.maximum(a, b)  # TF propagates NaN (measured), as the spec asks


def minimum(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """Elementwise minimum; NaN in either gives NaN."""
    a, b = operands(x1, x2)
    if a.dtype == tf.bool:
        return tf.math.logical_and(a, b)
    return tf.math.minimum(a, b)


def _bound(value: Any, x: tf.Tensor) -> tf.Tensor:
    """A clip bound as a tensor of ``x``'s dtype; integer scalars are clamped to the dtype's range."""
    if isinstance(value, (bool, int, float)):
        if x.dtype.is_integer:
            info = iinfo(x.dtype)
            value = min(max(value, info.min), info.max)
            if isinstance(value, float):
                value = math.floor(value) if value >= 0 else math.ceil(value)
        return tf.constant(value, x.dtype)
    value = tensor(value)
    return value if value.dtype == x.dtype else tf.cast(value, x.dtype)


def clip(
    x: tf.Tensor, /, min: Optional[Operand] = None, max: Optional[Operand] = None  # noqa: A002
) -> tf.Tensor:
    """Clamp to ``[min, max]``; the result keeps ``x``'s dtype and NaNs propagate."""
    x = tensor(x)
    out = x
    if min is not None:
        out = tf.math.maximum(out, _bound(min, x))
    if max is not None:
        out = tf.math.minimum(out, _bound(max, x))
    if min is None and max is None:
        return x
    shape = tf.broadcast_dynamic_shape(tf.shape(x), tf.shape(out))
    return tf.broadcast_to(out, shape) if out.shape != x.shape else out


def conj(x: tf.Tensor, /) -> tf.Tensor:
    """Complex conjugate (real input returned as is)."""
    x = tensor(x)
    return tf.math.conj(x) if x.dtype.is_complex else x


def real(x: tf.Tensor, /) -> tf.Tensor:
    """Real part (real input returned as is)."""
    x = tensor(x)
    return tf.math.real(x) if x.dtype.is_complex else x


def imag(x: tf.Tensor, /) -> tf.Tensor:
    """Imaginary part (zeros for real input)."""
    x = tensor(x)
    return tf.math.imag(x) if x.dtype.is_complex else tf.zeros_like(x)


def isnan(x: tf.Tensor, /) -> tf.Tensor:
    """NaN test; a complex number is NaN when either part is (all false for integers)."""
    x = tensor(x)
    if x.dtype.is_complex:
        return tf.math.is_nan(tf.math.real(x)) | tf.math.is_nan(tf.math.imag(x))
    if x.dtype.is_floating:
        return tf.math.is_nan(x)
    return tf.zeros_like(x, tf.bool)


def isinf(x: tf.Tensor, /) -> tf.Tensor:
    """Infinity test; a complex number is infinite when either part is."""
    x = tensor(x)
    if x.dtype.is_complex:
        return tf.math.is_inf(tf.math.real(x)) | tf.math.is_inf(tf.math.imag(x))
    if x.dtype.is_floating:
        return tf.math.is_inf(x)
    return tf.zeros_like(x, tf.bool)


def isfinite(x: tf.Tensor, /) -> tf.Tensor:
    """Finiteness test; a complex number is finite when both parts are."""
    x = tensor(x)
    if x.dtype.is_complex:
        return tf.math.is_finite(tf.math.real(x)) & tf.math.is_finite(tf.math.imag(x))
    if x.dtype.is_floating:
        return tf.math.is_finite(x)
    return tf.ones_like(x, tf.bool)

