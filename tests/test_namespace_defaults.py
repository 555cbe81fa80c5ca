"""The same xp code gives the same dtypes on every backend.

``unibridge.namespace(b)`` creates arrays without a dtype in the configured
default float on every built-in backend and the JAX and Dask plugins, without
changing any framework's global state; integer and bool creation and array
templates keep their own dtypes; everything else is the framework's own object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import array_api_compat
import numpy as np
import pytest

import unibridge as ub
from unibridge.namespaces import unwrap_namespace

from _backends import availability, require
from _example_helpers import registered_backends

COMPLEX_OF = {"float32": "complex64", "float64": "complex128"}

# What xp code creates without a dtype, and the dtype it must get: "real" is the
# configured default float, "complex" the matching complex dtype.
FLOAT_CREATION: dict[str, tuple[Callable[[Any], Any], str]] = {
    "zeros": (lambda xp: xp.zeros((2, 3)), "real"),
    "ones": (lambda xp: xp.ones(3), "real"),
    "empty": (lambda xp: xp.empty((2,)), "real"),
    "full(float fill)": (lambda xp: xp.full((2,), 1.5), "real"),
    "full(complex fill)": (lambda xp: xp.full((2,), 1 + 2j), "complex"),
    "arange(float arguments)": (lambda xp: xp.arange(0.0, 1.0, 0.25), "real"),
    "arange(float stop)": (lambda xp: xp.arange(3.0), "real"),
    "linspace": (lambda xp: xp.linspace(0, 1, 5), "real"),
    "eye": (lambda xp: xp.eye(3), "real"),
    "eye(rows, cols, k)": (lambda xp: xp.eye(2, 3, k=1), "real"),
    "asarray(Python float)": (lambda xp: xp.asarray(1.5), "real"),
    "asarray(list of floats)": (lambda xp: xp.asarray([[1.0, 2.0], [3.0, 4.0]]), "real"),
    "asarray(ints and floats)": (lambda xp: xp.asarray([1, 2.5]), "real"),
    "asarray(complex)": (lambda xp: xp.asarray([1 + 1j, 2.0]), "complex"),
    "zeros_like(list of floats)": (lambda xp: xp.zeros_like([1.0, 2.0]), "real"),
    "ones_like(list of floats)": (lambda xp: xp.ones_like([1.0]), "real"),
    "full_like(list of floats)": (lambda xp: xp.full_like([1.0, 2.0], 3.0), "real"),
}

# Creation that is not floating keeps the framework's (and the standard's) default.
OTHER_CREATION: dict[str, tuple[Callable[[Any], Any], str]] = {
    "arange(ints)": (lambda xp: xp.arange(4), "int64"),
    "full(int fill)": (lambda xp: xp.full((2,), 7), "int64"),
    "full(bool fill)": (lambda xp: xp.full((2,), True), "bool"),
    "asarray(list of ints)": (lambda xp: xp.asarray([1, 2]), "int64"),
    "asarray(list of bools)": (lambda xp: xp.asarray([True, False]), "bool"),
    "zeros(dtype=int32)": (lambda xp: xp.zeros(2, dtype=xp.int32), "int32"),
    "ones(dtype=float32)": (lambda xp: xp.ones(2, dtype=xp.float32), "float32"),
    "linspace(dtype=float32)": (lambda xp: xp.linspace(0, 1, 3, dtype=xp.float32), "float32"),
    "asarray(floats, dtype=float32)": (lambda xp: xp.asarray([1.5], dtype=xp.float32), "float32"),
}


@pytest.fixture(params=registered_backends())
def any_backend(request: pytest.FixtureRequest) -> str:
    """Every registered backend, the JAX and Dask plugins included."""
    require(request.param)
    return request.param  # type: ignore[no-any-return]


# MLX has no complex128: under the float64 default its namespace makes complex64, its only complex
# type, and says so in __array_namespace_info__ (README, "MLX"); unibridge.asarray refuses
# complex128 data by name.
NO_COMPLEX128 = {"mlx"}


def _needs_complex128(backend: str, default_float: str) -> None:
    if backend in NO_COMPLEX128 and default_float == "float64":
        pytest.skip(f"{backend} has no complex128 (its complex default is complex64)")


@pytest.fixture(params=["float64", "float32"])
def default_float(request: pytest.FixtureRequest) -> str:
    ub.configure(default_float=request.param)  # conftest resets it after the test
    return request.param  # type: ignore[no-any-return]


# Where unibridge's default float is the framework's own fixed one, the namespace is the framework's
# module itself (the object array_namespace gives), and a Python-data template is what that module
# makes of it: JAX and array-api-strict take only arrays there, as the Array API says.
OWN_MODULE_AT_FLOAT64 = ("numpy", "dask", "strict", "jax")
ARRAY_TEMPLATES_ONLY = {"jax", "strict"}


def _skip_data_templates_of_own_modules(backend: str, default_float: str, call: str) -> None:
    if "_like(" in call and backend in ARRAY_TEMPLATES_ONLY and default_float == "float64":
        pytest.skip(f"{backend}'s own namespace takes only arrays as templates (the Array API's rule)")


@pytest.mark.parametrize("call", FLOAT_CREATION, ids=str)
def test_creation_without_dtype_gives_the_configured_default_float(
    any_backend: str, default_float: str, call: str
) -> None:
    make, kind = FLOAT_CREATION[call]
    _skip_data_templates_of_own_modules(any_backend, default_float, call)
    if kind != "real":
        _needs_complex128(any_backend, default_float)
    out = make(ub.namespace(any_backend))
    want = default_float if kind == "real" else COMPLEX_OF[default_float]
    assert ub.dtype_of(out) == want, f"{any_backend}: xp.{call} gave {ub.dtype_of(out)}, not {want}"


@pytest.mark.parametrize("call", OTHER_CREATION, ids=str)
def test_integer_bool_and_explicit_dtypes_are_left_alone(any_backend: str, default_float: str, call: str) -> None:
    make, want = OTHER_CREATION[call]
    assert ub.dtype_of(make(ub.namespace(any_backend))) == want


def test_array_templates_keep_their_own_dtype(any_backend: str, default_float: str) -> None:
    xp = ub.namespace(any_backend)
    for dtype in ("float32", "float64", "int32"):
        template = ub.asarray(np.ones(3, dtype=dtype), backend=any_backend)
        for like in (xp.zeros_like(template), xp.ones_like(template), xp.full_like(template, 2)):
            assert ub.dtype_of(like) == dtype


def test_namespace_info_reports_the_configured_default_float(any_backend: str, default_float: str) -> None:
    _needs_complex128(any_backend, default_float)
    xp = ub.namespace(any_backend)
    defaults = xp.__array_namespace_info__().default_dtypes()
    assert ub.dtype_of(xp.zeros(1, dtype=defaults["real floating"])) == default_float
    assert ub.dtype_of(xp.zeros(1, dtype=defaults["complex floating"])) == COMPLEX_OF[default_float]
    assert ub.dtype_of(xp.zeros(1, dtype=defaults["integral"])) == "int64"


def test_other_functions_are_the_frameworks_own_objects(any_backend: str) -> None:
    xp = ub.namespace(any_backend)
    base = unwrap_namespace(xp)
    for name in ("sum", "matmul", "exp", "float32", "linalg", "reshape", "where"):
        assert getattr(xp, name) is getattr(base, name), name
    assert xp.__name__ == base.__name__  # array_api_compat.is_*_namespace(xp) keeps working


def test_namespace_is_cached_per_backend_and_default_float(any_backend: str) -> None:
    assert ub.namespace(any_backend) is ub.namespace(any_backend)
    with ub.use(any_backend):
        assert ub.namespace() is ub.namespace(any_backend)
    ub.configure(default_float="float32")
    assert ub.dtype_of(ub.namespace(any_backend).zeros(1)) == "float32"
    assert ub.namespace(any_backend) is ub.namespace(any_backend)


def test_torch_keeps_its_global_default_dtype() -> None:
    require("torch")
    import torch

    before = torch.get_default_dtype()
    xp = ub.namespace("torch")
    assert xp.zeros(2).dtype == torch.float64
    assert torch.get_default_dtype() is before and torch.zeros(2).dtype is before


def test_backends_agree_on_the_same_xp_code(default_float: str) -> None:
    """One function written against xp gives the same dtypes and values everywhere."""

    def features(xp: Any) -> Any:
        grid = xp.reshape(xp.linspace(0, 1, 9), (3, 3))
        return xp.concat([grid + xp.eye(3), xp.full((1, 3), 0.5), xp.asarray([[1.0, 2.0, 3.0]])])

    reference = features(ub.namespace("numpy"))
    assert ub.dtype_of(reference) == default_float
    for name in registered_backends():
        if not availability(name)[0]:  # a plugin that fails to load is unavailable, not an error
            continue
        out = features(ub.namespace(name))
        assert ub.dtype_of(out) == default_float, name
        np.testing.assert_allclose(ub.to_numpy(out), reference, rtol=1e-6)


def test_array_api_extra_gives_the_same_dtypes_through_every_namespace(any_backend: str, default_float: str) -> None:
    """array-api-extra's one_hot asks the namespace for its default float; its cov of integers
    is float64 (NumPy's rule, which its generic code follows too) on every backend."""
    xpx = pytest.importorskip("array_api_extra", reason="array-api-extra is in the 'test' extra")
    if any_backend == "mlx":
        pytest.skip("array-api-extra reads x.device, which MLX arrays do not have")
    xp = ub.namespace(any_backend)
    labels = ub.asarray(np.array([0, 2, 1]), backend=any_backend)
    assert ub.dtype_of(xpx.one_hot(labels, 3, xp=xp)) == default_float
    counts = ub.asarray(np.array([[1, 2, 4], [2, 4, 7]]), backend=any_backend)
    c = xpx.cov(counts, xp=xp)
    assert ub.dtype_of(c) == "float64"
    np.testing.assert_allclose(ub.to_numpy(c), np.cov(np.array([[1, 2, 4], [2, 4, 7]])), rtol=1e-6)


# -- where the namespace rule comes from -------------------------------------------------------------


def test_the_namespace_rules_name_no_framework() -> None:
    """The default-float rule is the backend's (or the generic one): namespaces.py names no framework."""
    import unibridge.namespaces as namespaces

    source = open(namespaces.__file__, encoding="utf-8").read()
    for framework in ("torch", "tensorflow", "jax", "dask", "array_api_strict", "mlx", "cupy"):
        assert f'"{framework}"' not in source and f"'{framework}'" not in source, framework


def test_a_third_party_backend_gets_the_configured_default_float() -> None:
    """A backend with no rule of its own: its namespace is wrapped in the generic rule."""
    from unibridge.adapters.numpy import NumpyBackend

    class ThirdParty(NumpyBackend):
        name = "thirdparty"

        def namespace(self):  # type: ignore[no-untyped-def]
            import array_api_strict

            return array_api_strict

    require("strict")
    from unibridge.registry import _REGISTRY

    ub.register_backend("thirdparty", ThirdParty)
    try:
        ub.configure(default_float="float32")
        xp = ub.namespace("thirdparty")
        import array_api_strict

        assert xp.zeros(2).dtype == array_api_strict.float32
        assert xp.asarray([1.0, 2j]).dtype == array_api_strict.complex64
        assert xp == array_api_strict and hash(xp) == hash(array_api_strict)
    finally:
        with _REGISTRY.lock:
            _REGISTRY.entries.pop("thirdparty", None)
            _REGISTRY.loaded.pop("thirdparty", None)
            _REGISTRY.changed()


# -- equality: what `is` and `==` mean for namespaces ---------------------------------------------


def test_a_wrapped_namespace_compares_and_hashes_equal_to_the_module_it_wraps(
    any_backend: str, default_float: str
) -> None:
    xp = ub.namespace(any_backend)
    base = unwrap_namespace(xp)
    assert xp == base and base == xp and not (xp != base) and hash(xp) == hash(base)
    assert {xp: 1}[base] == 1  # usable as the same dict key


def test_array_namespace_of_an_array_equals_the_unibridge_namespace(any_backend: str) -> None:
    """Third-party code checks ``array_namespace(x) == xp``: it must accept unibridge's namespaces."""
    compat = pytest.importorskip("array_api_compat")
    if any_backend == "tensorflow":
        pytest.skip("array_api_compat does not know TensorFlow tensors")
    if any_backend == "mlx":
        pytest.skip("array_api_compat answers mlx.core for MLX arrays, and unibridge's MLX namespace is a "
                    "module of its own (it fixes mlx.core's float64 accuracy), not a wrapper of mlx.core")
    xp = ub.namespace(any_backend)
    x = xp.asarray([1.0, 2.0])
    assert compat.array_namespace(x) == xp


def test_the_same_selection_returns_an_equal_namespace_again(any_backend: str, default_float: str) -> None:
    with ub.use(any_backend):
        first = ub.namespace()
        assert ub.namespace() == first and hash(ub.namespace()) == hash(first)
    assert ub.namespace(any_backend) == first


# -- the same code gets the same dtypes ----------------------------------------------------------


@pytest.mark.parametrize("scalar", ["float64", "float32", "int32", "complex64", "bool"])
def test_full_with_a_numpy_scalar_keeps_the_scalars_dtype_and_value(
    any_backend: str, default_float: str, scalar: str
) -> None:
    """``xp.full((2,), np.float64(0.1))`` is float64 everywhere, as NumPy makes it (torch made float32)."""
    value = np.array(0.1 + 0.25j if scalar.startswith("complex") else 3 if scalar == "int32" else 0.1).astype(scalar)[()]
    if any_backend == "strict" and default_float == "float64":
        # array-api-strict's own module (see above) refuses a NumPy scalar fill: loudly, never another dtype.
        with pytest.raises((TypeError, KeyError)):  # its own errors: TypeError, or KeyError for np.float64
            ub.namespace(any_backend).full((2,), value)
        return
    out = ub.namespace(any_backend).full((2,), value)
    assert ub.dtype_of(out) == scalar
    assert ub.to_numpy(out).tolist() == [value.item()] * 2


def test_complex_data_takes_the_complex_default_wherever_the_complex_is(any_backend: str, default_float: str) -> None:
    """A complex after floats (or nested deeper) makes the data complex, as NumPy infers it."""
    _needs_complex128(any_backend, default_float)
    xp = ub.namespace(any_backend)
    want = COMPLEX_OF[default_float]
    for data in ([1.0, 2j], [[1.0, 2.0], [3.0, 4j]], (0.5, 1, 1j)):
        assert ub.dtype_of(xp.asarray(data)) == want, data
    assert ub.dtype_of(xp.full((2,), 1j)) == want
    if not (any_backend in ARRAY_TEMPLATES_ONLY and default_float == "float64"):
        assert ub.dtype_of(xp.zeros_like([1.0, 1j])) == want


@pytest.mark.parametrize("backend", OWN_MODULE_AT_FLOAT64)
def test_a_namespace_whose_default_float_is_the_frameworks_own_is_the_frameworks_module(backend: str) -> None:
    """Third-party code (array-api-extra's tests among it) checks ``array_namespace(x) is xp``."""
    require(backend)
    own = array_api_compat.array_namespace(ub.zeros(2, backend=backend))
    assert ub.namespace(backend) is own
    ub.configure(default_float="float32")  # a wrapper then: equal, not the same object (conftest resets it)
    wrapped = ub.namespace(backend)
    assert wrapped is not own and wrapped == own and hash(wrapped) == hash(own)
    assert ub.dtype_of(wrapped.zeros(2)) == "float32"


_JAX_STRICT = """
import json, warnings
import unibridge as ub
from unibridge.errors import LossyCastError
warnings.simplefilter("error")  # JAX's own narrowing warning would be an error too
xp = ub.namespace("jax")
found = {}
for name, make in [("zeros", lambda: xp.zeros(2)), ("asarray", lambda: xp.asarray([0.5])),
                   ("linspace", lambda: xp.linspace(0, 1, 3)), ("full(complex)", lambda: xp.full((2,), 1j))]:
    try:
        found[name] = str(make().dtype)
    except LossyCastError as exc:
        found[name] = "LossyCastError" if "x64" in str(exc) else str(exc)
found["int32 sum"] = int(xp.sum(xp.asarray([1, 2], dtype=xp.int32)))
ub.configure(default_float="float32")
found["float32 default"] = str(ub.namespace("jax").zeros(2).dtype)
print(json.dumps(found))
"""


def test_the_jax_namespace_refuses_float64_creation_when_strict_x64_is_off() -> None:
    """With ``UNIBRIDGE_JAX_X64=strict`` and x64 off, ``xp.zeros`` raises as ``ub.zeros`` does
    (it gave float32 with only JAX's warning); float32 creation and other functions still work."""
    import json
    import os
    import subprocess
    import sys

    require("jax")
    env = {**os.environ, "UNIBRIDGE_JAX_X64": "strict", "JAX_ENABLE_X64": "0"}
    done = subprocess.run([sys.executable, "-c", _JAX_STRICT], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {
        "zeros": "LossyCastError", "asarray": "LossyCastError", "linspace": "LossyCastError",
        "full(complex)": "LossyCastError", "int32 sum": 3, "float32 default": "float32",
    }


@pytest.mark.parametrize("name", ["numpy", "torch"])
def test_numpy_scalars_in_python_data_keep_their_own_dtype_under_the_float32_default(name: str) -> None:
    """A NumPy float64 scalar is a Python float subclass, but it carries its dtype: not Python data."""
    require(name)
    ub.configure(default_float="float32")
    xp = ub.namespace(name)
    assert ub.dtype_of(xp.asarray(np.float64(0.1))) == "float64"
    assert ub.dtype_of(xp.asarray([np.float64(0.1), np.float64(0.2)])) == "float64"
    assert ub.dtype_of(xp.asarray([0.1, 0.2])) == "float32"  # the Python floats beside them do follow it


def test_wrapped_namespaces_equal_their_module_and_each_other_and_nothing_else() -> None:
    from unibridge.dtypes import float32, float64
    from unibridge.namespaces import with_default_float

    np32, np64 = with_default_float(np, float32), with_default_float(np, float64)
    assert np32 == np64 and np32 == np and not (np32 != np64)
    require("torch")
    import math

    torch32 = with_default_float(unwrap_namespace(ub.namespace("torch")), float32)
    assert np32 != torch32 and not (np32 == torch32) and np32 != math and not (np32 == math)
    assert unwrap_namespace(np32) is np and unwrap_namespace(np) is np


def test_the_default_float_info_passes_the_device_to_the_frameworks_own() -> None:
    """NumPy's info refuses a device it does not know; the wrapped one asks it, so it does too."""
    ub.configure(default_float="float32")  # numpy's namespace wrapped (under float64 it is NumPy's own)
    info = ub.namespace("numpy").__array_namespace_info__()
    with pytest.raises(ValueError, match="Device not understood"):
        info.default_dtypes(device="not a device")
    assert info.default_dtypes(device="cpu")["indexing"] == unwrap_namespace(ub.namespace("numpy")).int64
    assert info.default_dtypes(device="cpu")["real floating"] == np.float32


def test_cov_of_integers_passes_every_argument_on() -> None:
    ub.configure(default_float="float32")
    xp = ub.namespace("numpy")
    m = np.array([[1, 5, 2], [4, 2, 8]])
    np.testing.assert_allclose(xp.cov(m, None, False, bias=True), np.cov(m.astype(np.float64), None, False, bias=True))


# -- the generic rule itself: with_default_float --------------------------------------------------

from unibridge.dtypes import DType  # noqa: E402
from unibridge.namespaces import DefaultFloatNamespace, with_default_float  # noqa: E402

F32, F64 = DType("float32"), DType("float64")


def test_a_check_is_asked_before_each_creation_that_uses_the_default_float_and_only_then() -> None:
    asked: list[str] = []
    ns = with_default_float(np, F32, check=lambda dt: asked.append(dt.name))
    ns.zeros(2), ns.asarray([1.0, 2j]), ns.linspace(0.0, 1.0, 3), ns.zeros(2, dtype=np.int8), ns.asarray([1, 2])
    assert asked == ["float32", "complex64", "float32"]


def test_a_check_that_refuses_stops_the_creation() -> None:
    def refuse(dt: DType) -> None:
        raise ub.LossyCastError(f"{dt.name} is not allowed here")

    ns = with_default_float(np, F64, check=refuse)
    with pytest.raises(ub.LossyCastError, match="complex128 is not allowed"):
        ns.full((2,), 1j)
    assert ns.arange(3).dtype == np.int64  # integer creation asks nothing


def test_wrappers_are_kept_per_module_and_default_float_with_the_check_last_asked_for() -> None:
    def first(dt: DType) -> None:
        return None

    def second(dt: DType) -> None:
        return None

    checked = with_default_float(np, F32, check=first)
    assert with_default_float(np, F32, check=first) is checked and checked.__dict__["_check"] is first
    other = with_default_float(np, F32, check=second)
    assert other is not checked and other.__dict__["_check"] is second
    plain = with_default_float(np, F32)
    assert plain.__dict__["_check"] is None and with_default_float(np, F32) is plain
    assert with_default_float(np, F64) is not plain and with_default_float(np, F64).default_float == F64
    if availability("torch")[0]:
        with_default_float(unwrap_namespace(ub.namespace("torch")), F32)  # another module between
    assert with_default_float(np, F32) is plain


def test_only_an_unchecked_wrapper_says_its_zeros_ones_and_empty_just_fill_the_default_float() -> None:
    import array_api_compat.numpy as npx

    plain = with_default_float(npx, F32)
    assert plain.zeros.fills_default_float == (npx.zeros, npx.float32)
    assert plain.ones.fills_default_float == (npx.ones, npx.float32)
    checked = with_default_float(npx, F32, check=lambda dt: None)
    assert not hasattr(checked.zeros, "fills_default_float") and not hasattr(checked.empty, "fills_default_float")


def test_a_wrapper_looks_like_its_module_and_its_functions_like_the_modules() -> None:
    import array_api_compat.numpy as npx

    ns = with_default_float(npx, F32)
    assert isinstance(ns, DefaultFloatNamespace) and ns.__name__ == npx.__name__
    assert with_default_float(np, F32).__doc__ == np.__doc__  # (array-api-compat's numpy has none)
    assert ns.default_float == F32 and repr(ns) == f"<namespace {npx.__name__!r} with default float float32>"
    for name in ("zeros", "asarray", "full_like", "linspace"):
        assert getattr(ns, name).__module__ == npx.__name__ and getattr(ns, name).__doc__ == getattr(npx, name).__doc__
    assert {"zeros", "sum", "linalg"} <= set(dir(ns))
    info = ns.__array_namespace_info__()
    assert info.devices() == npx.__array_namespace_info__().devices()  # everything else is the module's


def test_a_namespace_without_float64_isdtype_or_info_is_wrapped_with_what_it_has() -> None:
    import types

    bare = types.ModuleType("bare_namespace")
    bare.float32, bare.complex64 = np.float32, np.complex64  # type: ignore[attr-defined]
    bare.zeros = lambda shape, dtype=None: np.zeros(shape, dtype)  # type: ignore[attr-defined]
    bare.full = lambda shape, fill, dtype=None: np.full(shape, fill, dtype)  # type: ignore[attr-defined]
    bare.cov = np.cov  # type: ignore[attr-defined]
    ns = with_default_float(bare, F32)
    assert ns.zeros(2).dtype == np.float32
    assert not hasattr(ns, "ones") and not hasattr(ns, "__array_namespace_info__")
    assert ns.cov is np.cov  # without isdtype and float64 its cov cannot be made to follow NumPy
    made = ns.full((2,), np.float16(0.5))  # no float16 here: the value, in the module's own default
    assert made.dtype == np.float64 and made.tolist() == [0.5, 0.5]
    with_isdtype = types.ModuleType("bare_with_isdtype")
    with_isdtype.__dict__.update({k: v for k, v in vars(bare).items() if not k.startswith("__")})
    with_isdtype.isdtype = np.isdtype  # type: ignore[attr-defined]
    assert with_default_float(with_isdtype, F32).cov is np.cov  # isdtype, but still no float64


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "eye", "full", "arange", "linspace", "asarray",
                                  "zeros_like", "ones_like", "empty_like", "full_like"])
def test_every_wrapped_creation_passes_keywords_and_a_given_dtype_on(name: str) -> None:
    require("torch")
    xp = ub.namespace("torch")
    make = {
        "zeros": lambda **kw: xp.zeros(2, **kw), "ones": lambda **kw: xp.ones(2, **kw),
        "empty": lambda **kw: xp.empty(2, **kw), "eye": lambda **kw: xp.eye(2, **kw),
        "full": lambda **kw: xp.full((2,), 1.5, **kw), "arange": lambda **kw: xp.arange(0.0, 2.0, **kw),
        "linspace": lambda **kw: xp.linspace(0.0, 1.0, 3, **kw), "asarray": lambda **kw: xp.asarray([1.0], **kw),
        "zeros_like": lambda **kw: xp.zeros_like([1.0], **kw), "ones_like": lambda **kw: xp.ones_like([1.0], **kw),
        "empty_like": lambda **kw: xp.empty_like([1.0], **kw), "full_like": lambda **kw: xp.full_like([1.0], 2.0, **kw),
    }[name]
    assert make(device="meta").device.type == "meta"
    assert ub.dtype_of(make(dtype=xp.float16)) == "float16"


def test_eye_arange_and_linspace_take_every_argument() -> None:
    ub.configure(default_float="float32")  # numpy's namespace wrapped (under float64 it is NumPy's own)
    xp = ub.namespace("numpy")
    np.testing.assert_array_equal(xp.eye(2, 3, k=1), np.eye(2, 3, k=1))
    np.testing.assert_array_equal(xp.eye(3), np.eye(3))
    for args in [(5,), (2, 7), (0, 10, 3), (5.0,), (1.0, 2.0, 0.25)]:
        np.testing.assert_array_equal(xp.arange(*args), np.arange(*args))
    assert xp.linspace(0, 1j, 3).dtype == np.complex64 and xp.linspace(0, 1, 3).dtype == np.float32
    assert xp.linspace(0.0, 1.0, 3).tolist() == [0.0, 0.5, 1.0]
