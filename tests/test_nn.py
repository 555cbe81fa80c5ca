"""``unibridge.nn`` against SciPy's special functions in float64, on every backend, with gradients.

Values: ``scipy.special`` (``expit``, ``softmax``, ``log_softmax``,
``logsumexp``, ``erfc``) at ordinary points and at ±1000 and -inf. Gradients
(torch, TensorFlow, JAX, through ``unibridge.grad``): the analytic
derivatives, evaluated with NumPy and SciPy, never with our code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from tests._backends import require

special = pytest.importorskip("scipy.special")

BACKENDS = ["numpy", "torch", "tensorflow", "jax", "strict", "dask"]
AUTODIFF = ["torch", "tensorflow", "jax"]
ORDINARY = np.array([-7.5, -2.0, -0.3, 0.0, 0.4, 1.0, 3.0, 8.25])
EXTREME = np.array([-1000.0, 1000.0])
RTOL = 1e-12


def phi(x: np.ndarray) -> np.ndarray:
    return np.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def Phi(x: np.ndarray) -> np.ndarray:
    return 0.5 * special.erfc(-x / math.sqrt(2))


C = math.sqrt(2 / math.pi)


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.tanh(C * (x + 0.044715 * x**3)))


def gelu_tanh_grad(x: np.ndarray) -> np.ndarray:
    t = np.tanh(C * (x + 0.044715 * x**3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * 0.044715 * x * x)


# name -> (our function, SciPy/NumPy value, analytic derivative, extra points where both are defined)
ELEMENTWISE: dict[str, tuple[Callable[[Any], Any], Callable[[np.ndarray], np.ndarray],
                             Callable[[np.ndarray], np.ndarray], list[float]]] = {
    "relu": (ub.nn.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float), [-np.inf, np.inf]),
    "sigmoid": (ub.nn.sigmoid, special.expit, lambda x: special.expit(x) * special.expit(-x),
                [-np.inf, np.inf, -700.0, -40.0]),
    "softplus": (ub.nn.softplus, lambda x: np.logaddexp(x, 0.0), special.expit, [-np.inf, np.inf, -40.0]),
    "silu": (ub.nn.silu, lambda x: x * special.expit(x),
             lambda x: special.expit(x) + x * special.expit(x) * special.expit(-x), [-40.0]),
    "gelu exact": (lambda x: ub.nn.gelu(x, approximate=False), lambda x: x * Phi(x),
                   lambda x: Phi(x) + x * phi(x), [-30.0, -5.0, 5.0, 0.9, -0.9, 1.1, 7.9, 8.1, 26.0]),
    "gelu tanh": (ub.nn.gelu, gelu_tanh, gelu_tanh_grad, []),
}


def points(name: str) -> np.ndarray:
    return np.concatenate([ORDINARY, EXTREME, np.array(ELEMENTWISE[name][3])])


def close(ours: Any, expected: np.ndarray, rtol: float = RTOL) -> None:
    np.testing.assert_allclose(ub.to_numpy(ours), expected, rtol=rtol, atol=1e-300)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_functions_match_scipy_including_the_extremes(name: str, backend: str) -> None:
    require(backend)
    ours, reference, _, _ = ELEMENTWISE[name]
    x = points(name)
    close(ours(ub.asarray(x, backend=backend)), reference(x))


@pytest.mark.parametrize("backend", AUTODIFF)
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_gradients_match_the_analytic_derivatives(name: str, backend: str) -> None:
    require(backend)
    ours, _, derivative, _ = ELEMENTWISE[name]
    x = points(name)
    xp = ub.namespace(backend)
    g = ub.grad(lambda v: xp.sum(ours(v)))(ub.asarray(x, backend=backend))
    close(g, derivative(x), rtol=1e-11)


def test_the_exact_gelu_is_cephes_accurate_across_its_branches() -> None:
    x = np.linspace(-30.0, 30.0, 20001)
    # exp(-x**2) rounds to about x**2 ulps far out in the tail: 1.7e-13 at x = -21
    np.testing.assert_allclose(ub.nn.gelu(x, approximate=False), x * Phi(x), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(ub.nn.gelu(x[np.abs(x) < 8], approximate=False), (x * Phi(x))[np.abs(x) < 8], rtol=2e-14)


ROWS = np.array([
    [1.0, 2.0, 3.0, -1.0],
    [1000.0, 1000.0, -1000.0, 0.0],
    [-1000.0, -1000.5, -999.0, -1001.0],
    [-np.inf, 0.0, 2.0, -np.inf],
    [5.0, 5.0, 5.0, 5.0],
])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_and_log_softmax_match_scipy_on_rows_with_extremes(backend: str, axis: int) -> None:
    require(backend)
    x = ROWS if axis == -1 else ROWS[[0, 1, 2, 4]]  # a column of a -inf and finite values is in the rows case
    a = ub.asarray(x, backend=backend)
    close(ub.nn.softmax(a, axis=axis), special.softmax(x, axis=axis))
    close(ub.nn.log_softmax(a, axis=axis), special.log_softmax(x, axis=axis))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_matches_scipy(backend: str, axis: Any, keepdims: bool) -> None:
    require(backend)
    out = ub.nn.logsumexp(ub.asarray(ROWS, backend=backend), axis=axis, keepdims=keepdims)
    expected = special.logsumexp(ROWS, axis=axis, keepdims=keepdims)
    assert tuple(ub.to_numpy(out).shape) == np.shape(expected)
    close(out, expected)


@pytest.mark.parametrize("backend", BACKENDS)
def test_logsumexp_of_only_minus_infinity_is_minus_infinity_and_plus_infinity_wins(backend: str) -> None:
    require(backend)
    x = np.array([[-np.inf, -np.inf], [np.inf, 0.0], [np.inf, -np.inf]])
    out = ub.to_numpy(ub.nn.logsumexp(ub.asarray(x, backend=backend), axis=1))
    assert out.tolist() == special.logsumexp(x, axis=1).tolist() == [-np.inf, np.inf, np.inf]


W = np.array([0.3, -1.2, 2.0, 0.7])  # weights: the gradient of sum(w * f(x)) is f's transposed Jacobian times w


@pytest.mark.parametrize("backend", AUTODIFF)
def test_softmax_family_gradients_match_the_analytic_ones(backend: str) -> None:
    require(backend)
    xp = ub.namespace(backend)
    rows = ROWS[:4]
    s = special.softmax(rows, axis=1)
    w = np.broadcast_to(W, rows.shape)
    expected = {
        "softmax": s * (w - np.sum(s * w, axis=1, keepdims=True)),
        "log_softmax": w - s * np.sum(w, axis=1, keepdims=True),
        "logsumexp": s * np.sum(w, axis=1, keepdims=True) / 4 * 4 / np.sum(w, axis=1, keepdims=True) * 1.0,
    }
    wb = ub.asarray(W, backend=backend)
    x = ub.asarray(rows, backend=backend)
    close(ub.grad(lambda v: xp.sum(wb * ub.nn.softmax(v)))(x), expected["softmax"], rtol=1e-11)
    close(ub.grad(lambda v: xp.sum(wb * ub.nn.log_softmax(v)))(x), expected["log_softmax"], rtol=1e-11)
    close(ub.grad(lambda v: xp.sum(ub.nn.logsumexp(v, axis=1)))(x), s, rtol=1e-11)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cross_entropy_with_integer_labels_is_minus_scipys_log_softmax_at_the_label(backend: str) -> None:
    require(backend)
    labels = np.array([2, 0, 2, 1, 3])
    expected = -special.log_softmax(ROWS, axis=1)[np.arange(5), labels]
    out = ub.nn.softmax_cross_entropy_with_integer_labels(ub.asarray(ROWS, backend=backend),
                                                          ub.asarray(labels, backend=backend))
    close(out, expected)


@pytest.mark.parametrize("backend", AUTODIFF)
def test_cross_entropy_gradient_is_softmax_minus_one_hot(backend: str) -> None:
    require(backend)
    xp = ub.namespace(backend)
    labels = np.array([2, 0, 2, 1])
    rows = ROWS[:4]
    expected = special.softmax(rows, axis=1) - np.eye(4)[labels]
    lab = ub.asarray(labels, backend=backend)
    g = ub.grad(lambda z: xp.sum(ub.nn.softmax_cross_entropy_with_integer_labels(z, lab)))(
        ub.asarray(rows, backend=backend))
    close(g, expected, rtol=1e-11)


def test_cross_entropy_along_another_axis_moves_the_classes_there() -> None:
    labels = np.array([2, 0, 2, 1, 3])
    expected = -special.log_softmax(ROWS, axis=1)[np.arange(5), labels]
    close(ub.nn.softmax_cross_entropy_with_integer_labels(ROWS.T, labels, axis=0), expected)


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_hot_matches_numpy_eye_and_zeros_out_of_range_labels(backend: str) -> None:
    require(backend)
    labels = np.array([[0, 3], [2, 7]])
    out = ub.nn.one_hot(ub.asarray(labels, backend=backend), 4)
    expected = np.vstack([np.eye(4), np.zeros((1, 4))])[np.where(labels < 4, labels, 4)]
    assert ub.dtype_of(out) == ub.current().default_float
    np.testing.assert_array_equal(ub.to_numpy(out), expected)
    moved = ub.nn.one_hot(ub.asarray(labels, backend=backend), 4, dtype="float32", axis=0)
    assert ub.dtype_of(moved) == "float32"
    np.testing.assert_array_equal(ub.to_numpy(moved), np.moveaxis(expected, -1, 0))


def test_a_python_list_is_refused_with_the_fix() -> None:
    with pytest.raises(ub.UnsupportedInputError, match="unibridge.asarray"):
        ub.nn.relu([1.0, -1.0])


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_the_functions_trace_under_jit(backend: str) -> None:
    require(backend)
    x = ub.asarray(ROWS[:3], backend=backend)
    labels = ub.asarray(np.array([1, 2, 0]), backend=backend)

    def f(z: Any, y: Any) -> Any:
        return (ub.nn.softmax_cross_entropy_with_integer_labels(z, y), ub.nn.one_hot(y, 4), ub.nn.gelu(z),
                ub.nn.logsumexp(z, axis=0))

    compiled = ub.jit(f, backend=backend)
    for ours, eager in zip(compiled(x, labels), f(x, labels)):
        close(ours, ub.to_numpy(eager))
