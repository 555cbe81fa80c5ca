"""Statistics, utility, searching, sorting and set functions, from the spec's text."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from array_api_helpers import SETTINGS, spec_gap, to_np

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@st.composite
def array_and_axis(draw, dtype=np.float64, elements=None, min_side=1):
    a = draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=4),
                        elements=elements if elements is not None else st.floats(-1e3, 1e3, allow_subnormal=False)))
    axes = draw(st.none() | st.integers(-a.ndim, a.ndim - 1)
                | st.lists(st.integers(0, a.ndim - 1), unique=True, min_size=1).map(tuple))
    return a, axes


@SETTINGS
@given(case=array_and_axis(), keepdims=st.booleans(), correction=st.sampled_from([0, 1, 0.5]))
def test_reductions_with_tuple_axes_and_keepdims(xp, case, keepdims, correction):
    a, axis = case
    x = xp.asarray(a)
    for name, ref in (("sum", np.sum), ("prod", np.prod), ("max", np.max), ("min", np.min), ("mean", np.mean)):
        out = getattr(xp, name)(x, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(to_np(out), ref(a, axis=axis, keepdims=keepdims), rtol=1e-9, atol=1e-9)
    for name, ref in (("var", np.var), ("std", np.std)):
        out = getattr(xp, name)(x, axis=axis, correction=correction, keepdims=keepdims)
        expected = ref(a, axis=axis, ddof=correction, keepdims=keepdims)
        np.testing.assert_allclose(to_np(out), expected, rtol=1e-7, atol=1e-7, equal_nan=True)


@pytest.mark.parametrize("dtype,expected", [("int8", "int64"), ("uint8", "uint64"), ("int64", "int64"),
                                            ("float32", "float32"), ("bool", "int64")])
def test_sum_and_prod_accumulate_in_the_default_integer(xp, dtype, expected):
    x = xp.asarray([1, 1, 1], dtype=getattr(xp, dtype))
    assert xp.sum(x).dtype == getattr(xp, expected)
    assert xp.prod(x).dtype == getattr(xp, expected)
    assert xp.sum(xp.asarray([100, 100], dtype=xp.int8)) == 200
    assert xp.sum(x, dtype=xp.float64).dtype == xp.float64


def test_max_min_propagate_nan(xp):
    x = xp.asarray([1.0, math.nan, 3.0])
    assert math.isnan(float(xp.max(x))) and math.isnan(float(xp.min(x)))


@SETTINGS
@given(a=hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=4), elements=st.integers(-9, 9)),
       include_initial=st.booleans())
def test_cumulative_sum_and_prod(xp, a, include_initial):
    x = xp.asarray(a)
    for name, ref, first in (("cumulative_sum", np.cumsum, 0), ("cumulative_prod", np.cumprod, 1)):
        out = to_np(getattr(xp, name)(x, axis=-1, include_initial=include_initial))
        expected = ref(a, axis=-1)
        if include_initial:
            expected = np.concatenate([np.full(a.shape[:-1] + (1,), first), expected], axis=-1)
        np.testing.assert_array_equal(out, expected)
    assert xp.cumulative_sum(xp.asarray([1, 2], dtype=xp.int8)).dtype == xp.int64


@SETTINGS
@given(case=array_and_axis(np.int64, st.integers(-50, 50), min_side=2), n=st.integers(1, 2))
def test_diff(xp, case, n):
    a, _ = case
    np.testing.assert_array_equal(to_np(xp.diff(xp.asarray(a), axis=-1, n=n)), np.diff(a, n=n, axis=-1))
    p = np.zeros(a.shape[:-1] + (1,), dtype=np.int64)
    np.testing.assert_array_equal(to_np(xp.diff(xp.asarray(a), prepend=xp.asarray(p))), np.diff(a, prepend=p))


@SETTINGS
@given(case=array_and_axis(np.float64, st.sampled_from([0.0, 1.0, -2.0, math.nan])), keepdims=st.booleans())
def test_all_any_count_nonzero(xp, case, keepdims):
    a, axis = case
    x = xp.asarray(a)
    np.testing.assert_array_equal(to_np(xp.all(x, axis=axis, keepdims=keepdims)), np.all(a, axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(to_np(xp.any(x, axis=axis, keepdims=keepdims)), np.any(a, axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(to_np(xp.count_nonzero(x, axis=axis, keepdims=keepdims)),
                                  np.count_nonzero(a, axis=axis, keepdims=keepdims))


@SETTINGS
@given(a=hnp.arrays(np.int16, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), elements=st.integers(-3, 3)),
       data=st.data())
def test_argmax_argmin_return_first_occurrence(xp, a, data):
    axis = data.draw(st.none() | st.integers(-a.ndim, a.ndim - 1))
    keepdims = data.draw(st.booleans())
    x = xp.asarray(a)
    out = xp.argmax(x, axis=axis, keepdims=keepdims)
    assert out.dtype == xp.int64
    np.testing.assert_array_equal(to_np(out), np.argmax(a, axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(to_np(xp.argmin(x, axis=axis, keepdims=keepdims)), np.argmin(a, axis=axis, keepdims=keepdims))


def test_nonzero_where_searchsorted(xp):
    x = xp.asarray([[0, 3], [4, 0]])
    rows, cols = xp.nonzero(x)
    assert to_np(rows).tolist() == [0, 1] and to_np(cols).tolist() == [1, 0] and rows.dtype == xp.int64
    out = xp.where(xp.asarray([True, False]), xp.asarray([1, 2], dtype=xp.int8), xp.asarray([10, 20], dtype=xp.int16))
    assert out.dtype == xp.int16 and to_np(out).tolist() == [1, 20]
    assert to_np(xp.where(xp.asarray([True, False]), xp.asarray([1.5, 2.5]), 0.0)).tolist() == [1.5, 0.0]
    s = xp.asarray([1.0, 2.0, 2.0, 3.0])
    assert to_np(xp.searchsorted(s, xp.asarray([2.0, 0.0, 9.0]))).tolist() == [1, 0, 4]
    assert to_np(xp.searchsorted(s, xp.asarray([[2.0]]), side="right")).tolist() == [[3]]
    unsorted = xp.asarray([3.0, 1.0, 2.0])
    assert to_np(xp.searchsorted(unsorted, xp.asarray([2.5]), sorter=xp.argsort(unsorted))).tolist() == [2]


@SETTINGS
@given(case=array_and_axis(np.float64, st.sampled_from([0.0, -0.0, 1.0, 2.0, -1.0])), descending=st.booleans())
def test_sort_is_stable_in_both_directions(xp, case, descending):
    a, _ = case
    axis = -1
    x = xp.asarray(a)
    idx = to_np(xp.argsort(x, axis=axis, descending=descending, stable=True))
    # stable descending keeps equal elements in their original order (not reversed)
    key = -a if descending else a
    np.testing.assert_array_equal(idx, np.argsort(key, axis=axis, kind="stable"))
    np.testing.assert_array_equal(to_np(xp.sort(x, axis=axis, descending=descending)),
                                  np.take_along_axis(a, idx, axis))


def test_sort_puts_nan_last_and_handles_axes_and_bool(xp):
    x = xp.asarray([3.0, math.nan, 1.0, -math.inf, math.nan, 1.0])
    assert to_np(xp.argsort(x)).tolist() == [3, 2, 5, 0, 1, 4]
    m = xp.asarray([[3, 1], [2, 4]], dtype=xp.uint8)
    assert to_np(xp.sort(m, axis=0)).tolist() == [[2, 1], [3, 4]]
    assert to_np(xp.sort(xp.asarray([True, False, True]))).tolist() == [False, True, True]


def test_unique_functions(xp):
    x = xp.asarray([[3, 1], [3, 2]], dtype=xp.int32)
    values = xp.unique_values(x)
    assert sorted(to_np(values).tolist()) == [1, 2, 3]
    res = xp.unique_all(x)
    v = to_np(res.values)
    assert to_np(res.counts)[v.tolist().index(3)] == 2
    np.testing.assert_array_equal(v[to_np(res.inverse_indices)], to_np(x))
    assert res.inverse_indices.shape == (2, 2)
    np.testing.assert_array_equal(to_np(x).ravel()[to_np(res.indices)], v)
    inv = xp.unique_inverse(x)
    np.testing.assert_array_equal(to_np(inv.values)[to_np(inv.inverse_indices)], to_np(x))
    counts = xp.unique_counts(x)
    assert int(np.sum(to_np(counts.counts))) == 4


def test_unique_counts_each_nan_separately(xp):
    x = xp.asarray([math.nan, 1.0, math.nan, 1.0])
    v = to_np(xp.unique_values(x))
    assert np.isnan(v).sum() == 2 and (v == 1.0).sum() == 1


@SETTINGS
@given(a=hnp.arrays(np.int8, hnp.array_shapes(max_dims=2, max_side=5), elements=st.integers(-3, 3)))
def test_unique_values_are_the_set_of_elements(xp, a):
    assert sorted(to_np(xp.unique_values(xp.asarray(a))).tolist()) == sorted(set(a.ravel().tolist()))


@pytest.mark.parametrize("dtype", ["int8", "uint16", "int64", "float32", "float64", "bool", "complex128"])
@pytest.mark.parametrize("invert", [False, True])
def test_isin_tests_each_element_for_membership(xp, dtype, invert):
    a = np.array([[1, 0, 3], [2, 5, 1]]).astype(dtype)
    b = np.array([3, 1, 7]).astype(dtype)
    out = xp.isin(xp.asarray(a), xp.asarray(b), invert=invert)
    assert out.dtype == xp.bool and out.shape == a.shape
    np.testing.assert_array_equal(to_np(out), np.isin(a, b, invert=invert))


def test_isin_nan_is_in_nothing_and_either_side_may_be_a_scalar(xp):
    x = xp.asarray([1.0, math.nan, 2.0])
    np.testing.assert_array_equal(to_np(xp.isin(x, xp.asarray([math.nan, 2.0]))), [False, False, True])
    assert bool(xp.isin(2, xp.asarray([1, 2]))) and xp.isin(2, xp.asarray([1, 2])).shape == ()
    np.testing.assert_array_equal(to_np(xp.isin(xp.asarray([1, 2]), 2)), [False, True])
    np.testing.assert_array_equal(to_np(xp.isin(xp.asarray([1, 2]), xp.asarray([], dtype=xp.int64))), [False, False])


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("needles", [[math.nan], [3.0], [math.inf], [0.5, math.nan, 2.0, -math.inf]])
@pytest.mark.parametrize("haystack", [[3.0, 1.0, 2.0], [2.0, math.nan, math.inf, 1.0, math.nan]])
def test_searchsorted_agrees_with_sort_that_nan_comes_last(xp, side, needles, haystack):
    ordered = xp.sort(xp.asarray(haystack))
    out = xp.searchsorted(ordered, xp.asarray(needles), side=side)
    assert out.dtype == xp.int64
    np.testing.assert_array_equal(to_np(out), np.searchsorted(np.sort(haystack), needles, side=side))


def test_searchsorted_takes_a_scalar(xp):
    out = xp.searchsorted(xp.asarray([1.0, 2.0, 3.0]), 2.5)
    assert out.shape == () and int(out) == 2


@pytest.mark.parametrize("n,correction", [(1, 1), (2, 2), (2, 3), (0, 0), (3, 3.5)])
def test_variance_is_nan_when_no_degrees_of_freedom_are_left(xp, n, correction):
    x = xp.asarray(np.arange(float(n)))
    with np.errstate(all="ignore"):
        var, std = float(xp.var(x, correction=correction)), float(xp.std(x, correction=correction))
    if not math.isnan(var):
        spec_gap(xp, "NumPy gives inf or a negative variance when N - ddof <= 0")
    assert math.isnan(var) and math.isnan(std)


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_mean_of_nothing_is_nan(xp, dtype):
    with np.errstate(all="ignore"):
        out = complex(to_np(xp.mean(xp.zeros((0,), dtype=getattr(xp, dtype)))))
    assert math.isnan(out.real)


def test_argmax_argmin_drop_the_reduced_axis_unless_keepdims(xp):
    x = xp.asarray([[3, 1, 2], [0, 5, 5]], dtype=xp.int16)
    assert xp.argmin(x).shape == () and int(to_np(xp.argmin(x))) == 3
    assert xp.argmax(x).shape == () and int(to_np(xp.argmax(x))) == 4
    assert to_np(xp.argmin(x, axis=1)).tolist() == [1, 0]
    assert to_np(xp.argmax(x, axis=0)).tolist() == [0, 1, 1]


def test_argmax_argmin_of_booleans_find_the_first_true_and_false(xp):
    b = xp.asarray([[False, True, True], [True, False, False]])
    assert int(to_np(xp.argmax(b))) == 1 and int(to_np(xp.argmin(b))) == 0
    assert to_np(xp.argmax(b, axis=1)).tolist() == [1, 0] and to_np(xp.argmin(b, axis=1, keepdims=True)).tolist() == [[0], [1]]


def test_searchsorted_of_booleans_and_integers_gives_int64_positions(xp):
    out = xp.searchsorted(xp.asarray([False, False, True]), xp.asarray([True, False]), side="left")
    assert out.dtype == xp.int64 and to_np(out).tolist() == [2, 0]
    ints = xp.searchsorted(xp.asarray([1, 3, 3, 7], dtype=xp.int32), xp.asarray([3, 8, 0], dtype=xp.int32), side="right")
    assert ints.dtype == xp.int64 and to_np(ints).tolist() == [3, 4, 0]


def test_min_and_max_of_booleans_reduce_only_the_given_axis(xp):
    b = np.array([[True, False, True], [True, True, True]])
    for name in ("min", "max"):
        for axis in (0, 1, -1, None):
            for keepdims in (False, True):
                out = getattr(xp, name)(xp.asarray(b), axis=axis, keepdims=keepdims)
                expected = getattr(np, name)(b, axis=axis, keepdims=keepdims)
                assert out.dtype == xp.bool and to_np(out).tolist() == expected.tolist(), (name, axis, keepdims)


def test_diff_of_booleans_marks_where_neighbours_differ(xp):
    b = np.array([[True, True, False, True], [False, False, False, True]])
    for axis, n in ((-1, 1), (-1, 2), (0, 1)):
        out = xp.diff(xp.asarray(b), axis=axis, n=n)
        assert out.dtype == xp.bool and to_np(out).tolist() == np.diff(b, axis=axis, n=n).tolist()


def test_max_and_min_over_an_empty_axis_refuse_with_a_clear_message(tfxp):
    message = r"^zero-size reduction: max/min of an empty axis is undefined$"
    for name in ("max", "min"):
        with pytest.raises(ValueError, match=message):
            getattr(tfxp, name)(tfxp.zeros((0, 3)), axis=0)
        with pytest.raises(ValueError, match=message):
            getattr(tfxp, name)(tfxp.zeros((2, 0), dtype=tfxp.int32))


def test_where_takes_a_non_bool_condition_as_non_zero(xp):
    out = xp.where(xp.asarray([0, 2, -1]), xp.asarray([1.0, 2.0, 3.0]), xp.asarray([9.0, 9.0, 9.0]))
    assert to_np(out).tolist() == [9.0, 2.0, 3.0]


@pytest.mark.parametrize("shape,axis", [((3, 4), 0), ((2, 3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -3), ((4, 2, 3), 2)])
@pytest.mark.parametrize("descending", [False, True])
def test_argsort_and_sort_along_any_axis(xp, shape, axis, descending):
    a = np.random.default_rng(1).integers(0, 3, shape).astype(np.float64)  # many ties: stability shows
    out = xp.argsort(xp.asarray(a), axis=axis, descending=descending)
    expected = np.argsort(-a if descending else a, axis=axis, kind="stable")
    assert out.dtype == xp.int64 and to_np(out).tolist() == expected.tolist()
    np.testing.assert_array_equal(to_np(xp.sort(xp.asarray(a), axis=axis, descending=descending)),
                                  np.take_along_axis(a, expected, axis))


def test_cumulative_sum_accumulates_in_the_given_dtype(xp):
    out = xp.cumulative_sum(xp.asarray([100, 100, 100], dtype=xp.int8), dtype=xp.int16)
    assert out.dtype == xp.int16 and to_np(out).tolist() == [100, 200, 300]
    prod = xp.cumulative_prod(xp.asarray([2.0, 3.0], dtype=xp.float32), dtype=xp.float64)
    assert prod.dtype == xp.float64 and to_np(prod).tolist() == [2.0, 6.0]


def test_cumulative_functions_refuse_a_0d_array(tfxp):
    for fn in (tfxp.cumulative_sum, tfxp.cumulative_prod):
        with pytest.raises(ValueError, match=r"^cumulative functions need an array of at least one dimension$"):
            fn(tfxp.asarray(1.0))


def test_var_and_mean_of_complex_arrays(xp):
    z = np.array([[1 + 1j, 2 - 1j, 0j], [3j, 1, 1]])
    for axis, keepdims in ((1, False), (0, True), (None, True), (1, True)):
        v = xp.var(xp.asarray(z), axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(to_np(v), np.var(z, axis=axis, keepdims=keepdims), rtol=1e-15)
        m = xp.mean(xp.asarray(z), axis=axis, keepdims=keepdims)
        assert m.shape == np.mean(z, axis=axis, keepdims=keepdims).shape
        np.testing.assert_allclose(to_np(m), np.mean(z, axis=axis, keepdims=keepdims), rtol=1e-15)


def test_an_axis_equal_to_the_rank_is_out_of_bounds(xp):
    x = xp.ones((2, 3))
    for call in (lambda: xp.diff(x, axis=2), lambda: xp.argsort(x, axis=2), lambda: xp.cumulative_sum(x, axis=2)):
        with pytest.raises(IndexError):  # NumPy's AxisError is an IndexError too
            call()
