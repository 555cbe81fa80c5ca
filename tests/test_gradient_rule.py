"""One gradient rule on torch, TensorFlow and JAX: only the ``argnums`` arguments are variables,
nothing returned at top level carries history, pytrees keep their node types, conversions keep
the gradient, and whatever cannot be differentiated is refused with unibridge's error.

Oracles: central finite differences in float64 NumPy of the same function written with NumPy
(never our own gradient code), and each framework's own object model (autograd nodes, tensor types).
"""

from __future__ import annotations

import gc
from collections import OrderedDict, defaultdict, namedtuple
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import unibridge as ub

from _backends import require

from _autodiff_helpers import AUTODIFF, Layer, ad, arr  # noqa: F401  # ad: a fixture


def host(x: Any) -> np.ndarray:
    return np.asarray(ub.to_numpy(x), dtype=np.float64)


def finite_difference(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of ``f`` at ``x`` in float64: the oracle for every gradient here."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        g[i] = (f(up) - f(down)) / (2 * h)
    return g


def variable(backend: str, values: np.ndarray) -> Any:
    """The framework's trainable object: an ``nn.Parameter``, a ``tf.Variable``, a JAX array."""
    x = arr(values, backend)
    if backend == "torch":
        import torch

        return torch.nn.Parameter(x)
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.Variable(x)
    return x


def has_history(x: Any) -> bool:
    """Does ``x`` carry recorded history (an autograd graph, a tracer)?"""
    mod = type(x).__module__.partition(".")[0]
    if mod == "torch":
        return bool(x.requires_grad or x.grad_fn is not None)
    if mod in ("jax", "jaxlib"):
        import jax

        return isinstance(x, jax.core.Tracer)
    return False


X0 = np.array([0.5, -1.25, 2.0])


# -- only the argnums arguments are variables --------------------------------------------------------

ROUTES = ("another positional argument", "a keyword argument", "a closure", "a global", "a captured variable")


@pytest.mark.parametrize("route", ROUTES)
def test_the_same_array_reaching_the_function_another_way_is_a_constant(ad: str, route: str) -> None:
    xp = ub.namespace(ad)
    x = variable(ad, X0) if route == "a captured variable" else arr(X0, ad)
    grad_u = {
        "another positional argument": lambda: ub.grad(lambda u, v: xp.sum(u * v))(x, x),
        "a keyword argument": lambda: ub.grad(lambda u, *, v: xp.sum(u * v))(x, v=x),
        "a closure": lambda: ub.grad(lambda u: xp.sum(u * x))(x),
        "a global": lambda: ub.grad(eval("lambda u: xp.sum(u * G)", {"xp": xp, "G": x}))(x),
        "a captured variable": lambda: ub.grad(lambda u: xp.sum(u * x))(x),
    }[route]()
    expected = finite_difference(lambda u: float(np.sum(u * X0)), X0)  # v held at x: the gradient is x
    np.testing.assert_allclose(host(grad_u), expected, rtol=1e-8)


def test_argnums_minus_one_of_one_array_passed_twice_differentiates_the_last_position_only(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr(X0, ad)
    g = ub.grad(lambda a, b: xp.sum(a**2 * b), argnums=-1)(x, x)
    np.testing.assert_allclose(host(g), finite_difference(lambda b: float(np.sum(X0**2 * b)), X0), rtol=1e-8)


def test_two_positions_holding_one_variable_get_their_own_gradients(ad: str) -> None:
    xp = ub.namespace(ad)
    w = variable(ad, X0)
    ga, gb = ub.grad(lambda a, b: xp.sum(a * b**3), argnums=(0, 1))(w, w)
    np.testing.assert_allclose(host(ga), finite_difference(lambda a: float(np.sum(a * X0**3)), X0), rtol=1e-7)
    np.testing.assert_allclose(host(gb), finite_difference(lambda b: float(np.sum(X0 * b**3)), X0), rtol=1e-7)


@pytest.mark.parametrize("argnums", [-3, -5, 2])
def test_argnums_outside_the_arguments_is_refused_rather_than_wrapped_around(ad: str, argnums: int) -> None:
    xp = ub.namespace(ad)
    x, y = arr([1.0], ad), arr([2.0], ad)
    with pytest.raises(ub.ConfigurationError, match=rf"argnums={argnums} is out of range"):
        ub.grad(lambda a, b: xp.sum(a * b), argnums=argnums)(x, y)


# -- nothing returned at top level carries history ----------------------------------------------------


def _torch_nodes(*tensors: Any) -> int:
    """Autograd nodes reachable from ``tensors`` (0 when none has history)."""
    seen: set[int] = set()
    stack = [t.grad_fn for t in tensors if t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(next_node for next_node, _ in node.next_functions)
    return len(seen)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_results_and_aux_carry_no_history_when_the_inputs_are_trainable_variables(ad: str) -> None:
    xp = ub.namespace(ad)
    w = variable(ad, X0)

    def f(w: Any) -> tuple[Any, Any]:
        y = w * w
        return xp.sum(y), {"squares": y}

    (value, aux), g = ub.value_and_grad(f, has_aux=True)(w)
    for out in (value, aux["squares"], g):
        assert not has_history(out), type(out)
    np.testing.assert_allclose(host(aux["squares"]), X0**2)
    np.testing.assert_allclose(host(g), finite_difference(lambda w: float(np.sum(w * w)), X0), rtol=1e-8)
    if ad == "torch":
        assert _torch_nodes(value, aux["squares"], g) == 0


@pytest.mark.skipif(not hasattr(__import__("os"), "sched_getaffinity"), reason="reads /proc/self/statm")
def test_a_training_loop_keeps_the_graph_and_memory_flat(ad: str) -> None:
    """300 steps on the framework's trainable objects, updated the framework's way: the graph
    reachable from the parameters and results stays empty and resident memory stays flat."""
    xp = ub.namespace(ad)
    rng = np.random.default_rng(0)
    params = {"W": variable(ad, rng.normal(size=(32, 32)) * 0.1), "b": variable(ad, np.zeros(32))}
    X = arr(rng.normal(size=(16, 32)), ad)

    def loss(p: dict[str, Any], X: Any) -> tuple[Any, Any]:
        h = xp.tanh(X @ p["W"] + p["b"])
        return xp.mean(h**2), h

    step = ub.value_and_grad(loss, has_aux=True)

    def update(p: dict[str, Any], g: dict[str, Any]) -> dict[str, Any]:
        if ad == "torch":
            import torch

            with torch.no_grad():
                for k in p:
                    p[k].sub_(0.01 * g[k])
            return p
        if ad == "tensorflow":
            for k in p:
                p[k].assign_sub(0.01 * g[k])
            return p
        return {k: p[k] - 0.01 * g[k] for k in p}

    rss = []
    for i in range(300):
        (value, h), g = step(params, X)
        params = update(params, g)
        assert not any(has_history(t) for t in (value, h, *g.values()))
        if ad == "torch":
            assert _torch_nodes(value, h, *g.values(), *params.values()) == 0, f"step {i}"
        if i in (49, 299):
            gc.collect()
            rss.append(_rss_bytes())
    assert rss[1] - rss[0] < 16 * 2**20, f"resident memory grew {(rss[1] - rss[0]) / 2**20:.1f} MiB in 250 steps"


# -- nested use ------------------------------------------------------------------------------------


def _cubic_sine(np_or_xp: Any, x: Any) -> Any:
    return np_or_xp.sin(x) * x**3


def test_grad_of_grad_of_a_scalar_function_is_the_second_derivative(ad: str) -> None:
    xp = ub.namespace(ad)
    x0 = 0.7
    d2 = ub.grad(ub.grad(lambda x: _cubic_sine(xp, x)))(arr(x0, ad))
    h = 1e-4
    expected = (_cubic_sine(np, x0 + h) - 2 * _cubic_sine(np, x0) + _cubic_sine(np, x0 - h)) / h**2
    np.testing.assert_allclose(host(d2), expected, rtol=1e-6)


@pytest.mark.parametrize("order", ["grad inside jit", "jit inside grad"])
def test_grad_and_jit_compose_in_either_order(ad: str, order: str) -> None:
    xp = ub.namespace(ad)
    f = lambda x: xp.sum(_cubic_sine(xp, x))  # noqa: E731
    composed = ub.jit(ub.grad(f), backend=ad) if order == "grad inside jit" else ub.grad(ub.jit(f, backend=ad))
    g = composed(arr(X0, ad))
    np.testing.assert_allclose(host(g), finite_difference(lambda x: float(np.sum(_cubic_sine(np, x))), X0), rtol=1e-7)
    assert not has_history(g)


# -- pytrees keep their node types and keys ---------------------------------------------------------------


def test_gradient_nodes_come_back_with_the_same_types_keys_and_factories(ad: str) -> None:
    xp = ub.namespace(ad)
    dd: defaultdict[str, Any] = defaultdict(list)
    dd["w"] = arr([1.0, 2.0], ad)
    params = {
        "ordered": OrderedDict([("z", arr(3.0, ad)), ("a", arr([4.0], ad))]),
        "default": dd,
        "layer": Layer(arr([[1.0]], ad), arr([0.5], ad)),
        "nested": [(arr(2.0, ad), {"deep": arr([1.0, -1.0], ad)})],
    }

    def loss(p: Any) -> Any:
        return (p["ordered"]["z"] * xp.sum(p["ordered"]["a"]) + xp.sum(p["default"]["w"] ** 2)
                + xp.sum(p["layer"].w) * xp.sum(p["layer"].b) + p["nested"][0][0] * xp.sum(p["nested"][0][1]["deep"]))

    g = ub.grad(loss)(params)
    assert type(g) is dict and list(g) == list(params)
    assert type(g["ordered"]) is OrderedDict and list(g["ordered"]) == ["z", "a"]
    assert type(g["default"]) is defaultdict and g["default"].default_factory is list and list(g["default"]) == ["w"]
    assert type(g["layer"]) is Layer
    assert type(g["nested"]) is list and type(g["nested"][0]) is tuple and type(g["nested"][0][1]) is dict
    assert float(host(g["ordered"]["z"])) == 4.0 and host(g["ordered"]["a"]).tolist() == [3.0]
    assert host(g["default"]["w"]).tolist() == [2.0, 4.0]
    assert host(g["layer"].w).tolist() == [[0.5]] and host(g["layer"].b).tolist() == [1.0]
    assert float(host(g["nested"][0][0])) == 0.0 and host(g["nested"][0][1]["deep"]).tolist() == [2.0, 2.0]


# -- what cannot be differentiated is refused with unibridge's error -----------------------------------


def test_a_tensor_made_under_torch_inference_mode_is_refused_naming_inference_mode() -> None:
    require("torch")
    import torch

    with torch.inference_mode():
        x = torch.ones(3, dtype=torch.float64)
    with pytest.raises(ub.NotDifferentiableError, match="inference_mode") as info:
        ub.grad(lambda x: (x * x).sum())(x)
    assert "argument 0" in str(info.value)


def test_grad_called_inside_torch_inference_mode_is_refused_naming_inference_mode() -> None:
    require("torch")
    import torch

    x = torch.ones(3, dtype=torch.float64)
    with torch.inference_mode(), pytest.raises(ub.NotDifferentiableError, match="inference_mode"):
        ub.grad(lambda x: (x * x).sum())(x)


def test_a_tensorflow_resource_handle_is_refused_naming_its_dtype() -> None:
    require("tensorflow")
    import tensorflow as tf

    v = tf.Variable([1.0, 2.0], dtype=tf.float64)
    with pytest.raises(ub.NotDifferentiableError, match="resource"):
        ub.grad(lambda h: tf.reduce_sum(tf.raw_ops.ReadVariableOp(resource=h, dtype=tf.float64)))(v.handle)


# -- conversions inside the function keep the gradient --------------------------------------------------

CONVERSIONS = {
    "asarray(copy=True)": lambda u, b: ub.asarray(u, copy=True, backend=b),
    "asarray(copy=None)": lambda u, b: ub.asarray(u, backend=b),
    "float64 -> float32 -> float64": lambda u, b: ub.asarray(
        ub.asarray(u, dtype="float32", backend=b, casting="unsafe"), dtype="float64", backend=b),
    "to complex128 and back through real": lambda u, b: ub.namespace(b).real(ub.asarray(u, dtype="complex128", backend=b)),
}


@pytest.mark.parametrize("conversion", CONVERSIONS)
def test_a_conversion_inside_the_differentiated_function_keeps_the_gradient(ad: str, conversion: str) -> None:
    xp = ub.namespace(ad)
    convert = CONVERSIONS[conversion]
    g = ub.grad(lambda u: xp.sum(convert(u, ad) ** 2))(arr(X0, ad))
    rtol = 1e-6 if "float32" in conversion else 1e-8
    np.testing.assert_allclose(host(g), finite_difference(lambda u: float(np.sum(u**2)), X0), rtol=rtol)


def test_a_conversion_inside_the_function_keeps_the_gradient_under_the_active_backend(ad: str) -> None:
    xp = ub.namespace(ad)
    with ub.use(ad):
        g = ub.grad(lambda u: xp.sum(ub.asarray(u, copy=True) ** 3))(arr(X0, ad))
    np.testing.assert_allclose(host(g), finite_difference(lambda u: float(np.sum(u**3)), X0), rtol=1e-7)


# -- gradients are dense arrays of the inputs' own type ------------------------------------------------


def test_the_gradient_of_a_gather_comes_back_dense_as_the_inputs_array_type(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr(X0, ad)
    index = ub.asarray(np.array([2, 0, 2]), backend=ad)
    g = ub.grad(lambda u: xp.sum(xp.take(u, index) ** 2))(x)
    assert type(g) is type(x), type(g)
    expected = finite_difference(lambda u: float(np.sum(np.take(u, [2, 0, 2]) ** 2)), X0)
    np.testing.assert_allclose(host(g), expected, rtol=1e-8)
