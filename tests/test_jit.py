"""``unibridge.jit``: compiled where the backend can, with the results of the function."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.adapters.numpy import NumpyBackend
from unibridge.protocol import SupportsJit

from _backends import require

COMPILING = ("tensorflow", "jax")
# tf.function runs the same kernels as eager TensorFlow: bit-identical. XLA fuses JAX's
# operations, which may round the last bit differently (documented in unibridge.jit).
RTOL = {"tensorflow": 0.0, "jax": 1e-13}
UNCHANGED = ("numpy", "torch", "dask")


def mlp_loss(xp: Any) -> Any:
    def loss(p: dict[str, Any], X: Any, Y: Any) -> Any:
        h = xp.tanh(X @ p["W1"] + p["b1"])
        z = h @ p["W2"]
        return xp.mean((z - Y) ** 2)

    return loss


def problem(backend: str) -> tuple[dict[str, Any], Any, Any]:
    rng = ub.random.default_rng(0, backend=backend)
    p = {"W1": rng.normal(size=(4, 8)), "b1": rng.normal(size=8), "W2": rng.normal(size=(8, 1))}
    return p, rng.normal(size=(16, 4)), rng.normal(size=(16, 1))


def host(x: Any) -> np.ndarray:
    return np.asarray(ub.to_numpy(x))


@pytest.mark.parametrize("name", COMPILING)
def test_jit_compiles_with_the_frameworks_compiler(name: str) -> None:
    require(name)
    loss = mlp_loss(ub.namespace(name))
    compiled = ub.jit(loss, backend=name)
    assert compiled.__wrapped__ is loss
    if name == "tensorflow":
        import tensorflow as tf

        graph = compiled.get_concrete_function(*problem(name))  # a tf.function's trace of the same call
        assert isinstance(graph, tf.types.experimental.ConcreteFunction)
        assert {op.type for op in graph.graph.get_operations()} >= {"MatMul", "Tanh", "Mean"}
    else:
        assert hasattr(compiled, "lower")  # a jax.jit-wrapped function


@pytest.mark.parametrize("name", COMPILING + UNCHANGED)
def test_jit_gives_the_results_of_the_function(name: str) -> None:
    require(name)
    loss = mlp_loss(ub.namespace(name))
    p, X, Y = problem(name)
    with ub.use(name):
        compiled = ub.jit(loss)
    np.testing.assert_allclose(host(compiled(p, X, Y)), host(loss(p, X, Y)), rtol=RTOL.get(name, 0.0), atol=0)


@pytest.mark.parametrize("name", UNCHANGED)
def test_jit_returns_the_function_itself_where_nothing_is_compiled(name: str) -> None:
    require(name)
    loss = mlp_loss(ub.namespace(name))
    assert ub.jit(loss, backend=name) is loss
    with ub.use(name):
        assert ub.jit(loss) is loss


@pytest.mark.parametrize("name", COMPILING)
def test_jit_of_value_and_grad_gives_the_eager_value_and_gradients(name: str) -> None:
    require(name)
    step = ub.value_and_grad(mlp_loss(ub.namespace(name)))
    p, X, Y = problem(name)
    compiled = ub.jit(step, backend=name)
    (v_eager, g_eager), (v_jit, g_jit) = step(p, X, Y), compiled(p, X, Y)
    np.testing.assert_allclose(host(v_jit), host(v_eager), rtol=RTOL[name], atol=0)
    assert set(g_jit) == set(p)
    for k in p:
        assert ub.dtype_of(g_jit[k]) == "float64"
        np.testing.assert_allclose(host(g_jit[k]), host(g_eager[k]), rtol=RTOL[name] * 100, atol=RTOL[name] * 10)
    again = compiled(p, X, Y)  # the second call reuses the trace
    np.testing.assert_array_equal(host(again[0]), host(v_jit))


@pytest.mark.parametrize("name", COMPILING)
def test_rules_hold_under_jit(name: str) -> None:
    require(name)
    xp = ub.namespace(name)
    x = ub.asarray(np.ones(3), backend=name)
    with pytest.raises(ub.GradientOutputError, match="scalar"):
        ub.jit(ub.grad(lambda x: x * 2.0), backend=name)(x)
    z = ub.asarray(np.array([1.0 + 2.0j]), backend=name)
    g = ub.jit(ub.grad(lambda z: xp.sum(xp.real(z * xp.conj(z)))), backend=name)(z)
    np.testing.assert_allclose(host(g), [2.0 + 4.0j])


@pytest.mark.parametrize("name", COMPILING)
def test_python_control_flow_on_values_is_refused_alike_on_tensorflow_and_jax(name: str) -> None:
    """jit traces on both: an `if` on a value raises (TF's AutoGraph would accept it on TF alone)."""
    require(name)
    xp = ub.namespace(name)

    def relu_sum(x: Any) -> Any:
        return xp.sum(x) if xp.sum(x) > 0 else -xp.sum(x)

    x = ub.asarray(np.array([1.0, -3.0]), backend=name)
    assert float(host(relu_sum(x))) == 2.0  # eagerly, Python sees the value
    with pytest.raises(TypeError):
        ub.jit(relu_sum, backend=name)(x)
    xp_where = ub.jit(lambda x: xp.where(xp.sum(x) > 0, xp.sum(x), -xp.sum(x)), backend=name)
    assert float(host(xp_where(x))) == 2.0


@pytest.mark.parametrize("name", COMPILING + UNCHANGED)
def test_jit_passes_and_returns_dicts_in_their_own_key_order_on_every_call(name: str) -> None:
    """As eagerly: jax.jit alone sorts the keys of the dicts it passes in and hands back, and a
    cached call rebuilds its result once more by JAX's rules; tf.function alone reuses the first
    call's trace for a dict in another order (the function sees, and echoes, the first order)."""
    require(name)
    xp = ub.namespace(name)
    x = ub.asarray(np.array([1.0, 2.0]), backend=name)

    def echo_and_new(p: dict[str, Any], *, scale: Any) -> Any:
        return p, {"z": p["w"] * scale, "a": [{"y": scale, "c": xp.sum(p["b"])}]}, list(p)

    compiled = ub.jit(lambda p, scale: echo_and_new(p, scale=scale)[:2], backend=name)
    for p in ({"w": x, "b": x}, {"b": x, "w": x}, {"w": x, "b": x}):  # the last one: a cached call
        for _ in range(2):
            echoed, made = compiled(p, x)
            assert list(echoed) == list(p)
            assert list(made) == ["z", "a"] and list(made["a"][0]) == ["y", "c"]
            np.testing.assert_array_equal(host(made["z"]), [1.0, 4.0])
    seen = ub.jit(lambda p: xp.stack([p[k] for k in p]), backend=name)  # the trace sees the caller's order
    np.testing.assert_array_equal(host(seen({"w": x, "b": x * 3.0}))[:, 0], [1.0, 3.0])
    np.testing.assert_array_equal(host(seen({"b": x * 3.0, "w": x}))[:, 0], [3.0, 1.0])


@pytest.mark.parametrize("name", COMPILING + UNCHANGED)
def test_jit_passes_and_returns_ordered_and_default_dicts_with_their_type_order_and_factory(name: str) -> None:
    """tf.function alone hands a defaultdict back as a plain dict, and reuses the first call's
    key order for an OrderedDict and a defaultdict too."""
    require(name)
    from collections import OrderedDict, defaultdict

    xp = ub.namespace(name)
    x = ub.asarray(np.array([1.0, 2.0]), backend=name)

    def f(p: Any, q: Any) -> Any:
        made = defaultdict(list, {"z": p["w"] * 2.0, "a": q["b"]})
        return p, q, made, OrderedDict([("y", xp.sum(q["w"])), ("c", p["b"])])

    compiled = ub.jit(f, backend=name)
    for keys in (("w", "b"), ("b", "w"), ("w", "b")):
        p = defaultdict(int, {k: x for k in keys})
        q = OrderedDict([(k, x) for k in keys])
        for _ in range(2):  # the second: a cached call
            echoed_p, echoed_q, made, ordered = compiled(p, q)
            assert type(echoed_p) is defaultdict and echoed_p.default_factory is int and list(echoed_p) == list(keys)
            assert type(echoed_q) is OrderedDict and list(echoed_q) == list(keys)
            assert type(made) is defaultdict and made.default_factory is list and list(made) == ["z", "a"]
            assert type(ordered) is OrderedDict and list(ordered) == ["y", "c"]
            np.testing.assert_array_equal(host(made["z"]), [2.0, 4.0])
            np.testing.assert_array_equal(host(ordered["y"]), 3.0)


def test_jit_on_tensorflow_traces_once_per_key_order_and_reuses_each_trace() -> None:
    require("tensorflow")
    traces: list[list[str]] = []

    def f(p: dict[str, Any]) -> Any:
        traces.append(list(p))
        return p["w"] + p["b"]

    compiled = ub.jit(f, backend="tensorflow")
    x = ub.asarray(np.array([1.0]), backend="tensorflow")
    for p in ({"w": x, "b": x}, {"b": x, "w": x}, {"w": x, "b": x}, {"b": x, "w": x}):
        np.testing.assert_array_equal(host(compiled(p)), [2.0])
    assert traces == [["w", "b"], ["b", "w"]]


def test_jit_on_jax_keeps_lower_and_wrapped_as_jax_jit_has_them() -> None:
    require("jax")
    loss = mlp_loss(ub.namespace("jax"))
    compiled = ub.jit(loss, backend="jax")
    p, X, Y = problem("jax")
    assert compiled.__wrapped__ is loss
    lowered = compiled.lower(p, X, Y)
    assert "jit_loss" in lowered.as_text()
    np.testing.assert_allclose(host(lowered.compile()(p, X, Y)), host(loss(p, X, Y)), rtol=RTOL["jax"])
    assert compiled.eval_shape(p, X, Y).shape == ()


def test_jit_rejects_what_is_not_a_function() -> None:
    with pytest.raises(ub.ConfigurationError, match="^jit needs a function, got int$"):
        ub.jit(42)  # type: ignore[type-var]


@pytest.mark.parametrize("alias", ["tf", "TF", "tensorflow"])
def test_jit_resolves_a_backend_alias_before_choosing_the_compiler(alias: str) -> None:
    require("tensorflow")
    import tensorflow as tf

    f = mlp_loss(ub.namespace("tensorflow"))
    compiled = ub.jit(f, backend=alias)
    assert compiled is not f and compiled.__wrapped__ is f
    assert isinstance(compiled.get_concrete_function(*problem("tensorflow")), tf.types.experimental.ConcreteFunction)
    p, X, Y = problem("tensorflow")
    np.testing.assert_array_equal(host(compiled(p, X, Y)), host(f(p, X, Y)))


def test_jit_under_an_alias_of_a_backend_that_compiles_nothing_returns_the_function() -> None:
    require("torch")
    f = mlp_loss(ub.namespace("torch"))
    assert ub.jit(f, backend="pt") is f and ub.jit(f, backend="np") is f


def test_jit_of_a_backend_name_that_is_not_registered_raises_not_found() -> None:
    with pytest.raises(ub.BackendNotFoundError, match="no-such-backend"):
        ub.jit(lambda x: x, backend="no-such-backend")


@pytest.mark.parametrize("name", COMPILING + UNCHANGED + ("strict",))
def test_every_builtin_and_bundled_backend_declares_its_jit(name: str) -> None:
    require(name)
    assert isinstance(ub.get_backend(name), SupportsJit)


class _NumpyWithoutJit(NumpyBackend):
    """The numpy backend with nothing to say about jit: it has no ``jit`` attribute at all."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    @property
    def jit(self) -> Any:  # type: ignore[override]
        raise AttributeError("jit")


def _declared_jit_in(message: str) -> list[str]:
    return message.rpartition("use a backend that declares jit: ")[2].split(", ")


def test_jit_for_a_backend_that_declares_nothing_refuses_naming_the_backends_that_do() -> None:
    with ub.registered("jitless", lambda: _NumpyWithoutJit("jitless")):
        with pytest.raises(ub.JitUnavailableError) as caught:
            ub.jit(lambda x: x, backend="jitless")
    assert isinstance(caught.value, NotImplementedError)
    message = str(caught.value)
    assert message.startswith("backend 'jitless' declares no jit")
    named = _declared_jit_in(message)
    # numpy and torch are installed wherever the tests run, and both declare jit.
    assert {"numpy", "torch"} <= set(named) and "jitless" not in named, named


def test_jit_where_no_installed_backend_declares_jit_says_none_here() -> None:
    import contextlib

    available = [row.name for row in ub.backends() if row.available]
    with contextlib.ExitStack() as stack:
        for name in available:  # each taken over, for this block only, by one that declares nothing
            stack.enter_context(ub.registered(name, lambda name=name: _NumpyWithoutJit(name), replace=True))
        with pytest.raises(ub.JitUnavailableError) as caught:
            ub.jit(lambda x: x, backend="numpy")
    assert _declared_jit_in(str(caught.value)) == ["none here"]
    assert ub.jit(lambda x: x, backend="numpy") is not None  # the registry is itself again
