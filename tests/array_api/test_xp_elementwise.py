"""Elementwise functions: values against the spec's definitions, then its special cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from array_api_helpers import SETTINGS, spec_gap, to_np

inf, nan = math.inf, math.nan
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, inf, -inf, nan, 3.0, -7.0, 1e-300, 1e300]

floats = hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4),
                    elements=st.floats(allow_subnormal=False, width=64) | st.sampled_from(SPECIAL))
ints = hnp.arrays(np.int32, hnp.array_shapes(max_dims=2, max_side=4),
                  elements=st.integers(-(2**31), 2**31 - 1))

# Subnormals are left out: TF's CPU kernels flush them to zero (see DEVIATIONS.md).

# name -> the mathematical definition the spec gives (NumPy's ufunc computes it)
UNARY = {
    "abs": np.abs, "acos": np.arccos, "acosh": np.arccosh, "asin": np.arcsin, "asinh": np.arcsinh,
    "atan": np.arctan, "atanh": np.arctanh, "ceil": np.ceil, "cos": np.cos, "cosh": np.cosh,
    "exp": np.exp, "expm1": np.expm1, "floor": np.floor, "isfinite": np.isfinite, "isinf": np.isinf,
    "isnan": np.isnan, "log": np.log, "log1p": np.log1p, "log2": np.log2, "log10": np.log10,
    "negative": np.negative, "positive": np.positive, "reciprocal": np.reciprocal, "round": np.round,
    "sign": np.sign, "signbit": np.signbit, "sin": np.sin, "sinh": np.sinh, "square": np.square,
    "sqrt": np.sqrt, "tan": np.tan, "tanh": np.tanh, "trunc": np.trunc,
}
def spec_floor_divide(a, b):
    """NumPy's ``//`` except with an infinite operand, where the spec says ``floor(a / b)``."""
    return np.where(np.isinf(a) | np.isinf(b), np.floor(np.divide(a, b)), np.floor_divide(a, b))


BINARY = {
    "add": np.add, "atan2": np.arctan2, "copysign": np.copysign, "divide": np.divide,
    "equal": np.equal, "floor_divide": spec_floor_divide, "greater": np.greater,
    "greater_equal": np.greater_equal, "hypot": np.hypot, "less": np.less, "less_equal": np.less_equal,
    "logaddexp": np.logaddexp, "maximum": np.maximum, "minimum": np.minimum, "multiply": np.multiply,
    "nextafter": np.nextafter, "not_equal": np.not_equal, "pow": np.power, "remainder": np.remainder,
    "subtract": np.subtract,
}


def assert_close(actual, expected, rtol=1e-12):
    np.testing.assert_allclose(to_np(actual), expected, rtol=rtol, atol=1e-300, equal_nan=True)


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(a=floats)
def test_unary_matches_definition(xp, name, a):
    with np.errstate(all="ignore"):
        expected = UNARY[name](a)
    out = getattr(xp, name)(xp.asarray(a))
    assert out.shape == a.shape
    rtol = 1e-7 if name in ("log2", "log10", "tan", "acosh", "asinh", "atanh") else 1e-12
    assert_close(out, expected, rtol=rtol)


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(data=st.data())
def test_binary_matches_definition_and_broadcasts(xp, name, data):
    shape = data.draw(hnp.array_shapes(max_dims=2, max_side=3))
    a = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from(SPECIAL) | st.floats(-1e6, 1e6, allow_subnormal=False)))
    b = data.draw(hnp.arrays(np.float64, shape[-1:], elements=st.sampled_from(SPECIAL) | st.floats(-1e6, 1e6, allow_subnormal=False)))
    with np.errstate(all="ignore"):
        expected = BINARY[name](a, b)
    out = getattr(xp, name)(xp.asarray(a), xp.asarray(b))
    assert out.shape == expected.shape
    rtol = 1e-7 if name in ("logaddexp", "hypot", "pow") else 1e-12
    if name == "floor_divide" and xp.__name__.endswith("numpy"):
        # NumPy departs from the spec only where an operand is infinite: every other element must match.
        infinite = np.isinf(a) | np.isinf(b)
        finite = ~infinite
        np.testing.assert_allclose(to_np(out)[finite], expected[finite], rtol=rtol, atol=1e-300, equal_nan=True)
        if not np.array_equal(to_np(out)[infinite], expected[infinite], equal_nan=True):
            spec_gap(xp, "floor_divide with an infinite operand")
        return
    assert_close(out, expected, rtol=rtol)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "floor_divide", "remainder", "bitwise_and",
                                  "bitwise_or", "bitwise_xor", "maximum", "minimum"])
@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64", "uint32"])
@SETTINGS
@given(data=st.data())
def test_integer_binary_wraps_like_c(xp, name, dtype, data):
    info = np.iinfo(dtype)
    a = data.draw(hnp.arrays(dtype, 5, elements=st.integers(int(info.min), int(info.max))))
    b = data.draw(hnp.arrays(dtype, 5, elements=st.integers(int(info.min), int(info.max))))
    if name in ("floor_divide", "remainder"):
        b = np.where(b == 0, 1, b).astype(dtype)
        if info.min < 0:
            b = np.where(b == -1, 2, b).astype(dtype)  # INT_MIN // -1 overflows: undefined
    with np.errstate(all="ignore"):
        expected = getattr(np, name)(a, b)
    np.testing.assert_array_equal(to_np(getattr(xp, name)(xp.asarray(a), xp.asarray(b))), expected)


def test_pow_of_unsigned_and_small_ints(xp):
    a = xp.asarray([2, 3, 255], dtype=xp.uint8)
    assert to_np(xp.pow(a, 2)).tolist() == [4, 9, 1]  # wraps modulo 2**8
    assert to_np(xp.pow(xp.asarray([3], dtype=xp.int8), 3)).tolist() == [27]


def test_negative_and_abs_of_unsigned(xp):
    a = xp.asarray([0, 1, 200], dtype=xp.uint8)
    assert to_np(xp.negative(a)).tolist() == [0, 255, 56]
    assert to_np(xp.abs(a)).tolist() == [0, 1, 200]
    assert to_np(xp.sign(a)).tolist() == [0, 1, 1]


@pytest.mark.parametrize(
    "x1,x2,expected",
    [(7, 2, 3), (-7, 2, -4), (7, -2, -4), (-7, -2, 3)],
)
def test_integer_floor_divide_and_remainder_signs(xp, x1, x2, expected):
    a, b = xp.asarray([x1]), xp.asarray([x2])
    assert to_np(xp.floor_divide(a, b)).tolist() == [expected]
    r = int(to_np(xp.remainder(a, b))[0])
    assert r == x1 - expected * x2 and (r == 0 or (r > 0) == (x2 > 0))


def test_float_floor_divide_is_pythons(xp):
    out = to_np(xp.floor_divide(xp.asarray([1.0, -1.0, 7.5]), xp.asarray([0.1, 0.1, 2.0])))
    assert out.tolist() == [1.0 // 0.1, -1.0 // 0.1, 7.5 // 2.0]


def special(xp, name, *args):
    arrays = [xp.asarray([float(v)]) for v in args]
    return float(to_np(getattr(xp, name)(*arrays))[0])


def same(a, b):
    """Equal, with NaN equal to NaN and +0 distinct from -0."""
    if math.isnan(b):
        return math.isnan(a)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


# (function, arguments, result) lifted from the spec's "Special cases" sections
SPECIAL_CASES = [
    ("abs", (-0.0,), 0.0), ("abs", (-inf,), inf), ("ceil", (-0.5,), -0.0), ("floor", (-0.0,), -0.0),
    ("round", (0.5,), 0.0), ("round", (1.5,), 2.0), ("round", (2.5,), 2.0), ("round", (-0.5,), -0.0),
    ("trunc", (-0.7,), -0.0), ("sqrt", (-0.0,), -0.0), ("sqrt", (-1.0,), nan), ("log", (0.0,), -inf),
    ("log", (-1.0,), nan), ("log1p", (-1.0,), -inf), ("log2", (0.0,), -inf), ("log10", (1.0,), 0.0),
    ("exp", (-inf,), 0.0), ("expm1", (-0.0,), -0.0), ("tanh", (-inf,), -1.0), ("sign", (-0.0,), 0.0),
    ("sign", (nan,), nan), ("sign", (-3.0,), -1.0), ("signbit", (-0.0,), 1.0), ("signbit", (0.0,), 0.0),
    ("signbit", (-nan,), 1.0), ("reciprocal", (-0.0,), -inf),
    ("copysign", (2.0, -0.0), -2.0), ("copysign", (-2.0, 0.0), 2.0), ("copysign", (inf, -1.0), -inf),
    ("nextafter", (-0.0, 0.0), 0.0), ("nextafter", (0.0, -0.0), -0.0), ("nextafter", (nan, 1.0), nan),
    ("nextafter", (0.0, 1.0), 5e-324),
    ("hypot", (inf, nan), inf), ("hypot", (nan, -inf), inf), ("hypot", (nan, 1.0), nan),
    ("hypot", (3e300, 4e300), 5e300), ("hypot", (-0.0, 0.0), 0.0),
    ("logaddexp", (inf, 1.0), inf), ("logaddexp", (inf, inf), inf), ("logaddexp", (-inf, -inf), -inf),
    ("logaddexp", (nan, inf), nan), ("logaddexp", (1000.0, 1000.0), 1000.0 + math.log(2)),
    ("maximum", (nan, 1.0), nan), ("minimum", (1.0, nan), nan),
    ("pow", (nan, 0.0), 1.0), ("pow", (1.0, nan), 1.0), ("pow", (-0.0, -1.0), -inf), ("pow", (-inf, 3.0), -inf),
    ("pow", (0.5, inf), 0.0), ("pow", (-8.0, 1 / 3), nan),
    ("atan2", (0.0, -0.0), math.pi), ("atan2", (-0.0, -0.0), -math.pi), ("atan2", (inf, -inf), 3 * math.pi / 4),
    ("divide", (1.0, -0.0), -inf), ("divide", (0.0, 0.0), nan), ("divide", (-inf, inf), nan),
    ("floor_divide", (1.0, 0.0), inf), ("floor_divide", (-1.0, 0.0), -inf), ("floor_divide", (nan, 1.0), nan),
    ("floor_divide", (inf, 2.0), inf), ("floor_divide", (-inf, 2.0), -inf), ("floor_divide", (1.0, -inf), -0.0),
    ("remainder", (5.0, inf), 5.0), ("remainder", (-0.0, 3.0), 0.0), ("remainder", (inf, 2.0), nan),
    ("remainder", (1.0, 0.0), nan),
]


@pytest.mark.parametrize("name,args,expected", SPECIAL_CASES,
                         ids=[f"{n}{a}" for n, a, _ in SPECIAL_CASES])
def test_spec_special_cases(xp, name, args, expected):
    if name == "floor_divide" and any(math.isinf(a) for a in args) and not math.isnan(expected):
        spec_gap(xp, "floor_divide with an infinite operand (array-api-compat xfails these too)")
    assert same(special(xp, name, *args), expected), special(xp, name, *args)


# complex special cases from the spec (re, im of argument and result); sign=None: sign unspecified
COMPLEX_SPECIAL_CASES = [
    ("log", (-inf, 1.0), (inf, math.pi)), ("log", (inf, inf), (inf, math.pi / 4)), ("log", (-0.0, 0.0), (-inf, math.pi)),
    ("log", (nan, inf), (inf, nan)), ("log", (1.0, nan), (nan, nan)), ("log", (-inf, -inf), (inf, -3 * math.pi / 4)),
    ("log2", (inf, 0.0), (inf, 0.0)), ("log2", (-inf, 1.0), (inf, math.pi / math.log(2))),
    ("log10", (inf, -0.0), (inf, -0.0)), ("log10", (0.0, inf), (inf, math.pi / 2 / math.log(10))),
    ("log1p", (-1.0, 0.0), (-inf, 0.0)), ("log1p", (-inf, 1.0), (inf, math.pi)), ("log1p", (nan, inf), (inf, nan)),
    ("log1p", (inf, nan), (inf, nan)), ("log1p", (1.0, inf), (inf, math.pi / 2)), ("log1p", (0.0, -0.0), (0.0, -0.0)),
    ("expm1", (0.0, 0.0), (0.0, 0.0)), ("expm1", (-0.0, 0.0), (0.0, 0.0)), ("expm1", (-0.0, -0.0), (0.0, -0.0)), ("expm1", (inf, 0.0), (inf, 0.0)), ("expm1", (-inf, 1.0), (-1.0, 0.0)),
    ("expm1", (1.0, inf), (nan, nan)), ("expm1", (nan, 0.0), (nan, 0.0)), ("expm1", (nan, 1.0), (nan, nan)),
    ("expm1", (-inf, inf), (-1.0, None)), ("expm1", (-inf, nan), (-1.0, None)), ("expm1", (inf, nan), (None, nan)),
]


@pytest.mark.parametrize("name,arg,expected", COMPLEX_SPECIAL_CASES, ids=[f"{n}{a}" for n, a, _ in COMPLEX_SPECIAL_CASES])
def test_complex_special_cases(xp, name, arg, expected):
    with np.errstate(all="ignore"):
        out = complex(to_np(getattr(xp, name)(xp.asarray([complex(*arg)])))[0])
    for got, want in zip((out.real, out.imag), expected):
        if want is None:
            continue
        exact = want == 0 or math.isinf(want) or math.isnan(want)  # signed zeros, infinities, NaN
        if not (same(got, want) if exact else math.isclose(got, want)):
            if name == "expm1":
                spec_gap(xp, f"NumPy's complex expm1 at {arg}")
            pytest.fail(f"{name}{complex(*arg)} = {out}, expected {expected}")


@pytest.mark.parametrize("name", ["log1p", "expm1"])
def test_complex_log1p_and_expm1_keep_precision_near_zero(tfxp, name):
    z = complex(1e-10, 1e-10)
    out = complex(to_np(getattr(tfxp, name)(tfxp.asarray([z])))[0])
    series = z - z * z / 2 if name == "log1p" else z + z * z / 2
    assert math.isclose(out.real, series.real, rel_tol=1e-12) and math.isclose(out.imag, series.imag, rel_tol=1e-12)


def test_complex_predicates_and_parts(xp):
    z = xp.asarray([complex(1, nan), complex(inf, 0), complex(1, 2)])
    assert to_np(xp.isnan(z)).tolist() == [True, False, False]
    assert to_np(xp.isinf(z)).tolist() == [False, True, False]
    assert to_np(xp.isfinite(z)).tolist() == [False, False, True]
    w = xp.asarray([3 + 4j, 0j])
    np.testing.assert_allclose(to_np(xp.sign(w)), [0.6 + 0.8j, 0])
    assert to_np(xp.real(w)).tolist() == [3.0, 0.0] and to_np(xp.imag(w)).tolist() == [4.0, 0.0]
    assert to_np(xp.conj(w)).tolist() == [3 - 4j, 0j]
    np.testing.assert_allclose(to_np(xp.abs(w)), [5.0, 0.0])


def test_bitwise_shifts_and_bool_bitwise(xp):
    a = xp.asarray([1, -8, 64], dtype=xp.int8)
    assert to_np(xp.bitwise_left_shift(a, xp.asarray([2, 1, 1], dtype=xp.int8))).tolist() == [4, -16, -128]
    assert to_np(xp.bitwise_right_shift(a, xp.asarray([0, 2, 3], dtype=xp.int8))).tolist() == [1, -2, 8]
    assert to_np(xp.bitwise_invert(xp.asarray([True, False]))).tolist() == [False, True]
    assert to_np(xp.bitwise_xor(xp.asarray([True, True]), xp.asarray([True, False]))).tolist() == [False, True]
    assert to_np(xp.bitwise_invert(xp.asarray([0], dtype=xp.uint8))).tolist() == [255]


def test_logical_functions(xp):
    t, f = xp.asarray([True, True, False]), xp.asarray([True, False, False])
    assert to_np(xp.logical_and(t, f)).tolist() == [True, False, False]
    assert to_np(xp.logical_or(t, f)).tolist() == [True, True, False]
    assert to_np(xp.logical_xor(t, f)).tolist() == [False, True, False]
    assert to_np(xp.logical_not(f)).tolist() == [False, True, True]


@SETTINGS
@given(a=floats)
def test_clip_with_scalars_and_arrays(xp, a):
    out = xp.clip(xp.asarray(a), min=-1.0, max=2.0)
    assert out.dtype == xp.float64
    np.testing.assert_array_equal(to_np(out), np.clip(a, -1.0, 2.0))
    lo = xp.asarray(np.full(a.shape[-1:], -0.5))
    np.testing.assert_array_equal(to_np(xp.clip(xp.asarray(a), min=lo)), np.maximum(a, -0.5))
    np.testing.assert_array_equal(to_np(xp.clip(xp.asarray(a))), a)


def test_clip_keeps_integer_dtype_with_out_of_range_bound(xp):
    x = xp.asarray([-100, 0, 100], dtype=xp.int8)
    out = xp.clip(x, min=-10, max=1000)
    assert out.dtype == xp.int8 and to_np(out).tolist() == [-10, 0, 100]


def test_scalar_on_the_left_and_comparisons_with_scalars(xp):
    x = xp.asarray([1, 2, 3], dtype=xp.int16)
    assert xp.subtract(10, x).dtype == xp.int16
    assert to_np(xp.subtract(10, x)).tolist() == [9, 8, 7]
    assert to_np(xp.less(x, 2)).tolist() == [True, False, False]
    assert to_np(xp.equal(xp.asarray([1.0, 2.0], dtype=xp.float32), 2.0)).tolist() == [False, True]


def test_divide_keeps_float32(xp):
    x = xp.asarray([1.0, 2.0], dtype=xp.float32)
    assert xp.divide(x, 3.0).dtype == xp.float32
    assert xp.divide(x, xp.asarray([3.0], dtype=xp.float64)).dtype == xp.float64


def test_arithmetic_on_two_float_widths_promotes_to_the_wider(xp):
    a = xp.asarray([1.5, -2.0], dtype=xp.float32)
    b = xp.asarray([0.25, 4.0], dtype=xp.float64)
    for name, expected in (("add", [1.75, 2.0]), ("subtract", [1.25, -6.0]), ("multiply", [0.375, -8.0])):
        out = getattr(xp, name)(a, b)
        assert out.dtype == xp.float64 and to_np(out).tolist() == expected, name


def test_logical_functions_test_non_bool_inputs_for_non_zero(tfxp):
    a, b = np.array([0, 2, 3, 0]), np.array([3, 0, 1, 0])
    for name in ("logical_and", "logical_or", "logical_xor"):
        out = getattr(tfxp, name)(tfxp.asarray(a), tfxp.asarray(b))
        assert out.dtype == tfxp.bool and to_np(out).tolist() == getattr(np, name)(a, b).tolist(), name


@pytest.mark.parametrize("name", ["log", "log2", "log10", "log1p", "expm1"])
def test_logarithms_of_integers_are_computed_in_the_default_float(xp, name):
    a = np.array([1, 2, 8, 100])
    out = getattr(xp, name)(xp.asarray(a))
    assert out.dtype == xp.float64
    np.testing.assert_allclose(to_np(out), UNARY[name](a), rtol=1e-15)


@pytest.mark.parametrize("name", ["ceil", "floor", "round", "trunc"])
def test_rounding_leaves_integers_unchanged_in_their_dtype(xp, name):
    out = getattr(xp, name)(xp.asarray([-7, 0, 100], dtype=xp.int8))
    assert out.dtype == xp.int8 and to_np(out).tolist() == [-7, 0, 100]


def test_round_of_complex_rounds_both_parts_halves_to_even(xp):
    out = to_np(xp.round(xp.asarray([1.5 + 2.5j, -0.5 - 1.7j, 3.2 + 0.5j])))
    assert out.tolist() == [2 + 2j, -0.0 - 2j, 3 + 0j]
    assert math.copysign(1, out[1].real) == -1.0


def test_right_shift_by_the_bit_width_or_more_fills_with_the_sign(xp):
    a = xp.asarray([-8, 8, -1, -128], dtype=xp.int8)
    out = xp.bitwise_right_shift(a, xp.asarray([8, 8, 100, 9], dtype=xp.int8))
    assert to_np(out).tolist() == [-1, 0, -1, -1]
    u = xp.bitwise_right_shift(xp.asarray([200, 255], dtype=xp.uint8), xp.asarray([8, 9], dtype=xp.uint8))
    assert to_np(u).tolist() == [0, 0]


@pytest.mark.parametrize("name", ["copysign", "hypot", "logaddexp"])
def test_float_only_binary_functions_compute_integers_in_the_default_float(xp, name):
    a, b = np.array([3, -2, 0, 5], dtype=np.int32), np.array([-4, 1, 7, 5], dtype=np.int32)
    out = getattr(xp, name)(xp.asarray(a), xp.asarray(b))
    assert out.dtype == xp.float64
    np.testing.assert_allclose(to_np(out), getattr(np, name)(a, b), rtol=1e-15)


@pytest.mark.parametrize("z", [0.5j, 0.125 + 0.375j, -0.25 + 0.25j, 0.375 - 0.125j, -0.125 - 0.375j])
def test_complex_log1p_is_correctly_rounded_where_abs_re_plus_abs_im_is_one_half(xp, z):
    # |re| + |im| == 1/2 is where the near-zero series stops: from there log|1 + z| is exact
    out = complex(to_np(xp.log1p(xp.asarray([z])))[0])
    assert math.isclose(out.real, math.log(abs(1 + z)), rel_tol=1.2e-16, abs_tol=0)


def test_clip_of_integers_with_fractional_bounds_clips_then_truncates_towards_zero(tfxp):
    a = np.array([-5, -2, 0, 2, 5], dtype=np.int8)
    for lo, hi in ((-2.5, 2.5), (0.5, 3.7), (-3.7, -0.5)):
        out = tfxp.clip(tfxp.asarray(a), min=lo, max=hi)
        assert out.dtype == tfxp.int8
        assert to_np(out).tolist() == np.clip(a, lo, hi).astype(np.int8).tolist(), (lo, hi)


def test_a_complex_python_scalar_on_the_left_promotes_a_real_array_to_complex(xp):
    out = xp.multiply(2j, xp.asarray([1.0, -2.0]))
    assert out.dtype == xp.complex128 and to_np(out).tolist() == [2j, -4j]
    out32 = xp.add(1j, xp.asarray([1.0], dtype=xp.float32))
    assert out32.dtype == xp.complex64 and to_np(out32).tolist() == [1 + 1j]
