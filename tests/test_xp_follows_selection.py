"""``unibridge.xp``: one namespace, held at module level, that follows the selection.

``xp = ub.namespace()`` at module level goes stale when the backend is chosen later: its
creation keeps making arrays of the old backend, and its functions turn other frameworks'
arrays into NumPy arrays and cut their gradients. ``unibridge.xp`` creates with the selection
active at the call and computes with the namespace of the arrays it is given. Gradients are
checked with each framework's own autodiff against the derivative written out by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge import xp  # imported once, before any selection: what user modules do
from unibridge.devices import CPU

from _backends import availability, require
from _example_helpers import registered_backends
from _pretend import GPU, Box, PretendBackend

COMPLEX_OF = {"float32": "complex64", "float64": "complex128"}

# Creation that takes no array: the selection's backend and default float decide.
CREATION: dict[str, Any] = {
    "zeros": lambda: xp.zeros((2, 3)),
    "ones": lambda: xp.ones(3),
    "empty": lambda: xp.empty((2,)),
    "full": lambda: xp.full((2,), 1.5),
    "asarray": lambda: xp.asarray([1.0, 2.0]),
    "arange": lambda: xp.arange(0.0, 1.0, 0.25),
    "linspace": lambda: xp.linspace(0, 1, 5),
    "eye": lambda: xp.eye(3),
    "zeros_like(list)": lambda: xp.zeros_like([1.0, 2.0]),
    "full_like(list)": lambda: xp.full_like([1.0, 2.0], 3.0),
}


@pytest.fixture(params=registered_backends())
def any_backend(request: pytest.FixtureRequest) -> str:
    require(request.param)
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=["float64", "float32"])
def default_float(request: pytest.FixtureRequest) -> str:
    ub.configure(default_float=request.param)  # conftest resets it after the test
    return request.param  # type: ignore[no-any-return]


def _owner(x: Any) -> str:
    from unibridge.registry import _REGISTRY

    found = _REGISTRY.owner(x)
    return "none" if found is None else found.name


@pytest.mark.parametrize("call", CREATION)
def test_creation_uses_the_backend_and_default_float_selected_at_the_call(
    any_backend: str, default_float: str, call: str
) -> None:
    if "_like(" in call and any_backend in ("jax", "strict") and default_float == "float64":
        # The framework's own module is the namespace there (tests/test_namespace_defaults.py), and
        # it takes only arrays as templates, as the Array API says.
        pytest.skip(f"{any_backend}'s own namespace takes only arrays as templates")
    with ub.use(any_backend):
        out = CREATION[call]()
    assert _owner(out) == any_backend, f"xp.{call} under use({any_backend!r}) made a {type(out)}"
    assert ub.dtype_of(out) == default_float


def test_creation_follows_configure_after_xp_was_imported(any_backend: str) -> None:
    ub.configure(any_backend, default_float="float32")
    out = xp.asarray([0.5, 1j])
    assert _owner(out) == any_backend and ub.dtype_of(out) == "complex64"
    with ub.use("numpy"):
        assert type(xp.ones(2)) is np.ndarray  # the innermost selection wins, then configure again
    assert _owner(xp.ones(2)) == any_backend


def test_other_functions_use_the_namespace_of_their_arrays(any_backend: str) -> None:
    """Under the NumPy selection, another framework's arrays stay that framework's arrays."""
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = ub.asarray(a, backend=any_backend)
    with ub.use("numpy"):
        results = {
            "exp": (xp.exp(x), np.exp(a)),
            "add(scalar)": (xp.add(x, 1.0), a + 1.0),
            "sum(axis=0)": (xp.sum(x, axis=0), a.sum(axis=0)),
            "matmul": (xp.matmul(x, x), a @ a),
            "concat(list)": (xp.concat([x, x], axis=0), np.concatenate([a, a])),
            "linalg.inv": (xp.linalg.inv(x), np.linalg.inv(a)),
            "zeros_like(array)": (xp.zeros_like(x), np.zeros_like(a)),
        }
    for name, (got, want) in results.items():
        assert _owner(got) == any_backend, f"xp.{name} of {any_backend} arrays gave {type(got)}"
        np.testing.assert_allclose(ub.to_numpy(got), want, rtol=1e-12, err_msg=name)


def test_like_functions_keep_the_templates_dtype_and_framework(any_backend: str, default_float: str) -> None:
    x = ub.asarray(np.ones(3, dtype=np.int32), backend=any_backend)
    with ub.use("numpy"):
        for like in (xp.zeros_like(x), xp.ones_like(x), xp.full_like(x, 2), xp.empty_like(x)):
            assert _owner(like) == any_backend and ub.dtype_of(like) == "int32"


def test_torch_gradients_flow_through_xp_under_another_selection() -> None:
    require("torch")
    import torch

    w = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    with ub.use("numpy"):
        loss = xp.sum(xp.sin(w) * w)
    loss.backward()
    # d/dw sum(sin(w) * w) = cos(w) * w + sin(w), written out in NumPy.
    np.testing.assert_allclose(w.grad.numpy(), np.cos([0.5, -1.0, 2.0]) * [0.5, -1.0, 2.0] + np.sin([0.5, -1.0, 2.0]))


def test_tensorflow_gradients_flow_through_xp_under_another_selection() -> None:
    require("tensorflow")
    import tensorflow as tf

    w = tf.Variable([0.5, -1.0, 2.0], dtype=tf.float64)
    with ub.use("numpy"), tf.GradientTape() as tape:
        loss = xp.sum(xp.exp(xp.multiply(w, 2.0)))
    grad = tape.gradient(loss, w)
    assert grad is not None, "the gradient was cut"
    np.testing.assert_allclose(grad.numpy(), 2 * np.exp(2 * np.array([0.5, -1.0, 2.0])))


def test_jax_gradients_flow_through_xp_under_another_selection() -> None:
    require("jax")
    import jax

    def loss(w: Any) -> Any:
        return xp.sum(xp.tanh(w))

    w = ub.asarray(np.array([0.5, -1.0, 2.0]), backend="jax")
    with ub.use("numpy"):
        grad = jax.grad(loss)(w)
    np.testing.assert_allclose(np.asarray(grad), 1 - np.tanh([0.5, -1.0, 2.0]) ** 2)


def test_a_module_level_fixed_namespace_goes_stale_where_xp_does_not() -> None:
    """The failure ``xp`` is for: a namespace taken before ``use()`` keeps the old backend."""
    require("torch")
    stale = ub.namespace()  # the NumPy selection of the test process
    with ub.use("torch"):
        assert type(stale.zeros(2)) is np.ndarray
        assert _owner(xp.zeros(2)) == "torch"


def _two_backends() -> tuple[str, str]:
    found = [name for name in ("numpy", "torch", "tensorflow", "jax", "strict", "dask") if availability(name)[0]]
    if len(found) < 2:
        pytest.skip("needs two available backends")
    return found[0], found[1]


@pytest.mark.parametrize("where", ["positional", "keyword", "in a list"])
def test_arrays_of_two_frameworks_in_one_call_raise_naming_both(where: str) -> None:
    first, second = _two_backends()
    a = ub.asarray(np.ones(3), backend=first)
    b = ub.asarray(np.ones(3), backend=second)
    calls = {
        "positional": lambda: xp.add(a, b),
        "keyword": lambda: xp.clip(a, min=b),
        "in a list": lambda: xp.concat([a, b]),
    }
    xp.add(a, a), xp.add(b, b)  # the memo of each array type is warm: mixing must still be seen
    with pytest.raises(ub.UnsupportedInputError) as info:
        calls[where]()
    assert first in str(info.value) and second in str(info.value)


def test_dtype_names_are_the_selected_backends(any_backend: str) -> None:
    with ub.use(any_backend):
        native = ub.namespace()
        assert xp.float32 == native.float32 and xp.int64 == native.int64
        assert ub.dtype_of(xp.zeros(2, dtype=xp.float32)) == "float32"


def test_creation_passes_the_selected_device_to_the_namespace() -> None:
    """torch's global default device is not the selected one: the namespace is told the device."""
    require("torch")
    import torch

    before = torch.get_default_device()
    torch.set_default_device("meta")
    try:
        with ub.use("torch", device="cpu"):
            made = [xp.zeros(2), xp.asarray([1.0]), xp.linspace(0, 1, 3), xp.eye(2), xp.full((1,), 2.0)]
        assert all(t.device.type == "cpu" for t in made), [t.device for t in made]
    finally:
        torch.set_default_device(before)


def test_re_registering_a_backend_forgets_what_xp_remembered() -> None:
    """A backend registered again replaces the old one in xp's memo too."""
    from unibridge.adapters.numpy import NumpyBackend

    class Tagged(NumpyBackend):
        name = "tagged"

        def __init__(self, tag: str) -> None:
            super().__init__()
            self.tag = tag

        def namespace(self):  # type: ignore[no-untyped-def]
            import types

            import array_api_compat.numpy as base

            ns = types.ModuleType(f"tagged_{self.tag}")
            ns.__dict__.update({k: getattr(base, k) for k in dir(base) if not k.startswith("__")})
            ns.zeros = lambda *a, **k: ("made by", self.tag)  # type: ignore[attr-defined]
            return ns

    with ub.registered("tagged", lambda: Tagged("old")):
        with ub.use("tagged"):
            assert xp.zeros(2) == ("made by", "old")
        ub.register_backend("tagged", lambda: Tagged("new"), replace=True)
        with ub.use("tagged"):
            assert xp.zeros(2) == ("made by", "new")


def test_xp_is_one_object_equal_only_to_itself() -> None:
    import unibridge.following as following

    assert ub.xp is xp is following.xp
    assert xp == xp and xp != ub.namespace("numpy")
    with pytest.raises(AttributeError):
        xp.no_such_function  # noqa: B018


def test_an_explicit_dtype_none_means_the_default_float_too(any_backend: str, default_float: str) -> None:
    with ub.use(any_backend):
        for out in (xp.zeros(2, dtype=None), xp.ones((1, 2), dtype=None), xp.empty(3, dtype=None),
                    xp.full((2,), 0.5, dtype=None), xp.linspace(0, 1, 3, dtype=None)):
            assert ub.dtype_of(out) == default_float
        assert ub.dtype_of(xp.zeros(2, dtype=xp.int32)) == "int32"


def test_namespace_info_is_the_selected_backends(any_backend: str, default_float: str) -> None:
    with ub.use(any_backend):
        defaults = xp.__array_namespace_info__().default_dtypes()
        assert ub.dtype_of(xp.zeros(1, dtype=defaults["real floating"])) == default_float
        assert xp.__array_api_version__ == ub.namespace().__array_api_version__


def test_a_dtype_of_the_selected_backend_is_translated_for_the_arrays_framework(any_backend: str) -> None:
    """``xp.astype(x, xp.float32)`` under another selection: ``xp.float32`` is the selection's
    object, and the arrays' framework is handed its own."""
    x = ub.asarray(np.array([1.5, 2.5]), backend=any_backend)
    for selected in ("numpy", "torch"):
        if not availability(selected)[0]:
            continue
        with ub.use(selected):
            out = xp.astype(x, xp.float32)
            ones = xp.ones_like(x, dtype=xp.int32)
        assert _owner(out) == any_backend and ub.dtype_of(out) == "float32"
        assert _owner(ones) == any_backend and ub.dtype_of(ones) == "int32"


class _HostOnlyBoxes(PretendBackend):
    """Boxes on the CPU or a pretend ``gpu:0``, whose namespace always makes them on the CPU and
    cannot be told a device: it has no ``namespace_device``, so xp must look where each landed."""

    name = "hostboxes"
    kind = Box

    @property
    def namespace_device(self) -> Any:  # type: ignore[override]
        raise AttributeError("namespace_device")

    def namespace(self) -> Any:
        import types

        ns = types.ModuleType("hostboxes_namespace")
        # The float dtypes make it a namespace unibridge wraps for the default float.
        ns.float32, ns.complex64, ns.float64, ns.complex128 = np.float32, np.complex64, np.float64, np.complex128  # type: ignore[attr-defined]
        ns.zeros = lambda shape, *, dtype=None, device=None: Box(np.zeros(shape, dtype) + 7.0, device or CPU)  # type: ignore[attr-defined]
        return ns


@pytest.mark.parametrize("default_float", ["float64", "float32"])  # its namespace as it is, and wrapped
def test_creation_on_a_backend_that_cannot_be_told_the_device_moves_the_result_there(default_float: str) -> None:
    ub.configure(default_float=default_float)
    with ub.registered("hostboxes", _HostOnlyBoxes):
        with ub.use("hostboxes", device="gpu:0"):
            moved = xp.zeros(2)
            kept = xp.zeros(2, device=CPU)  # the caller's device wins
        with ub.use("hostboxes", device="cpu"):
            here = xp.zeros(2)
    assert type(moved) is Box and moved.device == GPU and moved.a.tolist() == [7.0, 7.0]
    assert kept.device == CPU and here.device == CPU and here.a.tolist() == [7.0, 7.0]


def test_the_first_xp_call_of_a_fresh_process_state_uses_the_environments_selection() -> None:
    """Nothing selected yet, no use() block: creation and computation take the process default
    (xp's functions fetched before, as a module holding ``zeros = xp.zeros`` would)."""
    zeros, add = xp.zeros, xp.add
    ub.config.reset_defaults()
    made = zeros(2)
    ub.config.reset_defaults()
    total = add(np.ones(3), 2.0).sum()
    assert ub.get_backend(ub.current().backend).is_array(made) and float(total) == 9.0


def test_a_use_block_after_a_call_outside_it_creates_with_the_blocks_backend() -> None:
    require("torch")
    import torch

    assert isinstance(xp.zeros(2), np.ndarray)  # the default first: numpy remembered
    with ub.use("torch"):
        assert isinstance(xp.zeros(2), torch.Tensor) and isinstance(xp.zeros_like([1.0]), torch.Tensor)
    assert isinstance(xp.zeros(2), np.ndarray)


def test_every_way_of_calling_an_array_function_gives_the_owning_namespaces_answer_each_time() -> None:
    """The first call goes the general way and remembers the function; the later ones take the
    remembered one: both must hand it every argument, positional and keyword."""
    import array_api_compat.numpy as npx

    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(6.0, 12.0).reshape(2, 3)
    cond = a > 2.0
    calls = [
        (lambda ns: ns.sum(a)),  # one argument
        (lambda ns: ns.sum(a, axis=1)),  # one argument and a keyword
        (lambda ns: ns.add(a, b)),  # two arrays
        (lambda ns: ns.add(a, 2.5)),  # an array and a Python number
        (lambda ns: ns.tensordot(a, b.T, axes=1)),  # two arrays and a keyword
        (lambda ns: ns.where(cond, a, b)),  # three positional arguments
        (lambda ns: ns.clip(a, 1.0, 4.0)),  # an array and two numbers
        (lambda ns: ns.linalg.matmul(a, b.T)),  # a function of a sub-namespace
    ]
    for call in calls:
        want = call(npx)
        for _ in range(3):
            np.testing.assert_array_equal(call(xp), want)


def test_a_remembered_function_is_not_used_for_arrays_of_another_framework_or_lists() -> None:
    require("torch")
    import torch

    a, t = np.ones(2), torch.ones(2, dtype=torch.float64)
    assert isinstance(xp.add(a, a), np.ndarray) and isinstance(xp.concat([a, a]), np.ndarray)
    assert isinstance(xp.concat([t, t]), torch.Tensor)  # a list first: never remembered
    xp.where(a > 0, a, a), xp.linalg.matmul(a, a)  # remembered for NumPy first arguments
    calls = {"add": lambda: xp.add(a, t), "where": lambda: xp.where(a > 0, a, t),
             "linalg.matmul": lambda: xp.linalg.matmul(a, t)}
    for name, call in calls.items():
        with pytest.raises(ub.UnsupportedInputError) as info:
            call()
        assert str(info.value) == (f"xp.{name} was given arrays of 2 frameworks: numpy and torch; convert them "
                                   f"to one first, e.g. unibridge.asarray(x, backend='numpy')")


def test_a_call_with_no_arrays_uses_the_selected_namespace() -> None:
    assert xp.isdtype(xp.float32, "real floating") is True
    assert len(xp.meshgrid()) == 0


def test_xp_says_what_each_function_is_and_what_it_is() -> None:
    import math

    import unibridge.following

    assert xp.__name__ == "unibridge.xp" and xp.__doc__ == unibridge.following.__doc__
    assert xp.zeros.__doc__ == "``zeros`` of the selected backend, on the selected device, in the selected default float."
    assert xp.sum.__doc__ == "``sum`` of the namespace that owns the arrays given (see :mod:`unibridge.following`)."
    assert xp.linalg.matmul.__doc__.startswith("``linalg.matmul`` of the namespace")
    assert xp.zeros_like.__doc__ == "``zeros_like`` of the namespace that owns the arrays given (see :mod:`unibridge.following`)."
    assert xp.pi == math.pi and xp.e == math.e and xp.inf == math.inf
    with pytest.raises(AttributeError, match=r"^unibridge.xp has no attribute '__path__'$"):
        xp.__path__  # noqa: B018 (the selected namespace is a package: xp still has no __path__)


def test_like_functions_given_python_data_pass_keywords_and_the_device_on() -> None:
    require("torch")
    import torch

    assert ub.dtype_of(xp.zeros_like([1.0, 2.0], dtype=np.float32)) == "float32"
    before = torch.get_default_device()
    torch.set_default_device("meta")
    try:
        with ub.use("torch", device="cpu"):
            made = [xp.zeros_like([1.0, 2.0]), xp.full_like([1.0], 3.0)]
        assert all(t.device.type == "cpu" for t in made), [t.device for t in made]
    finally:
        torch.set_default_device(before)


def test_an_array_functions_signature_shows_its_optional_arguments_as_absent() -> None:
    import inspect

    parameters = inspect.signature(xp.sum).parameters
    assert repr(parameters["x"].default) == repr(parameters["y"].default) == "<absent>"
