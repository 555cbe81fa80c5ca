"""An oracle for conversions that shares none of unibridge's casting code.

Values are exact rationals (:class:`fractions.Fraction`), NaN and signed
infinities; a float format is its significand width and exponent range, and
rounding to it is done here with integer arithmetic (round to nearest, ties to
even, subnormals included). Nothing here calls NumPy's casting: NumPy is only
asked for format facts (``iinfo``, ``finfo``) and for its promotion table.

Example:
    >>> from fractions import Fraction
    >>> rounded(Fraction(1, 10), "float32") == Fraction(13421773, 134217728)
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

import numpy as np

NAN = "nan"
Real = Union[Fraction, float, str]  # a Fraction, ±inf (float), or NAN
Value = Union[Real, tuple[Real, Real]]  # complex values are (real, imag)

INTEGER_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64}
FLOATS = ("float16", "bfloat16", "float32", "float64")
COMPLEX_PART = {"complex64": "float32", "complex128": "float64"}


@dataclass(frozen=True)
class FloatFormat:
    precision: int  # significand bits, the implicit one included
    emin: int  # exponent of the smallest normal
    emax: int  # exponent of the largest finite

    @property
    def max(self) -> Fraction:
        return (2 - Fraction(1, 2 ** (self.precision - 1))) * Fraction(2) ** self.emax

    @property
    def tiny(self) -> Fraction:
        return Fraction(2) ** self.emin

    @property
    def smallest_subnormal(self) -> Fraction:
        return Fraction(2) ** (self.emin - self.precision + 1)


def float_format(name: str) -> FloatFormat:
    """The format of a float dtype, from NumPy's (or ml_dtypes') finfo facts."""
    if name == "bfloat16":
        import ml_dtypes

        info: Any = ml_dtypes.finfo(ml_dtypes.bfloat16)
    else:
        info = np.finfo(np.dtype(name))
    return FloatFormat(precision=int(info.nmant) + 1, emin=int(info.minexp), emax=int(info.maxexp) - 1)


def integer_range(name: str) -> tuple[int, int]:
    bits = INTEGER_BITS[name]
    return (0, 2**bits - 1) if name.startswith("u") else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def value(x: Any) -> Value:
    """The exact value of a Python or NumPy scalar."""
    if isinstance(x, (bool, np.bool_)):
        return Fraction(int(x))
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, (complex, np.complexfloating)):
        z = complex(x)  # complex64 -> complex is exact
        return (_real(z.real), _real(z.imag))
    return _real(float(x))  # float16/bfloat16/float32 -> Python float is exact


def _real(f: float) -> Real:
    if math.isnan(f):
        return NAN
    if math.isinf(f):
        return f
    return Fraction(f)


def rounded(v: Real, dtype: str) -> Real:
    """``v`` rounded to the float format ``dtype`` (ties to even); ±inf past the range."""
    if v == NAN or isinstance(v, float):
        return v
    fmt = float_format(dtype)
    assert isinstance(v, Fraction)
    if v == 0:
        return v
    sign = -1 if v < 0 else 1
    a = abs(v)
    e = a.numerator.bit_length() - a.denominator.bit_length()  # 2**e <= a < 2**(e+2)
    if Fraction(2) ** e > a:
        e -= 1
    if Fraction(2) ** (e + 1) <= a:
        e += 1
    e = max(e, fmt.emin)  # subnormals share the smallest exponent
    quantum = Fraction(2) ** (e - fmt.precision + 1)
    n = a / quantum
    m = n.numerator // n.denominator
    rest = n - m
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and m % 2 == 1):
        m += 1
    result = m * quantum
    if result > fmt.max:
        return sign * math.inf
    return sign * result


def representable(v: Value, dtype: str) -> bool:
    """Whether ``v`` is exactly a value of ``dtype``."""
    if dtype == "bool":
        return v in (Fraction(0), Fraction(1)) if not isinstance(v, tuple) else (
            v[1] == 0 and v[0] in (Fraction(0), Fraction(1))
        )
    if isinstance(v, tuple):
        if dtype in COMPLEX_PART:
            return representable(v[0], COMPLEX_PART[dtype]) and representable(v[1], COMPLEX_PART[dtype])
        return v[1] == 0 and representable(v[0], dtype)
    if dtype in COMPLEX_PART:
        return representable(v, COMPLEX_PART[dtype])
    if dtype in INTEGER_BITS:
        lo, hi = integer_range(dtype)
        return isinstance(v, Fraction) and v.denominator == 1 and lo <= v <= hi
    if v == NAN or isinstance(v, float):
        return True
    return rounded(v, dtype) == v


def converted(v: Value, dtype: str) -> Value | None:
    """What ``v`` must become when a cast to ``dtype`` may round but not overflow.

    None when it cannot: an integer out of range, a finite value rounding to
    infinity, or a value of a higher kind (a fraction for an integer type, an
    imaginary part for a real type).
    """
    if isinstance(v, tuple):
        if dtype in COMPLEX_PART:
            parts = (converted(v[0], COMPLEX_PART[dtype]), converted(v[1], COMPLEX_PART[dtype]))
            return None if None in parts else parts  # type: ignore[return-value]
        return converted(v[0], dtype) if v[1] == 0 else None
    if dtype in COMPLEX_PART:
        part = converted(v, COMPLEX_PART[dtype])
        return None if part is None else (part, Fraction(0))
    if dtype == "bool" or dtype in INTEGER_BITS:
        return v if representable(v, dtype) else None
    r = rounded(v, dtype)
    if isinstance(r, float) and not isinstance(v, float):
        return None  # a finite value would become infinite
    return r


def same(a: Value, b: Value) -> bool:
    """Exact equality of values, NaN equal to NaN, -0.0 equal to 0.0 (Fractions have one zero)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        a2 = a if isinstance(a, tuple) else (a, Fraction(0))
        b2 = b if isinstance(b, tuple) else (b, Fraction(0))
        return same(a2[0], b2[0]) and same(a2[1], b2[1])
    return a == b


def values_of(array: Any) -> list[Value]:
    """The exact value of every element of a NumPy array (any dtype unibridge knows)."""
    flat = np.asarray(array).reshape(-1)
    if flat.dtype.name == "bfloat16":
        return [_real(float(x)) for x in flat]
    return [value(x) for x in flat.tolist()] if flat.dtype.kind != "c" else [value(complex(x)) for x in flat]
