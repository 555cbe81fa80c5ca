"""``unibridge.vmap``: JAX's convention on every backend, against a NumPy loop written by hand.

torch, TensorFlow and JAX vectorise with their own ``vmap`` (the backend's
``SupportsVmap`` capability); NumPy, Dask and array-api-strict get the loop
and stack. Per-example gradients (``vmap(grad(loss))``) are checked against a
Python loop of ``grad`` and against the analytic gradient.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import numpy as np
import pytest

import unibridge as ub
import unibridge.transforms as vmap_module
from tests._backends import require
from unibridge.protocol import SupportsVmap

BACKENDS = ["numpy", "torch", "tensorflow", "jax", "strict", "dask"]
AUTODIFF = ["torch", "tensorflow", "jax"]
NATIVE = {"torch", "tensorflow", "jax"}

rng = np.random.default_rng(3)
W = rng.normal(size=3)
X = rng.normal(size=(6, 3))
Y = rng.normal(size=6)


def on(backend: str, *arrays: np.ndarray) -> list[Any]:
    return [ub.asarray(a, backend=backend) for a in arrays]


def host(x: Any) -> np.ndarray:
    return np.asarray(ub.to_numpy(x))


@pytest.mark.parametrize("backend", BACKENDS)
def test_unmapped_and_mapped_arguments_follow_in_axes(backend: str) -> None:
    require(backend)
    xp = ub.namespace(backend)
    w, x, y = on(backend, W, X, Y)
    out = ub.vmap(lambda w, x, y: xp.sum(w * x) - y, in_axes=(None, 0, 0))(w, x, y)
    expected = np.array([np.sum(W * X[i]) - Y[i] for i in range(6)])
    np.testing.assert_allclose(host(out), expected, rtol=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_in_axes_may_be_another_or_a_negative_axis_and_out_axes_moves_the_batch(backend: str) -> None:
    require(backend)
    (x,) = on(backend, X)
    out = ub.vmap(lambda col: col * 2.0, in_axes=-1, out_axes=1)(x)  # columns of X, stacked as columns
    np.testing.assert_array_equal(host(out), np.stack([X[:, j] * 2.0 for j in range(3)], axis=1))


@pytest.mark.parametrize("backend", BACKENDS)
def test_in_axes_may_be_a_pytree_prefix_and_outputs_may_be_trees(backend: str) -> None:
    require(backend)
    xp = ub.namespace(backend)
    w, x, y = on(backend, W, X, Y)
    args = {"w": w, "data": (x, y)}

    def f(tree: Any) -> Any:
        x_i, y_i = tree["data"]
        return {"residual": xp.sum(tree["w"] * x_i) - y_i, "scaled": (x_i * 3.0,)}

    out = ub.vmap(f, in_axes=({"w": None, "data": 0},), out_axes={"residual": 0, "scaled": 1})(args)
    np.testing.assert_allclose(host(out["residual"]), X @ W - Y, rtol=1e-13)
    np.testing.assert_array_equal(host(out["scaled"][0]), (X * 3.0).T)


@pytest.mark.parametrize("backend", BACKENDS)
def test_out_axes_none_returns_an_output_that_does_not_depend_on_the_batch(backend: str) -> None:
    require(backend)
    xp = ub.namespace(backend)
    w, x = on(backend, W, X)
    out, total = ub.vmap(lambda w, x: (xp.sum(w * x), w * 2.0), in_axes=(None, 0), out_axes=(0, None))(w, x)
    np.testing.assert_allclose(host(out), X @ W, rtol=1e-13)
    np.testing.assert_array_equal(host(total), W * 2.0)


def per_example_loss(xp: Any) -> Any:
    def loss(p: dict[str, Any], x: Any, y: Any) -> Any:
        return (xp.sum(p["w"] * x) + p["b"] - y) ** 2

    return loss


def _per_example_gradients_match_a_loop_of_grad(backend: str) -> None:
    xp = ub.namespace(backend)
    w, x, y = on(backend, W, X, Y)
    p = {"w": w, "b": ub.asarray(np.array(0.5), backend=backend)}
    grad = ub.grad(per_example_loss(xp))
    batched = ub.vmap(grad, in_axes=(None, 0, 0))(p, x, y)
    looped = [grad(p, x[i], y[i]) for i in range(6)]
    np.testing.assert_allclose(host(batched["w"]), np.stack([host(g["w"]) for g in looped]), rtol=1e-13)
    np.testing.assert_allclose(host(batched["b"]), np.stack([host(g["b"]) for g in looped]), rtol=1e-13)
    residual = X @ W + 0.5 - Y
    np.testing.assert_allclose(host(batched["w"]), 2 * residual[:, None] * X, rtol=1e-13)


@pytest.mark.parametrize("backend", ["torch", "tensorflow", "jax"])
def test_per_example_gradients_match_a_python_loop_of_grad(backend: str) -> None:
    require(backend)
    _per_example_gradients_match_a_loop_of_grad(backend)


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_vmap_compiles_under_jit(backend: str) -> None:
    require(backend)
    xp = ub.namespace(backend)
    w, x, y = on(backend, W, X, Y)
    grads = ub.jit(ub.vmap(ub.grad(per_example_loss(xp)), in_axes=(None, 0, 0)), backend=backend)
    p = {"w": w, "b": ub.asarray(np.array(0.5), backend=backend)}
    np.testing.assert_allclose(host(grads(p, x, y)["w"]), 2 * (X @ W + 0.5 - Y)[:, None] * X, rtol=1e-13)


@pytest.mark.parametrize("backend", BACKENDS)
def test_backends_with_their_own_vmap_trace_once_and_the_others_loop(backend: str) -> None:
    require(backend)
    calls = []
    (x,) = on(backend, X)
    ub.vmap(lambda row: calls.append(1) or row * 2.0)(x)
    assert isinstance(ub.get_backend(backend), SupportsVmap) == (backend in NATIVE)
    assert len(calls) == (1 if backend in NATIVE else 6)


def test_the_core_vmap_names_no_framework() -> None:
    # The code without its docstrings (which say what each backend maps to).
    module = ast.parse(inspect.getsource(vmap_module))
    for node in ast.walk(module):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body.pop(0)
    code = ast.unparse(module).lower()
    for name in ("torch", "tensorflow", "tf.", "jax", "dask", "strict"):
        assert name not in code, name


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("in_axes, args, message", [
    ((0, 0), "mismatched", "different sizes"),
    ((0,), "two", "has 1 entries but the function was called with 2"),
    ((None, None), "two", "at least one mapped argument"),
    ((2, 0), "two", "has no such axis"),
    ([0, 0], "two", "not a list"),
    (0.5, "two", "must be an int, None"),
])
def test_bad_axes_raise_configuration_errors_before_any_framework_sees_them(
    backend: str, in_axes: Any, args: str, message: str
) -> None:
    require(backend)
    a, b, c = on(backend, X, Y, np.ones(4))
    call_args = (a, c) if args == "mismatched" else (a, b)
    with pytest.raises(ub.ConfigurationError, match=message):
        ub.vmap(lambda p, q: p, in_axes=in_axes)(*call_args)


def test_a_non_function_is_refused() -> None:
    with pytest.raises(ub.ConfigurationError, match="needs a function"):
        ub.vmap(3)  # type: ignore[arg-type]
