"""The per-call fast paths answer exactly as the general path does.

An eager ``tf.Tensor`` of a suitable dtype takes the fast path (a raw TF op); the same values
in a ``tf.Variable`` always take the general path (promotion, conversion, workarounds). For
every function with a fast path, over dtypes and argument forms, both must give the same
dtype, shape and values (bit for bit, NaN included), or raise the same kind of error.
"""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

DTYPES = ["float32", "float64", "complex128", "int8", "uint8", "int64", "bool"]
UNARY = ["abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "bitwise_invert", "ceil", "cos", "cosh", "exp",
         "expm1", "floor", "isfinite", "isinf", "isnan", "log", "log1p", "log2", "log10", "logical_not", "negative",
         "positive", "reciprocal", "round", "sin", "sinh", "sqrt", "square", "tan", "tanh", "trunc"]
BINARY = ["add", "atan2", "bitwise_and", "bitwise_or", "bitwise_xor", "divide", "equal", "greater", "greater_equal",
          "less", "less_equal", "logical_and", "logical_or", "logical_xor", "maximum", "minimum", "multiply",
          "not_equal", "pow", "subtract"]
VALUES = np.array([[0.0, -0.0, 1.5, -2.0], [3.0, np.inf, np.nan, 0.25]])
OTHER = np.array([[2.0, 0.5, -1.0, 3.0], [-0.0, 2.0, 1.0, np.nan]])
FINITE = np.array([[0.5, -1.25, 3.0, 2.0], [7.0, 0.0, -3.5, 1.0]])


def _array(values: np.ndarray, dtype: str) -> np.ndarray:
    if dtype in ("int8", "uint8", "int64", "bool"):
        values = np.nan_to_num(values, nan=7.0, posinf=5.0)
        values = np.abs(values) if dtype == "uint8" else values
    return values.astype(dtype)


def _outcome(fn):
    try:
        out = fn()
    except Exception as exc:  # noqa: BLE001 - the kind of error is what is compared
        return ("raises", type(exc).__mro__[1] if type(exc).__name__.endswith("Error") else type(exc))
    outs = out if isinstance(out, tuple) else (out,)
    return tuple((o.dtype.name, tuple(o.shape), np.asarray(o).tobytes()) for o in outs)


def assert_same(fast, general):
    a, b = _outcome(fast), _outcome(general)
    if a[0] == "raises" or b[0] == "raises":
        assert a[0] == b[0] == "raises", f"fast path {a}, general path {b}"
        return
    assert a == b


def _both(values: np.ndarray, dtype: str):
    a = _array(values, dtype)
    return tf.constant(a), tf.Variable(a)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary_fast_path_matches_the_general_path(tfxp, name, dtype):
    fn = getattr(tfxp, name)
    fast, general = _both(VALUES, dtype)
    with np.errstate(all="ignore"):
        assert_same(lambda: fn(fast), lambda: fn(general))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BINARY)
def test_binary_fast_path_matches_the_general_path(tfxp, name, dtype):
    fn = getattr(tfxp, name)
    x, vx = _both(VALUES, dtype)
    y, vy = _both(OTHER, dtype)
    assert_same(lambda: fn(x, y), lambda: fn(vx, vy))
    for scalar in (2, -3, 0.5, 300, True):
        assert_same(lambda: fn(x, scalar), lambda: fn(vx, scalar))
        assert_same(lambda: fn(scalar, x), lambda: fn(scalar, vx))


REDUCTIONS = ["sum", "prod", "max", "min", "mean", "var", "std", "all", "any"]
AXES = [None, 0, -1, (0, 1), [1]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_fast_path_matches_the_general_path(tfxp, name, dtype):
    fn = getattr(tfxp, name)
    for values in (VALUES, FINITE, np.zeros((0, 3))):
        x, v = _both(values, dtype)
        for axis in AXES:
            for keepdims in (False, True):
                kwargs = {"axis": axis, "keepdims": keepdims}
                assert_same(lambda: fn(x, **kwargs), lambda: fn(v, **kwargs))



@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["var", "std"])
def test_moments_fast_path_matches_the_definition(tfxp, name, dtype):
    # var converts any input to a tensor first, so a Variable takes the fast path too: compare with NumPy.
    a = FINITE.astype(dtype)
    for axis in (None, 0, 1, (0, 1)):
        for correction in (0, 1, 1.5, 2, 8, 9):
            got = np.asarray(getattr(tfxp, name)(tf.constant(a), axis=axis, correction=correction))
            n = a.size if axis is None or axis == (0, 1) else a.shape[axis]
            with np.errstate(all="ignore"):
                expected = getattr(np, name)(a, axis=axis, ddof=correction) if n - correction > 0 else np.full(got.shape, np.nan)
            np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == "float32" else 1e-13, equal_nan=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_fast_path_matches_the_general_path(tfxp, name, dtype):
    fn = getattr(tfxp, name)
    x, v = _both(FINITE, dtype)
    for axis in (0, 1, -1, 2, None):
        for keepdims in (False, True):
            assert_same(lambda: fn(x, axis=axis, keepdims=keepdims), lambda: fn(v, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("indices", [[1, 0, 3], [-1, 0], [-4], [4], [], [[0, 1], [-1, -2]]])
@pytest.mark.parametrize("axis", [1, -1, 0, None])
def test_take_fast_path_matches_the_general_path(tfxp, indices, axis):
    x, v = _both(VALUES, "float64")
    flat, vflat = tf.reshape(x, [-1]), tf.Variable(tf.reshape(x, [-1]))
    for index_dtype in (tf.int32, tf.int64):
        idx = tf.constant(indices, index_dtype)
        assert_same(lambda: tfxp.take(x, idx, axis=axis), lambda: tfxp.take(v, idx, axis=axis))
        assert_same(lambda: tfxp.take(flat, idx, axis=axis), lambda: tfxp.take(vflat, idx, axis=axis))


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128", "int64"])
@pytest.mark.parametrize("shapes", [((2, 3), (3, 4)), ((2, 2, 3), (3, 2)), ((1, 2, 3), (4, 3, 2)), ((3,), (3, 2)),
                                    ((2, 3), (2, 3))])
def test_matmul_fast_path_matches_the_general_path(tfxp, dtype, shapes):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s).round(2) for s in shapes)
    x, vx = _both(a, dtype)
    y, vy = _both(b, dtype)
    assert_same(lambda: tfxp.matmul(x, y), lambda: tfxp.matmul(vx, vy))


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_fast_path_matches_the_general_path(tfxp, dtype):
    condition = tf.constant(np.array([[True, False, True, False], [False, True, True, False]]))
    x, vx = _both(VALUES, dtype)
    y, vy = _both(OTHER, dtype)
    assert_same(lambda: tfxp.where(condition, x, y), lambda: tfxp.where(condition, vx, vy))
    for scalar in (0, 0.5, -1, 300, True):
        assert_same(lambda: tfxp.where(condition, x, scalar), lambda: tfxp.where(condition, vx, scalar))
        assert_same(lambda: tfxp.where(condition, scalar, x), lambda: tfxp.where(condition, scalar, vx))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [0, 1, -1, 2, -3])
def test_concat_and_stack_fast_paths_match_the_general_path(tfxp, dtype, axis):
    x, vx = _both(VALUES, dtype)
    y, vy = _both(OTHER, dtype)
    for fn in (tfxp.concat, tfxp.stack):
        assert_same(lambda: fn([x, y, x], axis=axis), lambda: fn([vx, vy, vx], axis=axis))
        assert_same(lambda: fn((x, y), axis=axis), lambda: fn((vx, vy), axis=axis))
