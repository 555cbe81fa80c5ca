"""Gradients of random programs, judged by central finite differences in float64 and by the other frameworks.

Each example is a small program drawn by :mod:`_gradient_programs` (elementwise
operations, reductions, ``matmul``, ``take``, ``where``, ``concat``,
``reshape``, ``astype``, ``stop_gradient``; float32, float64 and complex
inputs) called with pytrees of arrays, a random ``argnums`` (int or tuple,
negative too), ``has_aux``, keyword arguments and a closure, through
``ub.grad`` or ``ub.value_and_grad``, compiled with ``ub.jit`` or not. It is
written once against ``xp``; NumPy runs it in float64 for the oracle.

The rule for aliases: the gradient for a leaf of a differentiated position is
the derivative with respect to that leaf alone. The same array reaching the
function elsewhere (another position, a keyword, a closure, a captured
``tf.Variable``) is a constant there.

Budget: ``UNIBRIDGE_GRADIENT_EXAMPLES`` examples per test and framework (CI: 20;
``make fuzz``: 500).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import unibridge as ub

import _gradient_programs as programs
from _backends import availability
from _gradient_programs import Call, Expected, Program

EXAMPLES = int(os.environ.get("UNIBRIDGE_GRADIENT_EXAMPLES", "20"))
FRAMEWORKS = ("torch", "tensorflow", "jax")
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

# (rtol, atol per unit of the largest gradient) against finite differences, by the program's lowest precision.
AGAINST_DIFFERENCES = {"float64": (1e-6, 1e-7), "float32": (2e-3, 2e-4)}
# ... and between two frameworks, which both differentiate exactly and differ only by rounding.
BETWEEN_FRAMEWORKS = {"float64": (1e-9, 1e-10), "float32": (1e-4, 1e-5)}

def _framework_params(known_broken: dict[str, str] | None = None) -> list[Any]:
    """One pytest param per framework: skipped with the reason when missing, xfail where known broken."""
    out = []
    for name in FRAMEWORKS:
        ok, why = availability(name)
        marks: list[Any] = [] if ok else [pytest.mark.skip(reason=f"{name} unavailable: {why}")]
        if known_broken and name in known_broken:
            marks.append(pytest.mark.xfail(strict=True, reason=known_broken[name]))
        out.append(pytest.param(name, marks=marks, id=name))
    return out


# -- each framework's arrays, made and read back without unibridge's conversions -------------------------


def _torch_leaf_requiring_grad(xp: Any, values: np.ndarray) -> Any:
    return xp.asarray(values).requires_grad_()


def _tensorflow_variable(xp: Any, values: np.ndarray) -> Any:
    import tensorflow as tf

    return tf.Variable(xp.asarray(values))


# The second kind of array each framework has, which its gradient code treats differently.
SPECIAL_KIND: dict[str, Callable[[Any, np.ndarray], Any]] = {
    "torch": _torch_leaf_requiring_grad,
    "tensorflow": _tensorflow_variable,
    "jax": lambda xp, values: xp.asarray(values),
}
HOST: dict[str, Callable[[Any], np.ndarray]] = {
    "torch": lambda x: x.detach().cpu().numpy(),
    "tensorflow": lambda x: x.numpy(),
    "jax": np.asarray,
}


def _array_types(framework: str) -> tuple[type, ...]:
    """The framework's array types (a gradient is never a tf.Variable; an aux value may be one)."""
    if framework == "torch":
        import torch

        return (torch.Tensor,)
    if framework == "tensorflow":
        import tensorflow as tf

        return (tf.Tensor, tf.Variable)
    import jax

    return (jax.Array,)


# -- running a program ---------------------------------------------------------------------------------


def run(program: Program, how: Call, framework: str) -> tuple[Any, Any, Any]:
    """``(value or None, aux or None, gradient)`` of ``program`` on ``framework``, called as ``how`` says."""
    xp = ub.namespace(framework)

    def make(i: int) -> Any:
        values = program.arrays[i].astype(program.dtypes[i])
        special = i < len(how.special) and how.special[i]
        return SPECIAL_KIND[framework](xp, values) if special else xp.asarray(values)

    args, kwargs, closure = programs.call(program, make)
    differentiate = getattr(ub, how.api)(programs.function(program, xp, closure), argnums=program.argnums,
                                         has_aux=program.has_aux)
    if how.jit:
        differentiate = ub.jit(differentiate, backend=framework)
    out = differentiate(*args, **kwargs)
    if how.api == "grad":
        return (None, out[1], out[0]) if program.has_aux else (None, None, out)
    (value, aux), g = out if program.has_aux else ((out[0], None), out[1])
    return value, aux, g


def _largest(tree: Any) -> float:
    if isinstance(tree, Expected):
        return float(np.max(np.abs(tree.values), initial=0.0))
    if tree is None:
        return 0.0
    return max([_largest(v) for v in (tree.values() if isinstance(tree, dict) else tree)], default=0.0)


def assert_same_tree(actual: Any, expected: Any, framework: str, tolerance: tuple[float, float],
                     where: str = "gradient") -> None:
    """``actual`` has ``expected``'s containers (types, keys in order), dtypes, shapes and values."""
    if isinstance(expected, Expected):
        types = _array_types(framework) if where.startswith("aux") else _array_types(framework)[:1]
        assert isinstance(actual, types), f"{where} is a {type(actual).__name__}"
        got = HOST[framework](actual)
        assert got.dtype == np.dtype(expected.dtype), f"{where} is {got.dtype}, its argument {expected.dtype}"
        assert got.shape == expected.values.shape, f"{where} has shape {got.shape}, not {expected.values.shape}"
        rtol, atol = tolerance
        np.testing.assert_allclose(got, expected.values, rtol=rtol, atol=atol, err_msg=f"{where} on {framework}")
        return
    if expected is None:
        assert actual is None, f"{where} is {actual!r}, not None"
        return
    assert type(actual) is type(expected), f"{where} is a {type(actual).__name__}, not a {type(expected).__name__}"
    if isinstance(expected, dict):
        assert list(actual) == list(expected), f"{where} has keys {list(actual)}, not {list(expected)}"
        for key in expected:
            assert_same_tree(actual[key], expected[key], framework, tolerance, f"{where}[{key!r}]")
        return
    assert len(actual) == len(expected), f"{where} has {len(actual)} items, not {len(expected)}"
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_same_tree(a, e, framework, tolerance, f"{where}[{i}]")


def check_against_finite_differences(program: Program, how: Call, framework: str) -> None:
    expected = programs.expected_gradients(program)
    rtol, atol = AGAINST_DIFFERENCES[program.lowest_precision]
    scale = max(1.0, _largest(expected))
    value, aux, g = run(program, how, framework)
    assert_same_tree(g, expected, framework, (rtol, atol * scale))
    loss, nodes = programs.oracle_loss(program)
    if value is not None:
        got = float(HOST[framework](value))
        assert math.isclose(got, loss, rel_tol=rtol, abs_tol=atol * max(1.0, abs(loss))), (got, loss)
    if aux is not None:
        node = program.nodes[program.aux]
        want = Expected(np.asarray(nodes[program.aux]), node.dtype)
        assert_same_tree(aux, {"node": want}, framework, (rtol, atol * programs.LIMIT), "aux")


# -- the properties ------------------------------------------------------------------------------------


@pytest.mark.parametrize("framework", _framework_params())
@PROPERTY
@given(program=programs.programs(alias_differentiated=False), how=programs.calls)
def test_gradients_of_random_programs_match_central_finite_differences(
        framework: str, program: Program, how: Call) -> None:
    check_against_finite_differences(program, how, framework)


ALIAS_BROKEN: dict[str, str] = {}  # a framework known to fail the rule; none since TensorFlow watches copies


@pytest.mark.parametrize("framework", _framework_params(ALIAS_BROKEN))
def test_a_differentiated_array_that_also_reaches_the_function_as_a_constant_stays_constant_there(
        framework: str, request: pytest.FixtureRequest) -> None:
    # A framework marked xfail stops at its first failing example: shrinking it would cost CI half a
    # minute for a report nobody reads. With --runxfail it shrinks, to show the smallest failing program.
    expected_to_fail = framework in ALIAS_BROKEN and not request.config.getoption("runxfail")
    phases = [Phase.explicit, Phase.reuse, Phase.generate] if expected_to_fail else list(Phase)

    @settings(PROPERTY, phases=phases)
    @given(program=programs.programs(alias_differentiated=True), how=programs.calls)
    def check(program: Program, how: Call) -> None:
        check_against_finite_differences(program, how, framework)

    check()


@PROPERTY
@given(program=programs.programs(alias_differentiated=False))
def test_every_framework_computes_the_same_gradient(program: Program) -> None:
    here = [name for name in FRAMEWORKS if availability(name)[0]]
    if len(here) < 2:
        pytest.skip(f"needs two of {', '.join(FRAMEWORKS)}; installed: {', '.join(here) or 'none'}")
    how = Call("grad", jit=False)
    found = {name: run(program, how, name)[2] for name in here}
    precision = program.lowest_precision
    for first, second in combinations(here, 2):
        reference = _as_expected(found[first], first, program)
        rtol, atol = BETWEEN_FRAMEWORKS[precision]
        assert_same_tree(found[second], reference, second, (rtol, atol * max(1.0, _largest(reference))),
                         f"{second}'s gradient against {first}'s")


def _as_expected(tree: Any, framework: str, program: Program) -> Any:
    """A framework's gradient as an expected tree (its containers, its values in float64)."""
    if isinstance(tree, _array_types(framework)):
        host = HOST[framework](tree)
        return Expected(host.astype(np.complex128 if np.iscomplexobj(host) else np.float64), str(host.dtype))
    if tree is None:
        return None
    if isinstance(tree, dict):
        return type(tree)((k, _as_expected(v, framework, program)) for k, v in tree.items())
    items = [_as_expected(v, framework, program) for v in tree]
    return type(tree)(*items) if isinstance(tree, programs.Pair) else type(tree)(items)


@pytest.mark.parametrize("framework", _framework_params())
@PROPERTY
@given(program=programs.programs(alias_differentiated=False), past=st.integers(0, 2), below=st.booleans())
def test_argnums_outside_the_positional_arguments_raise_naming_the_range(
        framework: str, program: Program, past: int, below: bool) -> None:
    count = len(program.positional)
    wrong = -count - 1 - past if below else count + past
    xp = ub.namespace(framework)
    args, kwargs, closure = programs.call(program, lambda i: xp.asarray(program.arrays[i].astype(program.dtypes[i])))
    with pytest.raises(ub.ConfigurationError, match=f"argnums={wrong} is out of range"):
        ub.grad(programs.function(program, xp, closure), argnums=wrong)(*args, **kwargs)


# -- the aliasing cases, one by one ----------------------------------------------------------------------

X = [1.0, -2.0, 3.0]


def _alias_case(framework: str, way: str) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    """``sum(u * v)`` differentiated with respect to ``u`` only, ``v`` the very same array reached ``way``."""
    xp = ub.namespace(framework)
    x = xp.asarray(np.array(X))
    if way == "positional":
        return lambda u, v: xp.sum(u * v), (x, x), {}
    if way == "keyword":
        return lambda u, *, v: xp.sum(u * v), (x,), {"v": x}
    if way == "closure":
        return lambda u: xp.sum(u * x), (x,), {}
    held = SPECIAL_KIND[framework](xp, np.array(X))  # a tf.Variable; a torch leaf that requires grad
    return lambda u: xp.sum(u * held), (held,), {}


@pytest.mark.parametrize("way", ["positional", "keyword", "closure", "captured variable"])
@pytest.mark.parametrize("framework", _framework_params())
def test_the_same_array_reached_another_way_is_a_constant_for_the_gradient(framework: str, way: str) -> None:
    fun, args, kwargs = _alias_case(framework, way)
    g = ub.grad(fun, argnums=0)(*args, **kwargs)
    assert HOST[framework](g).tolist() == X  # d/du sum(u * v) = v = x, not 2x


@pytest.mark.parametrize("framework", _framework_params())
def test_argnums_minus_one_of_the_same_array_twice_differentiates_the_last_position_only(framework: str) -> None:
    xp = ub.namespace(framework)
    x = xp.asarray(np.array(X))
    g = ub.grad(lambda u, v: xp.sum(u * v * v) / 2, argnums=-1)(x, x)
    assert HOST[framework](g).tolist() == [v * v for v in X]  # d/dv u v**2 / 2 = u v = x**2, not 1.5 x**2


@pytest.mark.parametrize("framework", _framework_params())
def test_a_compiled_gradient_keeps_the_key_order_of_a_dict_argument(framework: str) -> None:
    xp = ub.namespace(framework)
    x = xp.asarray(np.array(X))
    g = ub.jit(ub.grad(lambda p: xp.sum(p["w"] * p["b"])), backend=framework)({"w": x, "b": x})
    assert list(g) == ["w", "b"]
