"""Creation and manipulation functions, from the spec's text."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from array_api_helpers import SETTINGS, to_np


@pytest.mark.parametrize(
    "args,kwargs,expected",
    [((5,), {}, list(range(5))), ((2, 11, 3), {}, [2, 5, 8]), ((5, 0, -2), {}, [5, 3, 1]),
     ((0.0, 1.0, 0.25), {}, [0.0, 0.25, 0.5, 0.75]), ((3,), {"dtype": "int8"}, [0, 1, 2]), ((3, 3), {}, [])],
)
def test_arange_length_is_ceil_of_span_over_step(xp, args, kwargs, expected):
    if "dtype" in kwargs:
        kwargs = {"dtype": getattr(xp, kwargs["dtype"])}
    out = xp.arange(*args, **kwargs)
    assert to_np(out).tolist() == expected
    if not kwargs:
        assert out.dtype == (xp.int64 if all(isinstance(a, int) for a in args) else xp.float64)


def _data_pointer(a):
    """The address of an array's first byte, read through DLPack (NumPy arrays and TF tensors alike)."""
    return np.from_dlpack(a).__array_interface__["data"][0]


def test_asarray_defaults_and_copy(xp):
    assert xp.asarray([1.0, 2.0]).dtype == xp.float64
    assert xp.asarray([1, 2]).dtype == xp.int64
    assert xp.asarray(True).dtype == xp.bool
    assert xp.asarray([1j]).dtype == xp.complex128
    x = xp.asarray([1.0, 2.0], dtype=xp.float32)
    same = xp.asarray(x, copy=False)  # never a copy: the same buffer (compared by data pointer)
    assert _data_pointer(same) == _data_pointer(x) and to_np(same).tolist() == [1.0, 2.0]
    if xp.__name__.endswith("numpy"):  # (a TensorFlow tensor is immutable: a copy is unobservable)
        assert _data_pointer(xp.asarray(x, copy=True)) != _data_pointer(x)
    with pytest.raises(ValueError):
        xp.asarray(x, dtype=xp.float64, copy=False)
    assert xp.asarray(np.arange(3, dtype=np.int16)).dtype == xp.int16


def test_constant_creation_functions(xp):
    assert to_np(xp.zeros((2, 3))).shape == (2, 3) and xp.zeros(2).dtype == xp.float64
    assert to_np(xp.ones(2, dtype=xp.int8)).tolist() == [1, 1]
    assert xp.empty((0, 2)).shape == (0, 2)
    assert to_np(xp.full((2,), 7)).tolist() == [7, 7] and xp.full(1, 7).dtype == xp.int64
    assert xp.full(1, 1.5).dtype == xp.float64 and xp.full(1, True).dtype == xp.bool
    x = xp.asarray([[1, 2]], dtype=xp.int16)
    for fn, value in ((xp.zeros_like, 0), (xp.ones_like, 1), (xp.empty_like, None)):
        out = fn(x)
        assert out.shape == (1, 2) and out.dtype == xp.int16
        if value is not None:
            assert to_np(out).tolist() == [[value, value]]
    assert to_np(xp.full_like(x, 9, dtype=xp.float32)).tolist() == [[9.0, 9.0]]


@pytest.mark.parametrize("n,m,k", [(3, None, 0), (2, 4, 1), (4, 2, -1), (3, 3, 5)])
def test_eye(xp, n, m, k):
    np.testing.assert_array_equal(to_np(xp.eye(n, m, k=k)), np.eye(n, m, k=k))


@pytest.mark.parametrize("endpoint", [True, False])
@pytest.mark.parametrize("num", [0, 1, 5])
def test_linspace_ends_exactly(xp, num, endpoint):
    out = to_np(xp.linspace(0.1, 0.7, num, endpoint=endpoint))
    np.testing.assert_allclose(out, np.linspace(0.1, 0.7, num, endpoint=endpoint), rtol=1e-15)
    if endpoint and num > 1:
        assert out[-1] == 0.7


@SETTINGS
@given(a=hnp.arrays(np.int32, hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)), k=st.integers(-3, 3))
def test_tril_triu(xp, a, k):
    np.testing.assert_array_equal(to_np(xp.tril(xp.asarray(a), k=k)), np.tril(a, k))
    np.testing.assert_array_equal(to_np(xp.triu(xp.asarray(a), k=k)), np.triu(a, k))


def test_meshgrid_indexing(xp):
    x, y = xp.asarray([1, 2, 3]), xp.asarray([4, 5])
    gx, gy = xp.meshgrid(x, y)
    assert gx.shape == (2, 3) and gy.shape == (2, 3)
    ix, iy = xp.meshgrid(x, y, indexing="ij")
    assert ix.shape == (3, 2) and to_np(iy)[0].tolist() == [4, 5]


arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                    elements=st.floats(-100, 100))


@SETTINGS
@given(a=arrays, data=st.data())
def test_shape_functions_match_their_definitions(xp, a, data):
    x = xp.asarray(a)
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    np.testing.assert_array_equal(to_np(xp.flip(x, axis=axis)), np.flip(a, axis))
    np.testing.assert_array_equal(to_np(xp.flip(x)), np.flip(a))
    np.testing.assert_array_equal(to_np(xp.expand_dims(x, axis=axis)), np.expand_dims(a, axis))
    perm = data.draw(st.permutations(range(a.ndim)))
    np.testing.assert_array_equal(to_np(xp.permute_dims(x, tuple(perm))), np.transpose(a, perm))
    np.testing.assert_array_equal(to_np(xp.moveaxis(x, 0, -1)), np.moveaxis(a, 0, -1))
    shift = data.draw(st.integers(-5, 5))
    np.testing.assert_array_equal(to_np(xp.roll(x, shift)), np.roll(a, shift))
    np.testing.assert_array_equal(to_np(xp.roll(x, shift, axis=axis)), np.roll(a, shift, axis))
    np.testing.assert_array_equal(to_np(xp.reshape(x, (-1,))), a.reshape(-1))
    np.testing.assert_array_equal(to_np(xp.concat([x, x], axis=axis)), np.concatenate([a, a], axis))
    np.testing.assert_array_equal(to_np(xp.concat([x, x], axis=None)), np.concatenate([a.ravel(), a.ravel()]))
    np.testing.assert_array_equal(to_np(xp.stack([x, x], axis=axis)), np.stack([a, a], axis))
    parts = xp.unstack(x, axis=axis)
    assert isinstance(parts, tuple) and len(parts) == a.shape[axis]
    reps = tuple(data.draw(st.lists(st.integers(0, 2), min_size=1, max_size=4)))
    np.testing.assert_array_equal(to_np(xp.tile(x, reps)), np.tile(a, reps))
    np.testing.assert_array_equal(to_np(xp.repeat(x, 2, axis=axis)), np.repeat(a, 2, axis))
    np.testing.assert_array_equal(to_np(xp.repeat(x, 3)), np.repeat(a, 3))


def test_broadcasting_and_squeeze(xp):
    a, b = xp.asarray([[1.0], [2.0]]), xp.asarray([1.0, 2.0, 3.0])
    out = xp.broadcast_arrays(a, b)
    assert [o.shape for o in out] == [(2, 3), (2, 3)]
    assert xp.broadcast_to(b, (4, 3)).shape == (4, 3)
    assert xp.squeeze(a, axis=1).shape == (2,)
    with pytest.raises(ValueError):
        xp.squeeze(a, axis=0)
    if xp.__name__.endswith("numpy"):
        incompatible: type[Exception] = ValueError
    else:
        import tensorflow as tf

        incompatible = tf.errors.InvalidArgumentError  # TensorFlow's own error for shapes that do not broadcast
    with pytest.raises(incompatible, match="broadcast|Incompatible shapes"):
        xp.add(xp.ones((2, 3)), xp.ones((4,)))


def test_concat_and_stack_promote(xp):
    out = xp.concat([xp.asarray([1], dtype=xp.int8), xp.asarray([2], dtype=xp.int16)])
    assert out.dtype == xp.int16
    assert xp.stack([xp.asarray([1.0], dtype=xp.float32), xp.asarray([1.0])]).dtype == xp.float64


def test_tile_and_repeat_unsigned(xp):
    a = xp.asarray([1, 2], dtype=xp.uint16)
    assert to_np(xp.tile(a, (2,))).tolist() == [1, 2, 1, 2]
    assert to_np(xp.repeat(a, xp.asarray([1, 2]), axis=0)).tolist() == [1, 2, 2]


def test_take_and_take_along_axis(xp):
    a = xp.asarray([[10, 20, 30], [40, 50, 60]])
    assert to_np(xp.take(a, xp.asarray([2, -1, 0]), axis=1)).tolist() == [[30, 30, 10], [60, 60, 40]]
    assert to_np(xp.take(xp.asarray([5, 6]), xp.asarray([1]))).tolist() == [6]
    idx = xp.asarray([[2, 0], [1, 1]])
    assert to_np(xp.take_along_axis(a, idx, axis=1)).tolist() == [[30, 10], [50, 50]]
    assert to_np(xp.take_along_axis(a, xp.asarray([[1, 0, 1]]), axis=0)).tolist() == [[40, 20, 60]]


def test_constants(xp):
    assert xp.e == math.e and xp.pi == math.pi and xp.inf == math.inf and math.isnan(xp.nan)
    assert xp.newaxis is None


@pytest.mark.parametrize(
    "shapes,expected",
    [(((2, 1), (3,)), (2, 3)), ((), ()), (((5,),), (5,)), (((1,), (4, 1, 5)), (4, 1, 5)), (((0,), (1,)), (0,)),
     (((2, 1, 3), (1, 4, 1), (3,)), (2, 4, 3))],
)
def test_broadcast_shapes_follows_the_broadcasting_rules(xp, shapes, expected):
    assert tuple(xp.broadcast_shapes(*shapes)) == expected


@pytest.mark.parametrize("shapes", [((2,), (3,)), ((2, 3), (3, 2)), ((0,), (2,))])
def test_broadcast_shapes_rejects_incompatible_shapes(xp, shapes):
    with pytest.raises(ValueError):
        xp.broadcast_shapes(*shapes)


@pytest.mark.parametrize("shapes,expected", [(((None, 1), (1, 4)), (None, 4)), (((None,), (3,)), (3,)),
                                             (((None, 2), (2,)), (None, 2))])
def test_broadcast_shapes_propagates_unknown_sizes(tfxp, shapes, expected):
    assert tfxp.broadcast_shapes(*shapes) == expected


@pytest.mark.parametrize("axis", [0, 2, -1, -3, (0, 1), (0, -1), (-1, 1), (3, 0), (-4, -1)])
def test_expand_dims_inserts_axes_at_their_positions_in_the_output(xp, axis):
    a = np.arange(6.0).reshape(2, 3)
    expected = np.expand_dims(a, axis)
    assert xp.expand_dims(xp.asarray(a), axis).shape == expected.shape  # positional, as in 2025.12
    np.testing.assert_array_equal(to_np(xp.expand_dims(xp.asarray(a), axis=axis)), expected)


@pytest.mark.parametrize("axis,error", [(3, IndexError), (-4, IndexError), ((0, 4), IndexError), ((0, 0), ValueError),
                                        ((1, -3), ValueError)])
def test_expand_dims_rejects_bad_axes(xp, axis, error):
    with pytest.raises(error):
        xp.expand_dims(xp.ones((2, 3)), axis=axis)


def test_functions_with_several_results_return_tuples(xp):
    x, y = xp.asarray([1, 2, 3]), xp.asarray([4, 5])
    assert type(xp.meshgrid(x, y)) is tuple and type(xp.meshgrid()) is tuple
    assert type(xp.broadcast_arrays(x, xp.asarray(1))) is tuple
    assert type(xp.unstack(xp.ones((2, 3)))) is tuple
    assert type(xp.__array_namespace_info__().devices()) is tuple


def test_moveaxis_puts_every_moved_axis_where_numpy_puts_it(xp):
    """Every source/destination pairing of two axes of a 4-d array (the pairs are placed in
    ascending destination order; placing them in the order given gets some of them wrong)."""
    import itertools

    a = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    x = xp.asarray(a)
    for source in itertools.permutations(range(4), 2):
        for destination in itertools.permutations(range(-4, 4), 2):
            if len({d % 4 for d in destination}) < 2:
                continue
            want = np.moveaxis(a, source, destination)
            got = to_np(xp.moveaxis(x, source, destination))
            assert got.shape == want.shape and np.array_equal(got, want), (source, destination)


def test_linspace_dtype_is_the_default_float_or_complex_unless_given(xp):
    assert xp.linspace(0.0, 1.0, 3).dtype == xp.float64
    assert xp.linspace(0, 1, 3).dtype == xp.float64
    z = xp.linspace(0.0, 1.0 + 2.0j, 3)
    assert z.dtype == xp.complex128 and to_np(z).tolist() == [0j, 0.5 + 1j, 1 + 2j]
    f32 = xp.linspace(0.0, 1.0, 5, dtype=xp.float32)
    assert f32.dtype == xp.float32
    np.testing.assert_array_equal(to_np(f32), np.linspace(0.0, 1.0, 5, dtype=np.float32))


def test_concat_stack_and_meshgrid_of_a_single_array(xp):
    a = xp.asarray([1, 2, 3], dtype=xp.int16)
    assert to_np(xp.concat([a])).tolist() == [1, 2, 3] and xp.concat((a,)).dtype == xp.int16
    s = xp.stack([a], axis=1)
    assert s.shape == (3, 1) and s.dtype == xp.int16
    (grid,) = xp.meshgrid(a)
    assert to_np(grid).tolist() == [1, 2, 3]


def test_concat_and_stack_take_arrays_from_any_iterable(tfxp):
    rows = [[1.0, 2.0], [3.0, 4.0]]
    assert to_np(tfxp.concat(tfxp.asarray(r) for r in rows)).tolist() == [1.0, 2.0, 3.0, 4.0]
    assert to_np(tfxp.stack(map(tfxp.asarray, rows), axis=1)).tolist() == [[1.0, 3.0], [2.0, 4.0]]


def test_reshape_refuses_more_than_one_unknown_dimension(xp):
    with pytest.raises(ValueError):
        xp.reshape(xp.ones(6), (-1, -1))
    with pytest.raises(ValueError):
        xp.reshape(xp.ones(6), (2, -1, -1))
