"""Elementwise functions with the spec's promotion and special cases.

Each function has two paths. The fast one takes eager tensors of one dtype (or a tensor and a
Python scalar the spec casts to its dtype) for which TF's raw op already gives the spec's
answer, and calls ``tf.raw_ops`` directly. The general one promotes by the spec's table (Python
scalars are weak), converts other inputs, and applies the workaround written next to each
function where a TF kernel is missing for a dtype or disagrees with the spec's special cases.
Inside ``tf.function`` the general path builds the same graph as the fast one for those dtypes.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Union

import numpy as np
import tensorflow as tf

from . import _complex
from ._dtypes import default_float, iinfo
from ._fast import ALL, EAGER, INEXACT, INTEGERS, NUMERIC, REAL, REAL_FLOATS, SIGNED, ids, int_fits, raw
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

Operand = Any  # a tensor or a Python scalar (tf.Tensor is untyped, so a Union would only hide that)
Unary = Callable[[Any], tf.Tensor]
Binary = Callable[[Any, Any], tf.Tensor]
R = tf.raw_ops
_BOOL = frozenset({tf.bool})


def _zero(x: tf.Tensor) -> tf.Tensor:
    return tf.zeros((), x.dtype)


def _inexact(x: Any) -> tf.Tensor:
    """``x`` as a floating or complex tensor (integers and bools become the default float)."""
    x = tensor(x)
    return x if (x.dtype.is_floating or x.dtype.is_complex) else tf.cast(x, default_float())


def _unary(name: str, doc: str, op: Unary, fast: frozenset[Any], general: Optional[Unary] = None) -> Unary:
    """A one-argument function: ``op`` at once for an eager tensor of a ``fast`` dtype.

    ``general`` (default: ``op`` on the input made inexact) handles everything else.
    """
    def inexact_op(x: Any) -> tf.Tensor:
        return op(_inexact(x))

    other = general or inexact_op
    fast_ids = ids(fast)

    def f(x: tf.Tensor, /) -> tf.Tensor:
        if type(x) is EAGER and id(x.dtype) in fast_ids:
            return op(x)
        return other(x)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


def _scalar_fits(value: Any, dtype: tf.DType) -> bool:
    """Whether a Python scalar may go to the raw op as is: the weak-scalar rule, with no overflow."""
    kind = type(value)
    if kind is float:
        return dtype in REAL_FLOATS
    if kind is int:
        return dtype in REAL_FLOATS or (dtype in INTEGERS and int_fits(value, dtype))
    return False


def _binary(name: str, doc: str, op: Binary, fast: frozenset[Any], general: Optional[Binary] = None) -> Callable[..., tf.Tensor]:
    """A two-argument function: ``op`` at once for eager tensors of one ``fast`` dtype, or one
    such tensor and a Python scalar that the weak-scalar rule casts to its dtype.

    ``general`` (default: ``op`` on the promoted operands) handles everything else.
    """
    def promoted_op(x1: Any, x2: Any) -> tf.Tensor:
        a, b = operands(x1, x2)
        return op(a, b)

    other = general or promoted_op
    fast_ids = ids(fast)

    def f(x1: Operand, x2: Operand, /) -> tf.Tensor:
        if type(x1) is EAGER:
            dt = x1.dtype
            if id(dt) in fast_ids and (x2.dtype is dt if type(x2) is EAGER else _scalar_fits(x2, dt)):
                return op(x1, x2)
        elif type(x2) is EAGER:
            dt = x2.dtype
            if id(dt) in fast_ids and _scalar_fits(x1, dt):
                return op(x1, x2)
        return other(x1, x2)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


# --- floating functions ------------------------------------------------------------------

_INT_NOTE = "\n\nInteger inputs are computed in the default float (the spec leaves them undefined)."


def _float_fn(name: str, doc: str, op: Unary, fast: frozenset[Any] = INEXACT, general: Optional[Unary] = None) -> Unary:
    return _unary(name, doc + _INT_NOTE, op, fast, general)


# TF's kernels follow C99/IEEE special cases for these, which is what the spec lists.
acos = _float_fn("acos", "Inverse cosine.", raw("Acos"))
acosh = _float_fn("acosh", "Inverse hyperbolic cosine.", raw("Acosh"))
asin = _float_fn("asin", "Inverse sine.", raw("Asin"))
asinh = _float_fn("asinh", "Inverse hyperbolic sine.", raw("Asinh"))
atan = _float_fn("atan", "Inverse tangent.", raw("Atan"))
atanh = _float_fn("atanh", "Inverse hyperbolic tangent.", raw("Atanh"))
cos = _float_fn("cos", "Cosine.", raw("Cos"))
cosh = _float_fn("cosh", "Hyperbolic cosine.", raw("Cosh"))
exp = _float_fn("exp", "Exponential.", raw("Exp"))
sin = _float_fn("sin", "Sine.", raw("Sin"))
sinh = _float_fn("sinh", "Hyperbolic sine.", raw("Sinh"))
sqrt = _float_fn("sqrt", "Square root.", raw("Sqrt"))
tan = _float_fn("tan", "Tangent.", raw("Tan"))
tanh = _float_fn("tanh", "Hyperbolic tangent.", raw("Tanh"))


def _real_or_complex(real_op: Unary, complex_op: Unary) -> Unary:
    def general(x: Any) -> tf.Tensor:
        x = _inexact(x)
        return complex_op(x) if x.dtype.is_complex else real_op(x)

    return general


def _log_of(base: Optional[float]) -> Unary:
    """Real ``log(x) / log(base)`` (TF has no log2 or log10 kernel)."""
    if base is None:
        return raw("Log")
    scale = math.log(base)
    return lambda x: R.RealDiv(x=R.Log(x=x), y=tf.constant(scale, x.dtype))


def _hypot(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    return hypot(a, b)


# TF's complex kernels miss the spec's special cases at infinities and NaN, and log2 as a
# complex division turns inf into NaN: complex input goes through _complex, part by part.
expm1 = _float_fn("expm1", "``exp(x) - 1``, accurate near zero.", raw("Expm1"), REAL_FLOATS,
                  _real_or_complex(raw("Expm1"), _complex.expm1))
log1p = _float_fn("log1p", "``log(1 + x)``, accurate near zero.", raw("Log1p"), REAL_FLOATS,
                  _real_or_complex(raw("Log1p"), lambda z: _complex.log1p(z, _hypot)))
log = _float_fn("log", "Natural logarithm.", _log_of(None), REAL_FLOATS,
                _real_or_complex(_log_of(None), lambda z: _complex.log(z, _hypot)))
log2 = _float_fn("log2", "Base-2 logarithm.", _log_of(2.0), REAL_FLOATS,
                 _real_or_complex(_log_of(2.0), lambda z: _complex.scaled_log(z, 2.0, _hypot)))
log10 = _float_fn("log10", "Base-10 logarithm.", _log_of(10.0), REAL_FLOATS,
                  _real_or_complex(_log_of(10.0), lambda z: _complex.scaled_log(z, 10.0, _hypot)))


reciprocal = _float_fn("reciprocal", "``1 / x``.", raw("Reciprocal"))


# --- sign and magnitude -------------------------------------------------------------------

def _abs_general(x: Any) -> tf.Tensor:
    x = tensor(x)
    if x.dtype.is_unsigned or x.dtype == tf.bool:
        return x  # TF's Abs kernel has no unsigned version; |x| == x there
    return tf.math.abs(x)  # complex: the real magnitude


abs = _unary("abs", "Absolute value (complex input gives the real magnitude).",  # noqa: A001
             raw("Abs"), REAL_FLOATS | SIGNED, _abs_general)


def positive(x: tf.Tensor, /) -> tf.Tensor:
    """``+x``."""
    return x if type(x) is EAGER else tensor(x)


def _negative_general(x: Any) -> tf.Tensor:
    x = tensor(x)
    if x.dtype.is_unsigned:
        return R.Sub(x=_zero(x), y=x)  # no unsigned Neg kernel; 0 - x wraps the same
    return R.Neg(x=x)


negative = _unary("negative", "``-x`` (unsigned integers wrap around, as in the spec).",
                  raw("Neg"), INEXACT | SIGNED, _negative_general)


def _square_general(x: Any) -> tf.Tensor:
    x = tensor(x)
    return R.Mul(x=x, y=x)


_MUL = raw("Mul")
square = _unary("square", "``x * x``.", lambda x: _MUL(x, x), NUMERIC, _square_general)


# --- arithmetic ---------------------------------------------------------------------------

add = _binary("add", "``x1 + x2`` with the spec's promotion.", raw("AddV2"), NUMERIC)
subtract = _binary("subtract", "``x1 - x2`` with the spec's promotion.", raw("Sub"), NUMERIC)
multiply = _binary("multiply", "``x1 * x2`` with the spec's promotion.", raw("Mul"), NUMERIC)


def _divide_general(x1: Any, x2: Any) -> tf.Tensor:
    a, b = operands(x1, x2)
    if not (a.dtype.is_floating or a.dtype.is_complex):
        a, b = tf.cast(a, default_float()), tf.cast(b, default_float())
    return R.RealDiv(x=a, y=b)


divide = _binary("divide", "True division; integer operands are divided in the default float.",
                 raw("RealDiv"), INEXACT, _divide_general)


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


def _pow_general(x1: Any, x2: Any) -> tf.Tensor:
    a, b = operands(x1, x2)
    if a.dtype.is_unsigned:  # TF has no unsigned Pow: compute modulo 2**64
        wide_a = tf.bitcast(a, tf.int64) if a.dtype == tf.uint64 else tf.cast(a, tf.int64)
        wide_b = tf.cast(b, tf.int64)
        out = R.Pow(x=wide_a, y=wide_b)
        return tf.bitcast(out, tf.uint64) if a.dtype == tf.uint64 else tf.cast(out, a.dtype)
    if a.dtype in (tf.int8, tf.int16):  # nor an int8/int16 one
        return tf.cast(R.Pow(x=tf.cast(a, tf.int32), y=tf.cast(b, tf.int32)), a.dtype)
    return R.Pow(x=a, y=b)


pow = _binary("pow", "``x1 ** x2``. Unsigned integers are computed modulo 2**64 (TF has no unsigned Pow).",  # noqa: A001
              raw("Pow"), INEXACT | frozenset({tf.int32, tf.int64}), _pow_general)


# --- comparisons and logic ----------------------------------------------------------------

def _compare(name: str, symbol: str, op: Binary, fast: frozenset[Any]) -> Callable[..., tf.Tensor]:
    return _binary(name, f"``x1 {symbol} x2`` (operands promoted by the spec's rules).", op, fast)


equal = _compare("equal", "==", raw("Equal"), ALL)
not_equal = _compare("not_equal", "!=", raw("NotEqual"), ALL)
less = _compare("less", "<", raw("Less"), REAL)
less_equal = _compare("less_equal", "<=", raw("LessEqual"), REAL)
greater = _compare("greater", ">", raw("Greater"), REAL)
greater_equal = _compare("greater_equal", ">=", raw("GreaterEqual"), REAL)


def _as_bool(x: Any) -> tf.Tensor:
    x = tensor(x)
    return x if x.dtype == tf.bool else tf.not_equal(x, _zero(x))


def _logical(name: str, doc: str, op: Binary) -> Callable[..., tf.Tensor]:
    def general(x1: Any, x2: Any) -> tf.Tensor:
        a, b = operands(x1, x2)
        return op(_as_bool(a), _as_bool(b))

    return _binary(name, doc + " (non-bool inputs are tested for non-zero).", op, _BOOL, general)


logical_and = _logical("logical_and", "Logical AND", raw("LogicalAnd"))
logical_or = _logical("logical_or", "Logical OR", raw("LogicalOr"))
logical_xor = _logical("logical_xor", "Logical XOR", raw("NotEqual"))  # xor of bools is !=
logical_not = _unary("logical_not", "Logical NOT (non-bool input is tested for non-zero).",
                     raw("LogicalNot"), _BOOL, lambda x: R.LogicalNot(x=_as_bool(x)))


def _bitwise(name: str, doc: str, int_op: Binary, bool_op: Binary) -> Callable[..., tf.Tensor]:
    def general(x1: Any, x2: Any) -> tf.Tensor:
        a, b = operands(x1, x2)
        return bool_op(a, b) if a.dtype == tf.bool else int_op(a, b)

    return _binary(name, doc + " of integers or booleans.", int_op, INTEGERS, general)


bitwise_and = _bitwise("bitwise_and", "Bitwise AND", raw("BitwiseAnd"),
                       raw("LogicalAnd"))
bitwise_or = _bitwise("bitwise_or", "Bitwise OR", raw("BitwiseOr"),
                      raw("LogicalOr"))
bitwise_xor = _bitwise("bitwise_xor", "Bitwise XOR", raw("BitwiseXor"),
                       raw("NotEqual"))


def _invert_general(x: Any) -> tf.Tensor:
    x = tensor(x)
    return R.LogicalNot(x=x) if x.dtype == tf.bool else R.Invert(x=x)


bitwise_invert = _unary("bitwise_invert", "Bitwise NOT of integers or booleans.",
                        raw("Invert"), INTEGERS, _invert_general)


def bitwise_left_shift(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``x1 << x2``; shifting by the bit width or more gives 0 (TF leaves it undefined)."""
    a, b = operands(x1, x2)
    bits = a.dtype.size * 8
    too_far = tf.greater_equal(b, tf.constant(bits, b.dtype))
    shifted = R.LeftShift(x=a, y=tf.where(too_far, _zero(b), b))
    return tf.where(too_far, _zero(a), shifted)


def bitwise_right_shift(x1: Operand, x2: Operand, /) -> tf.Tensor:
    """``x1 >> x2`` (arithmetic); shifting by the bit width or more gives 0 or -1."""
    a, b = operands(x1, x2)
    bits = a.dtype.size * 8
    too_far = tf.greater_equal(b, tf.constant(bits, b.dtype))
    shifted = R.RightShift(x=a, y=tf.where(too_far, _zero(b), b))
    fill = tf.where(tf.less(a, _zero(a)), tf.constant(-1, a.dtype), _zero(a)) if not a.dtype.is_unsigned else tf.zeros_like(a)
    return tf.where(too_far, fill, shifted)


# --- rounding, signs and bits -------------------------------------------------------------

def _rounding(name: str, doc: str, fn: Unary) -> Unary:
    def general(x: Any) -> tf.Tensor:
        x = tensor(x)
        if x.dtype.is_integer or x.dtype == tf.bool:
            return x  # integers are already whole; TF has no integer kernels for these
        if x.dtype.is_complex:
            return tf.complex(fn(tf.math.real(x)), fn(tf.math.imag(x)))
        return fn(x)

    return _unary(name, doc, fn, REAL_FLOATS, general)


ceil = _rounding("ceil", "Round towards +infinity (integers unchanged).", raw("Ceil"))
floor = _rounding("floor", "Round towards -infinity (integers unchanged).", raw("Floor"))
# TF's Round rounds half to even, as the spec asks.
round = _rounding("round", "Round to the nearest integer, halves to even.", raw("Round"))  # noqa: A001
trunc = _rounding(
    "trunc", "Round towards zero (integers unchanged); keeps the sign of zero.",
    lambda x: R.SelectV2(condition=R.Less(x=x, y=_zero(x)), t=R.Ceil(x=x), e=R.Floor(x=x)),
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


def _atan2_general(x1: Any, x2: Any) -> tf.Tensor:
    a, b = operands(x1, x2)
    if not a.dtype.is_floating:
        a, b = tf.cast(a, default_float()), tf.cast(b, default_float())
    return R.Atan2(y=a, x=b)


atan2 = _binary("atan2", "The angle of ``(x2, x1)``, with C99's signed-zero and infinity cases.",
                raw("Atan2"), REAL_FLOATS, _atan2_general)


def _extremum(name: str, doc: str, op: Binary, bool_op: Binary) -> Callable[..., tf.Tensor]:
    def general(x1: Any, x2: Any) -> tf.Tensor:
        a, b = operands(x1, x2)
        return bool_op(a, b) if a.dtype == tf.bool else op(a, b)

    # TF's Maximum/Minimum propagate NaN (measured), as the spec asks.
    return _binary(name, doc + "; NaN in either gives NaN.", op, REAL, general)


maximum = _extremum("maximum", "Elementwise maximum", raw("Maximum"),
                    raw("LogicalOr"))
minimum = _extremum("minimum", "Elementwise minimum", raw("Minimum"),
                    raw("LogicalAnd"))


# --- clipping and complex parts -----------------------------------------------------------

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


def _classify(name: str, doc: str, op: Unary, complex_combine: Binary, other_dtypes: bool) -> Unary:
    def general(x: Any) -> tf.Tensor:
        x = tensor(x)
        if x.dtype.is_complex:
            return complex_combine(op(tf.math.real(x)), op(tf.math.imag(x)))
        if x.dtype.is_floating:
            return op(x)
        return tf.fill(tf.shape(x), other_dtypes)  # integers and bools are always finite numbers

    return _unary(name, doc, op, REAL_FLOATS, general)


isnan = _classify("isnan", "NaN test; a complex number is NaN when either part is (all false for integers).",
                  raw("IsNan"), raw("LogicalOr"), False)
isinf = _classify("isinf", "Infinity test; a complex number is infinite when either part is.",
                  raw("IsInf"), raw("LogicalOr"), False)
isfinite = _classify("isfinite", "Finiteness test; a complex number is finite when both parts are.",
                     raw("IsFinite"), raw("LogicalAnd"), True)
