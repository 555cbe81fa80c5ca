"""Linear algebra (main namespace and the ``linalg`` extension) and the ``fft`` extension."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from array_api_helpers import SETTINGS, to_np

RNG = np.random.default_rng(0)


def spd(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@SETTINGS
@given(data=st.data())
def test_matmul_broadcasts_and_handles_vectors(xp, data):
    n, k, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    batch = data.draw(st.sampled_from([(), (2,), (1, 2)]))
    a = data.draw(hnp.arrays(np.int64, batch + (n, k), elements=st.integers(-5, 5)))
    b = data.draw(hnp.arrays(np.int64, (k, m), elements=st.integers(-5, 5)))
    np.testing.assert_array_equal(to_np(xp.matmul(xp.asarray(a), xp.asarray(b))), a @ b)
    v = b[:, 0]
    np.testing.assert_array_equal(to_np(xp.matmul(xp.asarray(a), xp.asarray(v))), a @ v)
    np.testing.assert_array_equal(to_np(xp.matmul(xp.asarray(v), xp.asarray(b))), v @ b)


def test_matmul_of_small_integers_keeps_dtype(xp):
    a = xp.asarray([[100, 100]], dtype=xp.int8)
    out = xp.matmul(a, xp.asarray([[1], [1]], dtype=xp.int8))
    assert out.dtype == xp.int8 and to_np(out).tolist() == [[-56]]  # 200 wraps modulo 2**8


def test_tensordot_vecdot_transpose(xp):
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((3, 4, 5))
    np.testing.assert_allclose(to_np(xp.tensordot(xp.asarray(a), xp.asarray(b))), np.tensordot(a, b), rtol=1e-12)
    np.testing.assert_allclose(to_np(xp.tensordot(xp.asarray(a), xp.asarray(b), axes=([1], [0]))),
                               np.tensordot(a, b, axes=([1], [0])), rtol=1e-12)
    u, w = RNG.standard_normal((2, 3)) + 1j, RNG.standard_normal((3,))
    np.testing.assert_allclose(to_np(xp.vecdot(xp.asarray(u), xp.asarray(w))), np.sum(np.conj(u) * w, -1))
    assert xp.matrix_transpose(xp.asarray(a)).shape == (2, 4, 3)
    assert xp.linalg.matrix_transpose(xp.asarray(a)).shape == (2, 4, 3)


def test_decompositions_reconstruct(xp):
    la = xp.linalg
    s = spd(3, (2,))
    x = xp.asarray(s)
    low = to_np(la.cholesky(x))
    np.testing.assert_allclose(low @ np.swapaxes(low, -1, -2), s, rtol=1e-10)
    up = to_np(la.cholesky(x, upper=True))
    np.testing.assert_allclose(np.swapaxes(up, -1, -2) @ up, s, rtol=1e-10)
    q, r = la.qr(x)
    np.testing.assert_allclose(to_np(q) @ to_np(r), s, rtol=1e-10)
    assert la.qr(xp.asarray(RNG.standard_normal((4, 2))), mode="complete").Q.shape == (4, 4)
    u, sv, vh = la.svd(xp.asarray(RNG.standard_normal((4, 3))), full_matrices=False)
    assert u.shape == (4, 3) and sv.shape == (3,) and vh.shape == (3, 3)
    m = RNG.standard_normal((4, 3))
    u, sv, vh = la.svd(xp.asarray(m))
    np.testing.assert_allclose(to_np(u)[:, :3] * to_np(sv) @ to_np(vh), m, atol=1e-12)
    np.testing.assert_allclose(to_np(la.svdvals(xp.asarray(m))), np.linalg.svd(m, compute_uv=False), rtol=1e-12)
    w, v = la.eigh(x)
    np.testing.assert_allclose(to_np(w), np.linalg.eigvalsh(s), rtol=1e-10)
    np.testing.assert_allclose(to_np(v) @ (to_np(w)[..., None] * np.swapaxes(to_np(v), -1, -2)), s, rtol=1e-9)
    np.testing.assert_allclose(to_np(la.eigvalsh(x)), np.linalg.eigvalsh(s), rtol=1e-10)


def test_inverse_determinant_solve(xp):
    la = xp.linalg
    s = spd(3, (2,))
    x = xp.asarray(s)
    np.testing.assert_allclose(to_np(la.inv(x)), np.linalg.inv(s), rtol=1e-10)
    np.testing.assert_allclose(to_np(la.det(x)), np.linalg.det(s), rtol=1e-10)
    sign, logdet = la.slogdet(x)
    np.testing.assert_allclose(to_np(sign) * np.exp(to_np(logdet)), np.linalg.det(s), rtol=1e-10)
    sign, logdet = la.slogdet(xp.zeros((2, 2)))
    assert float(sign) == 0 and float(logdet) == -np.inf
    b = RNG.standard_normal((3,))
    np.testing.assert_allclose(to_np(la.solve(x, xp.asarray(b))), np.linalg.solve(s, b[..., None])[..., 0], rtol=1e-10)
    bm = RNG.standard_normal((3, 2))  # batch of x1 broadcasts against one right-hand side matrix
    np.testing.assert_allclose(to_np(la.solve(x, xp.asarray(bm))), np.linalg.solve(s, bm), rtol=1e-10)
    np.testing.assert_allclose(to_np(la.pinv(xp.asarray(bm))), np.linalg.pinv(bm), rtol=1e-10)
    np.testing.assert_allclose(to_np(la.matrix_power(x, 3)), np.linalg.matrix_power(s, 3), rtol=1e-12)
    np.testing.assert_allclose(to_np(la.matrix_power(x, -2)), np.linalg.matrix_power(s, -2), rtol=1e-9)
    np.testing.assert_array_equal(to_np(la.matrix_power(x, 0)), np.broadcast_to(np.eye(3), s.shape))
    assert to_np(la.matrix_rank(xp.asarray([[1.0, 2.0], [2.0, 4.0]]))).tolist() == 1


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf])
def test_matrix_norm(xp, ord):
    m = RNG.standard_normal((2, 3, 4))
    out = xp.linalg.matrix_norm(xp.asarray(m), ord=ord, keepdims=True)
    np.testing.assert_allclose(to_np(out), np.linalg.norm(m, ord=ord, axis=(-2, -1), keepdims=True), rtol=1e-10)


@pytest.mark.parametrize("ord", [1, 2, 3.5, 0, np.inf, -np.inf])
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
def test_vector_norm(xp, ord, axis):
    v = RNG.standard_normal((2, 3, 4))
    expected = np.linalg.norm(v.reshape(-1) if axis is None else v, ord=ord, axis=None if axis is None else axis) \
        if not isinstance(axis, tuple) else np.power(np.sum(np.abs(v) ** ord, axis=axis), 1 / ord) if ord not in (0, np.inf, -np.inf) else None
    out = to_np(xp.linalg.vector_norm(xp.asarray(v), axis=axis, ord=ord))
    if expected is None:
        reduce = {0: lambda a, ax: np.count_nonzero(a, axis=ax), np.inf: np.max, -np.inf: np.min}[ord]
        expected = reduce(np.abs(v), axis)
    np.testing.assert_allclose(out, expected, rtol=1e-10)


def test_small_linalg_helpers(xp):
    la = xp.linalg
    a = xp.asarray(np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(to_np(la.diagonal(a, offset=1)), np.diagonal(np.arange(12.0).reshape(3, 4), 1))
    np.testing.assert_array_equal(to_np(la.diagonal(a, offset=-2)), [8.0])
    assert float(la.trace(a)) == 0 + 5 + 10
    assert la.trace(xp.asarray([[1, 2], [3, 4]], dtype=xp.int8)).dtype == xp.int64
    np.testing.assert_array_equal(to_np(la.outer(xp.asarray([1, 2]), xp.asarray([3, 4, 5]))), np.outer([1, 2], [3, 4, 5]))
    u, w = np.array([[1.0, 0, 0], [0, 1, 0]]), np.array([0.0, 1, 0])
    np.testing.assert_array_equal(to_np(la.cross(xp.asarray(u), xp.asarray(w))), np.cross(u, w))
    np.testing.assert_allclose(to_np(la.vecdot(xp.asarray(u), xp.asarray(w))), [0.0, 1.0])
    np.testing.assert_allclose(to_np(la.tensordot(xp.asarray(u), xp.asarray(w), axes=1)), u @ w)


@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_fft_family_matches_the_dft(xp, norm):
    f = xp.fft
    x = RNG.standard_normal((3, 5)) + 1j * RNG.standard_normal((3, 5))
    r = RNG.standard_normal((3, 6))
    cases = [
        (f.fft(xp.asarray(x), norm=norm), np.fft.fft(x, norm=norm)),
        (f.ifft(xp.asarray(x), n=7, axis=0, norm=norm), np.fft.ifft(x, n=7, axis=0, norm=norm)),
        (f.fftn(xp.asarray(x), norm=norm), np.fft.fftn(x, norm=norm)),
        (f.ifftn(xp.asarray(x), s=(2, 4), norm=norm), np.fft.ifftn(x, s=(2, 4), norm=norm)),
        (f.rfft(xp.asarray(r), norm=norm), np.fft.rfft(r, norm=norm)),
        (f.irfft(xp.asarray(x), n=8, norm=norm), np.fft.irfft(x, n=8, norm=norm)),
        (f.rfftn(xp.asarray(r), norm=norm), np.fft.rfftn(r, norm=norm)),
        (f.irfftn(xp.asarray(x), norm=norm), np.fft.irfftn(x, norm=norm)),
        (f.hfft(xp.asarray(x), norm=norm), np.fft.hfft(x, norm=norm)),
        (f.ihfft(xp.asarray(r), norm=norm), np.fft.ihfft(r, norm=norm)),
    ]
    for got, expected in cases:
        np.testing.assert_allclose(to_np(got), expected, rtol=1e-10, atol=1e-12)
    assert f.fft(xp.asarray(x.astype(np.complex64))).dtype == xp.complex64


def test_fft_helpers(xp):
    f = xp.fft
    np.testing.assert_allclose(to_np(f.fftfreq(5, d=0.5)), np.fft.fftfreq(5, d=0.5))
    np.testing.assert_allclose(to_np(f.rfftfreq(6)), np.fft.rfftfreq(6))
    assert f.fftfreq(4).dtype == xp.float64
    a = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(to_np(f.fftshift(xp.asarray(a))), np.fft.fftshift(a))
    np.testing.assert_array_equal(to_np(f.ifftshift(xp.asarray(a), axes=(1,))), np.fft.ifftshift(a, axes=(1,)))


EIG_MATRICES = {
    "rotation": [[0.0, -1.0], [1.0, 0.0]],  # eigenvalues +-i: complex from real input
    "symmetric": [[2.0, 1.0], [1.0, 3.0]],
    "stack": [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 0.0], [1.0, -2.0]]],
}


@pytest.mark.parametrize("dtype,result", [("float32", "complex64"), ("float64", "complex128"), ("complex128", "complex128")])
@pytest.mark.parametrize("matrix", sorted(EIG_MATRICES))
def test_eig_returns_complex_pairs_that_satisfy_the_eigen_equation(xp, matrix, dtype, result):
    a = np.asarray(EIG_MATRICES[matrix]).astype(dtype)
    values, vectors = xp.linalg.eig(xp.asarray(a))
    assert values.dtype == getattr(xp, result) and vectors.dtype == getattr(xp, result)
    w, v = to_np(values), to_np(vectors)
    assert w.shape == a.shape[:-1] and v.shape == a.shape
    rtol = 1e-5 if result == "complex64" else 1e-12
    np.testing.assert_allclose(a @ v, v * w[..., None, :], rtol=rtol, atol=rtol)
    np.testing.assert_allclose(np.sort_complex(to_np(xp.linalg.eigvals(xp.asarray(a))).ravel()),
                               np.sort_complex(w.ravel()), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype,real", [("complex64", "float32"), ("complex128", "float64"), ("float64", "float64")])
def test_slogdet_gives_a_real_log_of_the_absolute_determinant(xp, dtype, real):
    a = np.array([[[1 + 1j, 2], [0, 2]], [[0, 0], [0, 1j]]])
    a = (a if dtype.startswith("complex") else a.real + a.imag).astype(dtype)
    sign, logabsdet = xp.linalg.slogdet(xp.asarray(a))
    assert sign.dtype == getattr(xp, dtype) and logabsdet.dtype == getattr(xp, real)
    ref = np.linalg.slogdet(a)
    np.testing.assert_allclose(to_np(sign), ref.sign, rtol=1e-6)
    np.testing.assert_allclose(to_np(logabsdet), ref.logabsdet, rtol=1e-6)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_eigh_of_complex_hermitian_matrices_gives_real_eigenvalues(xp, dtype):
    """The spec: eigenvalues of a Hermitian matrix are real, of the matching real dtype."""
    a = RNG.standard_normal((2, 3, 3)) + 1j * RNG.standard_normal((2, 3, 3))
    h = (a + np.conj(np.swapaxes(a, -1, -2))).astype(dtype)
    real = {"complex64": "float32", "complex128": "float64"}[dtype]
    want = np.linalg.eigvalsh(h.astype(np.complex128))
    for values in (xp.linalg.eigh(xp.asarray(h)).eigenvalues, xp.linalg.eigvalsh(xp.asarray(h))):
        assert str(to_np(values).dtype) == real
        np.testing.assert_allclose(to_np(values), want, rtol=1e-4 if dtype == "complex64" else 1e-10, atol=1e-4)


FFT_IN_GRAPH = {
    "fft": (lambda xp, x: xp.fft.fft(x), lambda a: np.fft.fft(a)),
    "fft(n=9, forward)": (lambda xp, x: xp.fft.fft(x, n=9, norm="forward"), lambda a: np.fft.fft(a, n=9, norm="forward")),
    "ifft": (lambda xp, x: xp.fft.ifft(x), lambda a: np.fft.ifft(a)),
    "ifft(ortho)": (lambda xp, x: xp.fft.ifft(x, norm="ortho"), lambda a: np.fft.ifft(a, norm="ortho")),
    "rfft(n=8)": (lambda xp, x: xp.fft.rfft(x, n=8), lambda a: np.fft.rfft(a, n=8)),
    "rfft(n=4)": (lambda xp, x: xp.fft.rfft(x, n=4), lambda a: np.fft.rfft(a, n=4)),
    "irfft": (lambda xp, x: xp.fft.irfft(xp.astype(x, xp.complex128)), lambda a: np.fft.irfft(a)),
}


@pytest.mark.parametrize("case", FFT_IN_GRAPH)
def test_fft_traces_inside_tf_function_when_only_the_rank_is_known(tfxp, case):
    """``tf.function`` with an input signature of known rank and unknown sizes: the sizes are
    tensors when the graph is traced, and the transform must not branch on them in Python."""
    import tensorflow as tf

    ours, oracle = FFT_IN_GRAPH[case]
    a = RNG.standard_normal((3, 6))
    traced = tf.function(lambda x: ours(tfxp, x), input_signature=[tf.TensorSpec([None, None], tf.float64)],
                         autograph=False)
    np.testing.assert_allclose(traced(tf.constant(a)).numpy(), oracle(a), rtol=1e-10, atol=1e-12)
    b = RNG.standard_normal((2, 11))  # the same graph, other sizes
    np.testing.assert_allclose(traced(tf.constant(b)).numpy(), oracle(b), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shapes", [((3,), (1,)), ((1,), (3,)), ((2, 3), (1,)), ((4, 1), (4, 3))])
def test_vecdot_refuses_contracted_axes_of_different_sizes_even_when_one_broadcasts(xp, shapes):
    with pytest.raises(ValueError):
        xp.linalg.vecdot(xp.ones(shapes[0]), xp.ones(shapes[1]))


@pytest.mark.parametrize("ord", [np.inf, -np.inf, 1, -1])
def test_matrix_norm_of_a_single_matrix(xp, ord):
    m = np.array([[1.0, -7.0, 2.0], [-3.0, 0.5, 4.0]])
    out = xp.linalg.matrix_norm(xp.asarray(m), ord=ord)
    assert out.shape == ()
    np.testing.assert_allclose(to_np(out), np.linalg.norm(m, ord=ord), rtol=1e-15)


def test_matrix_rank_takes_rtol_as_an_array_one_per_matrix(xp):
    m = np.array([[[1.0, 0.0], [0.0, 1e-3]]] * 2)
    assert to_np(xp.linalg.matrix_rank(xp.asarray(m), rtol=xp.asarray([1e-2, 1e-4]))).tolist() == [1, 2]
    assert to_np(xp.linalg.matrix_rank(xp.asarray(m), rtol=xp.asarray(1e-2))).tolist() == [1, 1]
    np.testing.assert_allclose(to_np(xp.linalg.pinv(xp.asarray(m[0]), rtol=xp.asarray(1e-2))), [[1.0, 0.0], [0.0, 0.0]])


def test_matrix_power_of_a_non_square_matrix_says_it_needs_square_ones(tfxp):
    for shape in ((2, 3), (3,)):
        with pytest.raises(ValueError, match=r"^matrix_power needs square matrices$"):
            tfxp.linalg.matrix_power(tfxp.ones(shape), 2)


def test_real_input_transforms_take_integers_as_the_default_float(xp):
    a = np.array([[3, -1, 4, 1, -5], [9, 2, -6, 5, 3]], dtype=np.int32)
    np.testing.assert_allclose(to_np(xp.fft.rfft(xp.asarray(a))), np.fft.rfft(a.astype(np.float64)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(to_np(xp.fft.rfftn(xp.asarray(a), axes=(0, 1))), np.fft.rfftn(a.astype(np.float64)), rtol=1e-12, atol=1e-12)
    assert xp.fft.rfft(xp.asarray(a)).dtype == xp.complex128


@pytest.mark.parametrize("n", [5, 7, 8, 3])
def test_irfft_gives_n_samples_for_odd_and_even_n(xp, n):
    x = RNG.standard_normal((2, 4)) + 1j * RNG.standard_normal((2, 4))
    out = xp.fft.irfft(xp.asarray(x), n=n)
    assert out.shape == (2, n)
    np.testing.assert_allclose(to_np(out), np.fft.irfft(x, n=n), rtol=1e-10, atol=1e-12)


def test_irfftn_pads_and_trims_every_axis_to_s(xp):
    x = RNG.standard_normal((2, 3, 4)) + 1j * RNG.standard_normal((2, 3, 4))
    for s, axes in (((4, 5), (1, 2)), ((2, 7), (0, 2)), ((1, 2, 9), (0, 1, 2))):
        out = xp.fft.irfftn(xp.asarray(x), s=s, axes=axes)
        np.testing.assert_allclose(to_np(out), np.fft.irfftn(x, s=s, axes=axes), rtol=1e-10, atol=1e-12)


def test_fftn_size_minus_one_keeps_the_axis_as_it_is(xp):
    x = RNG.standard_normal((2, 3, 4)) + 1j * RNG.standard_normal((2, 3, 4))
    out = xp.fft.fftn(xp.asarray(x), s=(-1, 6), axes=(1, 2))
    np.testing.assert_allclose(to_np(out), np.fft.fftn(x, s=(3, 6), axes=(1, 2)), rtol=1e-10, atol=1e-12)


def test_fftn_with_s_and_no_axes_transforms_the_last_len_s_axes(tfxp):
    # NumPy's (now deprecated) rule, which the namespace keeps: s alone names the trailing axes
    x = RNG.standard_normal((2, 3, 4)) + 1j * RNG.standard_normal((2, 3, 4))
    out = tfxp.fft.fftn(tfxp.asarray(x), s=(3, 6))
    np.testing.assert_allclose(to_np(out), np.fft.fftn(x, s=(3, 6), axes=(1, 2)), rtol=1e-10, atol=1e-12)


def test_matmul_with_inner_dimensions_that_differ_names_both(tfxp):
    import tensorflow as tf

    ints = tfxp.int32
    cases = [(tfxp.ones((2, 3, 4), dtype=ints), tfxp.ones((5, 2), dtype=ints), 4, 5), (tf.Variable(np.ones((2, 3))), tfxp.ones((4, 2)), 3, 4),
             (tfxp.ones(3), tfxp.ones((2, 2)), 3, 2)]
    for a, b, n1, n2 in cases:
        with pytest.raises(ValueError, match=rf"^matmul: inner dimensions differ \({n1} and {n2}\)$"):
            tfxp.matmul(a, b)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_matmul_of_shapes_that_do_not_fit_raises_value_error_as_numpy_does_whatever_the_dtype(tfxp, dtype):
    """Eager float tensors take a fast path straight to TensorFlow's kernel; its shape error must
    not escape as TensorFlow's InvalidArgumentError there while other dtypes get a ValueError."""
    cases = [((2, 3, 4), (5, 2), r"^matmul: inner dimensions differ \(4 and 5\)$"),
             ((2, 3, 4), (3, 4, 2), r"^matmul: the batch dimensions \[2\] and \[3\] do not broadcast$")]
    for shape1, shape2, says in cases:
        with pytest.raises(ValueError):
            np.matmul(np.ones(shape1), np.ones(shape2))  # the reference refuses them too
        a, b = tfxp.ones(shape1, dtype=getattr(tfxp, dtype)), tfxp.ones(shape2, dtype=getattr(tfxp, dtype))
        with pytest.raises(ValueError, match=says) as info:
            tfxp.matmul(a, b)
        assert type(info.value) is ValueError


@pytest.mark.parametrize("axis", [0, 1, -3])
def test_fft_along_a_leading_axis_of_a_3d_array(xp, axis):
    x = RNG.standard_normal((2, 3, 4)) + 1j * RNG.standard_normal((2, 3, 4))
    np.testing.assert_allclose(to_np(xp.fft.fft(xp.asarray(x), axis=axis)), np.fft.fft(x, axis=axis), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(to_np(xp.fft.ifft(xp.asarray(x), n=5, axis=axis)), np.fft.ifft(x, n=5, axis=axis), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ord", [1, 2, 0, np.inf, -np.inf, 3])
def test_vector_norm_keeps_the_reduced_axes_when_asked(xp, ord):
    v = RNG.standard_normal((2, 3, 4))
    out = xp.linalg.vector_norm(xp.asarray(v), axis=(0, 2), keepdims=True, ord=ord)
    assert out.shape == (1, 3, 1)
    expected = np.linalg.norm(np.moveaxis(v, 1, 0).reshape(3, -1), ord=ord, axis=1).reshape(1, 3, 1)
    np.testing.assert_allclose(to_np(out), expected, rtol=1e-12)
