"""Backend-neutral gradients: every rule, on torch, TensorFlow and JAX.

Each test writes its function once against ``xp = unibridge.namespace(b)`` and
runs it on the real frameworks; NumPy and Dask must refuse with the backends
that can.
"""

from __future__ import annotations

import contextlib
import re
from collections import OrderedDict, namedtuple
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.backend_kit import Autodiff
from unibridge.protocol import SupportsAutodiff

from _backends import require

from _autodiff_helpers import AUTODIFF, Layer, ad, arr  # noqa: F401  # ad: a fixture


def host(x: Any) -> np.ndarray:
    return np.asarray(ub.to_numpy(x))


def test_value_and_grad_gives_the_value_and_the_analytic_gradient(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr([1.0, -2.0, 3.0], ad)
    value, g = ub.value_and_grad(lambda x: xp.sum(x**3))(x)
    assert float(host(value)) == 1.0 - 8.0 + 27.0
    assert host(g).tolist() == [3.0, 12.0, 27.0]
    assert host(ub.grad(lambda x: xp.sum(x**3))(x)).tolist() == [3.0, 12.0, 27.0]


def test_gradients_come_back_in_the_arguments_structure(ad: str) -> None:
    xp = ub.namespace(ad)
    params = {
        "layers": [Layer(arr([[1.0, 2.0]], ad), arr([0.5], ad)), Layer(arr([[3.0]], ad), arr([0.0], ad))],
        "scale": (arr(2.0, ad), None),
        "extra": OrderedDict(z=arr([1.0, 1.0], ad)),
    }

    def loss(p: Any) -> Any:
        first, second = p["layers"]
        return (xp.sum(first.w) * p["scale"][0] + xp.sum(first.b) + xp.sum(second.w * second.b)
                + xp.sum(p["extra"]["z"] ** 2))

    g = ub.grad(loss)(params)
    assert type(g) is dict and list(g) == ["layers", "scale", "extra"]
    assert type(g["layers"]) is list and all(type(layer) is Layer for layer in g["layers"])
    assert type(g["scale"]) is tuple and g["scale"][1] is None
    assert type(g["extra"]) is OrderedDict
    assert host(g["layers"][0].w).tolist() == [[2.0, 2.0]]  # d/dw of sum(w) * scale
    assert host(g["layers"][0].b).tolist() == [1.0]
    assert host(g["layers"][1].w).tolist() == [[0.0]] and host(g["layers"][1].b).tolist() == [3.0]
    assert float(host(g["scale"][0])) == 3.0
    assert host(g["extra"]["z"]).tolist() == [2.0, 2.0]


def test_gradients_are_arrays_of_the_inputs_framework_dtype_and_device(ad: str) -> None:
    xp = ub.namespace(ad)
    backend = ub.get_backend(ad)
    p = {"w": arr([1.0, 2.0], ad), "b": arr([[0.5]], ad, "float32")}
    value, g = ub.value_and_grad(lambda p: xp.sum(p["w"]) + xp.sum(xp.astype(p["b"], xp.float64)))(p)
    for name in p:
        assert backend.is_array(g[name]), type(g[name])
        assert ub.dtype_of(g[name]) == ub.dtype_of(p[name]) and ub.device_of(g[name]) == ub.device_of(p[name])
        assert tuple(backend.shape_of(g[name])) == tuple(backend.shape_of(p[name]))
    assert backend.is_array(value) and ub.dtype_of(value) == "float64"


def test_argnums_picks_arguments_and_a_tuple_gives_a_tuple(ad: str) -> None:
    xp = ub.namespace(ad)
    a, b, c = arr([1.0], ad), arr([2.0], ad), arr([5.0], ad)
    f = lambda a, b, c: xp.sum(a * b * c)  # noqa: E731
    assert host(ub.grad(f, argnums=1)(a, b, c)).tolist() == [5.0]
    ga, gc = ub.grad(f, argnums=(0, 2))(a, b, c)
    assert host(ga).tolist() == [10.0] and host(gc).tolist() == [2.0]
    (only,) = ub.grad(f, argnums=(2,))(a, b, c)
    assert host(only).tolist() == [2.0]
    assert host(ub.grad(f, argnums=-1)(a, b, c)).tolist() == [2.0]


def test_keyword_arguments_pass_through_undifferentiated(ad: str) -> None:
    xp = ub.namespace(ad)
    g = ub.grad(lambda x, *, scale: xp.sum(scale * x * x))(arr([1.0, 2.0], ad), scale=arr(3.0, ad))
    assert host(g).tolist() == [6.0, 12.0]


def test_has_aux_returns_value_and_aux_then_the_gradient(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr([1.0, 2.0], ad)

    def f(x: Any) -> tuple[Any, Any]:
        y = x * x
        return xp.sum(y), {"squares": y, "note": "kept as is"}

    (value, aux), g = ub.value_and_grad(f, has_aux=True)(x)
    assert float(host(value)) == 5.0 and host(aux["squares"]).tolist() == [1.0, 4.0] and aux["note"] == "kept as is"
    assert host(g).tolist() == [2.0, 4.0]
    g2, aux2 = ub.grad(f, has_aux=True)(x)
    assert host(g2).tolist() == [2.0, 4.0] and host(aux2["squares"]).tolist() == [1.0, 4.0]


def test_has_aux_without_a_pair_says_what_was_expected(ad: str) -> None:
    xp = ub.namespace(ad)
    with pytest.raises(ub.GradientOutputError, match=r"pair \(value, aux\)"):
        ub.value_and_grad(lambda x: xp.sum(x), has_aux=True)(arr([1.0], ad))


@pytest.mark.parametrize("output", ["vector", "shape (1,)", "complex scalar", "integer scalar", "not an array"])
def test_a_non_scalar_output_raises_a_value_error_saying_scalar(ad: str, output: str) -> None:
    xp = ub.namespace(ad)
    make = {
        "vector": lambda x: x * 2.0,
        "shape (1,)": lambda x: xp.sum(x, keepdims=True),
        "complex scalar": lambda x: xp.sum(xp.astype(x, xp.complex128)),
        "integer scalar": lambda x: xp.sum(xp.astype(x, xp.int64)),
        "not an array": lambda x: 1.0,
    }[output]
    with pytest.raises(ub.GradientOutputError, match="scalar") as info:
        ub.grad(make)(arr([1.0, 2.0], ad))
    assert isinstance(info.value, ValueError) and isinstance(info.value, ub.UnibridgeError)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_integer_and_bool_inputs_raise_a_type_error_naming_the_dtype(ad: str, dtype: str) -> None:
    xp = ub.namespace(ad)
    params = {"w": arr([1.0], ad), "mask": arr([1], ad, dtype)}
    with pytest.raises(ub.NotDifferentiableError, match=dtype) as info:
        ub.grad(lambda p: xp.sum(p["w"]))(params)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ub.UnibridgeError)
    assert "argument 0['mask']" in str(info.value)
    # Not in argnums: integer arguments are fine.
    assert host(ub.grad(lambda w, m: xp.sum(w), argnums=0)(params["w"], params["mask"])).tolist() == [1.0]


def test_argnums_out_of_range_or_of_the_wrong_type_raises_clearly(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr([1.0], ad)
    with pytest.raises(ub.ConfigurationError, match=r"argnums=2 is out of range.*2 positional arguments"):
        ub.grad(lambda a, b: xp.sum(a), argnums=2)(x, x)
    with pytest.raises(ub.ConfigurationError, match="out of range"):
        ub.grad(lambda a: xp.sum(a), argnums=(0, 1))(x)
    with pytest.raises(ub.ConfigurationError, match="int or a tuple of ints"):
        ub.grad(lambda a: xp.sum(a), argnums="0")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ub.grad(lambda a: xp.sum(a), argnums=())


def test_the_same_array_passed_twice_gets_both_gradients(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr([2.0, 3.0], ad)
    ga, gb = ub.grad(lambda a, b: xp.sum(a * b * b), argnums=(0, 1))(x, x)
    assert host(ga).tolist() == [4.0, 9.0]  # b**2
    assert host(gb).tolist() == [8.0, 18.0]  # 2ab
    # Twice inside one pytree as well.
    g = ub.grad(lambda p: xp.sum(p[0] * 3.0 + p[1] ** 2))([x, x])
    assert host(g[0]).tolist() == [3.0, 3.0] and host(g[1]).tolist() == [4.0, 6.0]


@pytest.mark.parametrize("dtype", ["float64", "float32", "bfloat16"])
def test_dtypes_are_kept(ad: str, dtype: str) -> None:
    xp = ub.namespace(ad)
    x = arr([1.0, 2.0, 4.0], ad, dtype)
    value, g = ub.value_and_grad(lambda x: xp.sum(x * x))(x)
    assert ub.dtype_of(g) == dtype and ub.dtype_of(value) == dtype
    assert host(g).astype(np.float64).tolist() == [2.0, 4.0, 8.0]


def test_float64_gradients_are_computed_in_float64(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr([1.0 + 2.0**-40], ad)
    g = ub.grad(lambda x: xp.sum(x * x))(x)
    assert host(g)[0] == 2.0 + 2.0**-39  # not representable in float32


@pytest.mark.parametrize("dtype", ["complex128", "complex64"])
def test_complex_gradients_point_uphill_like_pytorch(ad: str, dtype: str) -> None:
    xp = ub.namespace(ad)
    z0 = np.array([1.0 + 2.0j, -0.5 + 0.25j])
    z = arr(z0, ad, dtype)

    def loss(z: Any) -> Any:
        return xp.sum(xp.real(z * xp.conj(z)))  # |z|**2

    g = ub.grad(loss)(z)
    assert ub.dtype_of(g) == dtype
    np.testing.assert_allclose(host(g), 2 * z0, rtol=1e-6)  # the gradient of |z|**2 is 2z
    stepped = z - 0.1 * g  # z - lr * g descends on every backend
    assert float(host(loss(stepped))) < float(host(loss(z)))


def test_an_unused_argument_gets_zero_gradients(ad: str) -> None:
    xp = ub.namespace(ad)
    ga, gb = ub.grad(lambda a, b: xp.sum(a), argnums=(0, 1))(arr([1.0], ad), arr([[1.0, 2.0]], ad))
    assert host(ga).tolist() == [1.0] and host(gb).tolist() == [[0.0, 0.0]]
    assert ub.get_backend(ad).is_array(gb)


def test_stop_gradient_blocks_the_gradient(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr([3.0, 4.0], ad)
    g = ub.grad(lambda x: xp.sum(x * ub.stop_gradient(x)))(x)
    assert host(g).tolist() == [3.0, 4.0]  # not 2x
    tree = ub.stop_gradient({"a": x, "b": [x]})
    assert host(tree["b"][0]).tolist() == [3.0, 4.0]


def test_gradients_of_gradients(ad: str) -> None:
    xp = ub.namespace(ad)
    d2 = ub.grad(lambda x: xp.sum(ub.grad(lambda y: xp.sum(y**3))(x)))(arr([1.0, 2.0], ad))
    assert host(d2).tolist() == [6.0, 12.0]  # d2/dx2 x**3 = 6x


def test_mixing_frameworks_raises_naming_both() -> None:
    frameworks = [b for b in AUTODIFF if ub.get_backend(b).available()[0]]
    if len(frameworks) < 2:
        pytest.skip("needs two autodiff frameworks")
    first, second = frameworks[:2]
    a, b = arr([1.0], first), arr([2.0], second)
    with pytest.raises(ub.NotDifferentiableError, match=f"{first}.*{second}") as info:
        ub.grad(lambda a, b: a.sum(), argnums=(0, 1))(a, b)
    assert isinstance(info.value, TypeError)
    with pytest.raises(ub.NotDifferentiableError, match=f"{first}.*{second}"):
        ub.grad(lambda p: p["a"].sum())({"a": a, "b": b})


@pytest.mark.parametrize("name", ["numpy", "dask"])
def test_numpy_and_dask_raise_not_implemented_naming_the_backends_that_can(name: str) -> None:
    require(name)
    x = ub.asarray(np.ones(3), backend=name)
    xp = ub.namespace(name)
    for call in (ub.grad(lambda x: xp.sum(x)), ub.value_and_grad(lambda x: xp.sum(x))):
        with pytest.raises(ub.AutodiffUnavailableError, match=f"{name} has no automatic differentiation") as info:
            call(x)
        assert isinstance(info.value, NotImplementedError)
        assert all(b in str(info.value) for b in AUTODIFF)


def test_python_numbers_are_not_differentiable_arguments() -> None:
    with pytest.raises(ub.NotDifferentiableError, match="float, not an array"):
        ub.grad(lambda x: x * x)(3.0)
    with pytest.raises(ub.NotDifferentiableError, match="no arrays"):
        ub.grad(lambda p: 0.0)({})


def test_the_callers_tensors_are_left_untouched() -> None:
    require("torch")
    import torch

    xp = ub.namespace("torch")
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    w = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    value, g = ub.value_and_grad(lambda x, w: xp.sum(x * w))(x, w)
    assert not x.requires_grad and x.grad is None and w.grad is None
    assert not value.requires_grad and not g.requires_grad
    with torch.no_grad():  # JAX's convention: a gradient is a gradient, also under no_grad
        assert ub.grad(lambda x: xp.sum(x * x))(x).tolist() == [2.0, 4.0]


def test_value_and_grad_keeps_the_functions_name() -> None:
    def my_loss(x: Any) -> Any:
        return x

    assert ub.value_and_grad(my_loss).__name__ == "my_loss"


def test_a_dtype_changing_asarray_keeps_a_torch_tensor_in_the_autograd_graph() -> None:
    require("torch")
    import torch

    x = torch.tensor([1.0, 2.0], dtype=torch.float32, requires_grad=True)
    y = ub.asarray(x, dtype="float64", backend="torch")
    assert y.requires_grad
    (y * y).sum().backward()
    assert x.grad is not None and x.grad.tolist() == [2.0, 4.0]


# -- the seam: gradients are a capability of the backend ---------------------------------------------------

FRAMEWORK_NAMES = ("torch", "tensorflow", "jax", "mlx")


def test_the_gradient_and_jit_modules_name_no_framework() -> None:
    """Dispatch goes through the owning backend's capabilities, so these files know no framework."""
    package = Path(ub.__file__).resolve().parent
    files = sorted((package / "autodiff").glob("*.py")) + [package / "compiling.py"]
    found = [
        f"{path.relative_to(package)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(name in line.lower() for name in FRAMEWORK_NAMES)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", ["torch", "tensorflow", "jax"])
def test_backends_with_gradients_offer_the_autodiff_capability(name: str) -> None:
    require(name)
    backend = ub.get_backend(name)
    assert isinstance(backend, SupportsAutodiff)
    found = backend.autodiff()
    assert isinstance(found, Autodiff) and found is backend.autodiff()  # built once
    assert found.owns(arr([1.0], name)) and not found.owns(np.ones(1))


@pytest.mark.parametrize("name", ["numpy", "dask", "strict"])
def test_backends_without_gradients_do_not_offer_it_and_stop_gradient_leaves_their_arrays_alone(name: str) -> None:
    require(name)
    assert not isinstance(ub.get_backend(name), SupportsAutodiff)
    x = ub.asarray(np.ones(3), backend=name)
    assert ub.stop_gradient(x) is x
    assert ub.autodiff.autodiff_of(x) is None


def test_the_error_for_a_backend_without_gradients_names_those_installed_that_have_them() -> None:
    here = ub.autodiff.differentiable_backends()
    assert {b for b in AUTODIFF if ub.get_backend(b).available()[0]} <= set(here)
    assert not {"numpy", "dask", "strict"} & set(here)
    with pytest.raises(ub.AutodiffUnavailableError) as info:
        ub.grad(lambda x: x.sum())(np.ones(2))
    assert all(b in str(info.value) for b in here)


@contextlib.contextmanager
def only_these_differentiate(*kept: str) -> Iterator[None]:
    """Every backend with gradients other than ``kept`` fails to load, for the block only."""

    def switched_off() -> Any:
        raise ImportError("switched off for this test")

    with contextlib.ExitStack() as stack:
        for name in ub.autodiff.differentiable_backends():
            if name not in kept:
                stack.enter_context(ub.registered(name, switched_off, replace=True))
        yield


def test_the_error_lists_every_backend_with_gradients_comma_separated() -> None:
    here = ub.autodiff.differentiable_backends()
    with pytest.raises(ub.AutodiffUnavailableError) as info:
        ub.grad(lambda x: x.sum())(np.ones(2))
    listed = re.search(r"grad and value_and_grad work on (.*) arrays: convert", str(info.value))
    assert listed is not None and listed.group(1).split(", ") == here, str(info.value)


def test_with_one_backend_with_gradients_the_error_suggests_converting_to_it() -> None:
    require("torch")
    with only_these_differentiate("torch"):
        assert ub.autodiff.differentiable_backends() == ["torch"]
        with pytest.raises(ub.AutodiffUnavailableError, match=r"work on torch arrays: convert with "
                           r"unibridge\.asarray\(x, backend='torch'\)"):
            ub.grad(lambda x: x.sum())(np.ones(2))


def test_a_backend_that_cannot_load_is_skipped_and_those_after_it_still_listed() -> None:
    here = ub.autodiff.differentiable_backends()
    if len(here) < 2:
        pytest.skip("needs two backends with gradients")
    with only_these_differentiate(*here[1:]):  # the first one listed fails to load
        assert ub.autodiff.differentiable_backends() == here[1:]


def test_with_no_backend_with_gradients_the_error_says_what_to_install() -> None:
    with only_these_differentiate():
        assert ub.autodiff.differentiable_backends() == []
        with pytest.raises(ub.AutodiffUnavailableError) as info:
            ub.grad(lambda x: x.sum())(np.ones(2))
    assert str(info.value) == (
        "argument 0 is a numpy array, and numpy has no automatic differentiation; no backend installed "
        "here has automatic differentiation; install one that has (unibridge.backends() lists the "
        "registered backends and what each needs)"
    )


def test_a_non_scalar_output_error_says_what_came_back(ad: str) -> None:
    xp = ub.namespace(ad)
    with pytest.raises(ub.GradientOutputError, match=rf"but it returned a {ad} array of shape \(2,\) and dtype float64;"):
        ub.grad(lambda x: x * 2.0)(arr([1.0, 2.0], ad))
    with pytest.raises(ub.GradientOutputError, match="but it returned a float;"):
        ub.grad(lambda x: 1.0)(arr([1.0, 2.0], ad))


def test_has_aux_without_a_pair_says_what_came_back_and_its_length(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr([1.0], ad)
    with pytest.raises(ub.GradientOutputError) as info:
        ub.value_and_grad(lambda x: {"value": xp.sum(x)}, has_aux=True)(x)
    assert str(info.value).endswith("but it returned a dict"), str(info.value)
    with pytest.raises(ub.GradientOutputError) as info:
        ub.value_and_grad(lambda x: (xp.sum(x), 1, 2), has_aux=True)(x)
    assert str(info.value).endswith("but it returned a tuple of length 3"), str(info.value)


def test_mixing_frameworks_names_where_each_array_is() -> None:
    frameworks = [b for b in AUTODIFF if ub.get_backend(b).available()[0]]
    if len(frameworks) < 2:
        pytest.skip("needs two autodiff frameworks")
    first, second = frameworks[:2]
    a, b = arr([1.0], first), arr([2.0], second)
    with pytest.raises(ub.NotDifferentiableError, match=rf"argument 0 is a {first} array and argument 1 is a {second} array;"):
        ub.grad(lambda a, b: a.sum(), argnums=(0, 1))(a, b)
    with pytest.raises(ub.NotDifferentiableError,
                       match=rf"argument 0\['a'\] is a {first} array and argument 0\['b'\] is a {second} array;"):
        ub.grad(lambda p: p["a"].sum())({"a": a, "b": b})


def test_a_tensorflow_object_that_is_no_dense_tensor_is_refused_naming_it() -> None:
    require("tensorflow")
    import tensorflow as tf

    ragged = tf.ragged.constant([[1.0], [2.0, 3.0]])
    with pytest.raises(ub.NotDifferentiableError) as info:
        ub.grad(lambda r: tf.reduce_sum(r))(ragged)
    assert str(info.value) == (
        "argument 0 is a RaggedTensor, a tensorflow object that tensorflow cannot differentiate; "
        "convert it to a dense tensorflow array first"
    )


def test_three_differentiated_positions_each_get_their_own_gradient(ad: str) -> None:
    xp = ub.namespace(ad)
    a, b, c = arr([1.0, 1.0], ad), arr([1.0], ad), arr([1.0, 1.0, 1.0], ad)
    ga, gb, gc = ub.grad(lambda a, b, c: xp.sum(a) + 2.0 * xp.sum(b) + 3.0 * xp.sum(c), argnums=(0, 1, 2))(a, b, c)
    assert (host(ga).tolist(), host(gb).tolist(), host(gc).tolist()) == ([1.0, 1.0], [2.0], [3.0, 3.0, 3.0])


def test_argnums_errors_say_the_range_for_the_arguments_given(ad: str) -> None:
    xp = ub.namespace(ad)
    x = arr([1.0], ad)
    with pytest.raises(ub.ConfigurationError) as info:
        ub.grad(lambda a: xp.sum(a), argnums=1)(x)
    assert str(info.value) == ("argnums=1 is out of range: the function was called with 1 positional argument, "
                               "so argnums must be in 0..0")
    with pytest.raises(ub.ConfigurationError) as info:
        ub.grad(lambda a, b, c: xp.sum(a), argnums=-4)(x, x, x)
    assert str(info.value) == ("argnums=-4 is out of range: the function was called with 3 positional arguments, "
                               "so argnums must be in 0..2")
    with pytest.raises(ub.ConfigurationError) as info:
        ub.grad(lambda a: xp.sum(a), argnums=())
    assert str(info.value) == "argnums=() selects no argument to differentiate; give at least one index"


def test_grad_of_what_is_not_a_function_names_its_type() -> None:
    for make in (ub.grad, ub.value_and_grad):
        with pytest.raises(ub.ConfigurationError) as info:
            make(42)  # type: ignore[arg-type]
        assert str(info.value) == "value_and_grad/grad need a function, got int"


def test_mixing_three_frameworks_raises_naming_the_first_two() -> None:
    frameworks = [b for b in AUTODIFF if ub.get_backend(b).available()[0]]
    if len(frameworks) < 3:
        pytest.skip("needs three autodiff frameworks")
    xs = [arr([1.0], b) for b in frameworks[:3]]
    first, second = frameworks[:2]
    with pytest.raises(ub.NotDifferentiableError, match=rf"argument 0 is a {first} array and argument 1 is a {second} array;"):
        ub.grad(lambda a, b, c: a.sum(), argnums=(0, 1, 2))(*xs)


def _subclass_framework() -> tuple[type, Any]:
    """A framework whose arrays subclass torch's (as a plugin's may): its module, array type and backend."""
    import sys
    import types

    import torch

    from unibridge.adapters._torch_autodiff import TorchAutodiff
    from unibridge.adapters.torch import TorchBackend

    module = sys.modules.get("toytorch") or types.ModuleType("toytorch")
    if not hasattr(module, "ToyTensor"):
        module.ToyTensor = type("ToyTensor", (torch.Tensor,), {"__module__": "toytorch"})  # type: ignore[attr-defined]
        sys.modules["toytorch"] = module
    toy = module.ToyTensor

    class ToyAutodiff(TorchAutodiff):
        name, module = "toytorch", "toytorch"

        def array_types(self) -> tuple[type, ...]:
            return (toy,)

    class ToyTorchBackend(TorchBackend):
        name, array_modules = "toytorch", ("toytorch",)

        def array_types(self, module: Any) -> tuple[type, ...]:
            return (toy,)

        def autodiff(self) -> Any:
            return ToyAutodiff()

    return toy, ToyTorchBackend


def test_a_torch_tensor_and_a_plugins_torch_subclass_mix_frameworks_in_either_order() -> None:
    """The plugin's arrays are torch tensors too, but the registry says they are the plugin's: two
    frameworks, whichever comes first (torch's autodiff would take both when torch came first)."""
    require("torch")
    import torch

    toy, backend = _subclass_framework()
    t = torch.tensor([1.0], dtype=torch.float64)
    y = torch.tensor([2.0], dtype=torch.float64).as_subclass(toy)
    with ub.registered("toytorch", backend):
        assert ub.registry.owner_of(y).name == "toytorch" and ub.registry.owner_of(t).name == "torch"
        for pair, names in (((t, y), ("torch", "toytorch")), ((y, t), ("toytorch", "torch"))):
            with pytest.raises(ub.NotDifferentiableError,
                               match=rf"argument 0 is a {names[0]} array and argument 1 is a {names[1]} array"):
                ub.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(*pair)
