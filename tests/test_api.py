"""The public API's documented behaviours, one test each, over every backend."""

from __future__ import annotations

from fractions import Fraction

import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.devices import CPU
from _backends import require


def test_asarray_keeps_dtype_exactly_on_every_backend(backend: str) -> None:
    for dtype in ("float64", "int64", "uint64", "float16", "complex128", "bool", "uint8"):
        x = ub.asarray(np.zeros(3, dtype=dtype), backend=backend)
        assert ub.dtype_of(x) == dtype


PYTHON_DATA = [
    (1, "int64"), (1.5, "float64"), (True, "bool"), (1j, "complex128"), ([1, 2.0], "float64"),
    ([[1, 2], [3, 4]], "int64"), ([True, False], "bool"), ([2**63], "uint64"), ([], "float64"),
]


@pytest.mark.parametrize("value,dtype", PYTHON_DATA, ids=[repr(v) for v, _ in PYTHON_DATA])
def test_python_data_is_inferred_like_numpy_on_every_backend(backend: str, value: object, dtype: str) -> None:
    x = ub.asarray(value, backend=backend)
    assert ub.dtype_of(x) == dtype == str(np.asarray(value).dtype)


@pytest.mark.parametrize(
    "bad,fragment",
    [
        ([[1, 2], [3]], "ragged"),
        (np.array(["a", "b"]), "str"),
        (np.array([1, "a"], dtype=object), "object"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime"),
        (np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]), "structured"),
        ((i for i in range(3)), r"list\(it\)"),
        ([2**70], "too large"),
        ("text", "str"),
    ],
)
def test_unsupported_inputs_raise_naming_the_type_and_dtype(backend: str, bad: object, fragment: str) -> None:
    with pytest.raises(ub.UnsupportedInputError, match=fragment):
        ub.asarray(bad, backend=backend)


def test_copy_none_shares_a_safe_numpy_array(backend: str) -> None:
    from unibridge._memory import aligned_copy

    a = aligned_copy(np.arange(6.0))
    x = ub.asarray(a, backend=backend)
    assert ub.shares_memory(a, x)
    a[0] = 42.0
    assert ub.to_numpy(x)[0] == 42.0


@pytest.mark.parametrize(
    "make,reason",
    [
        (lambda a: a[::-1], "negative strides"),
        (lambda a: a.astype(">f8"), "byte order"),
        (lambda a: _readonly(a), "read-only"),
    ],
)
def test_copy_false_raises_saying_why(make: object, reason: str) -> None:
    require("torch")
    a = make(np.arange(8.0))  # type: ignore[operator]
    with pytest.raises(ub.CopyRequiredError, match=reason):
        ub.asarray(a, backend="torch", copy=False)
    x = ub.asarray(a, backend="torch")  # copy=None copies instead
    assert not ub.shares_memory(a, x) and np.array_equal(ub.to_numpy(x), a)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    a.flags.writeable = False
    return a


def test_read_only_arrays_never_become_writable_tensors() -> None:
    require("torch")
    a = _readonly(np.arange(4.0))
    t = ub.asarray(a, backend="torch")
    t[0] = 99.0
    assert a[0] == 0.0


def test_copy_true_always_gives_independent_memory(backend: str) -> None:
    a = np.arange(4.0)
    x = ub.asarray(a, backend=backend, copy=True)
    assert not ub.shares_memory(a, x)
    y = ub.asarray(x, backend=backend, copy=True)
    assert not ub.shares_memory(x, y)


def test_copy_false_with_a_dtype_change_raises(backend: str) -> None:
    with pytest.raises(ub.CopyRequiredError, match="float64 -> float32"):
        ub.asarray(np.arange(3.0), dtype="float32", copy=False, backend=backend)


def test_copy_false_with_python_data_raises(backend: str) -> None:
    with pytest.raises(ub.CopyRequiredError, match="no array memory"):
        ub.asarray([1.0, 2.0], copy=False, backend=backend)


def test_zeros_uses_the_default_float_and_fresh_memory(backend: str) -> None:
    z = ub.zeros((2, 3), backend=backend)
    assert ub.dtype_of(z) == "float64" and tuple(z.shape) == (2, 3)
    assert not ub.to_numpy(z).any()
    assert ub.dtype_of(ub.zeros(4, dtype="int8", backend=backend)) == "int8"
    with pytest.raises(ValueError, match="negative"):
        ub.zeros((-1, 2), backend=backend)


@pytest.mark.parametrize("template_backend", ["numpy", "torch", "tensorflow"])
def test_zeros_like_takes_shape_and_dtype_from_any_framework_and_never_aliases(
    backend: str, template_backend: str
) -> None:
    require(template_backend)
    template = ub.asarray(np.ones((2, 3), dtype=np.int32), backend=template_backend)
    with ub.use(backend):
        z = ub.zeros_like(template)
    assert ub.get_backend(backend).is_array(z)
    assert ub.dtype_of(z) == "int32" and tuple(z.shape) == (2, 3)
    assert not ub.shares_memory(z, template) and not ub.to_numpy(z).any()
    assert ub.dtype_of(ub.zeros_like(template, dtype="float32", backend=backend)) == "float32"


def test_to_numpy_handles_tensors_that_require_grad() -> None:
    require("torch")
    import torch

    t = torch.arange(3.0, requires_grad=True)
    a = ub.to_numpy(t)
    assert a.tolist() == [0.0, 1.0, 2.0] and ub.shares_memory(a, t)
    assert not ub.shares_memory(ub.to_numpy(t, copy=True), t)
    assert ub.dtype_of(ub.asarray(t, backend="numpy")) == "float32"


def test_to_numpy_of_tensorflow_is_a_read_only_view() -> None:
    require("tensorflow")
    import tensorflow as tf

    t = tf.constant([1.0, 2.0])
    view = ub.to_numpy(t)
    assert not view.flags.writeable and ub.shares_memory(view, t)
    assert ub.to_numpy(t, copy=True).flags.writeable


def test_tensorflow_to_torch_copies_because_torch_has_no_read_only_tensors() -> None:
    require("tensorflow")
    require("torch")
    import tensorflow as tf

    t = tf.constant([1.0, 2.0])
    pt = ub.asarray(t, backend="torch")
    assert not ub.shares_memory(t, pt)
    with pytest.raises(ub.CopyRequiredError, match="read-only"):
        ub.asarray(t, backend="torch", copy=False)


def test_torch_to_tensorflow_and_back_to_numpy_is_zero_copy() -> None:
    require("tensorflow")
    require("torch")
    import torch

    t = torch.arange(16.0)  # torch's allocator is 64-byte aligned
    tf_t = ub.asarray(t, backend="tensorflow", copy=False)
    n = ub.asarray(tf_t, backend="numpy", copy=False)
    assert ub.shares_memory(t, tf_t) and ub.shares_memory(tf_t, n) and ub.shares_memory(t, n)


def test_bfloat16_converts_zero_copy_to_torch_and_back() -> None:
    require("torch")
    ml_dtypes = pytest.importorskip("ml_dtypes")
    a = np.array([1.0, -2.5, 3.0e38], dtype=ml_dtypes.bfloat16)
    t = ub.asarray(a, backend="torch", copy=False)
    assert str(t.dtype) == "torch.bfloat16" and ub.shares_memory(a, t)
    back = ub.to_numpy(t, copy=False)
    assert back.dtype == a.dtype and ub.shares_memory(back, a)


def test_to_device_within_the_framework(backend: str) -> None:
    x = ub.asarray(np.arange(3.0), backend=backend)
    assert ub.to_device(x, "cpu") is x
    y = ub.to_device(x, "cpu", copy=True)
    assert not ub.shares_memory(x, y)
    with pytest.raises(ub.DeviceUnavailableError):
        ub.to_device(x, "gpu:9")
    with pytest.raises(ub.UnsupportedInputError, match="asarray"):
        ub.to_device([1, 2], "cpu")


def test_shares_memory_counts_views_and_rejects_disjoint_ranges() -> None:
    a = np.arange(10)
    assert ub.shares_memory(a, a[::2]) and ub.shares_memory(a[::2], a[4:])
    assert not ub.shares_memory(a[::2], a[1::2])  # interleaved but disjoint
    assert not ub.shares_memory(a, np.arange(10)) and not ub.shares_memory(a, [1, 2])
    assert ub.shares_memory(memoryview(a), a)


class _DeviceMemory:
    """An array of a pretend accelerator: nothing but a byte range of device memory."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi


@pytest.fixture
def device_spans(throwaway_backends: Callable[..., Any]) -> None:
    """A throwaway backend whose arrays are byte ranges on ``gpu:0``: ``shares_memory`` can only
    answer from their ``memory_span`` (the path every GPU array takes), never from a NumPy view."""
    from unibridge.adapters.numpy import NumpyBackend

    gpu = ub.Device("gpu", 0)

    class DeviceSpans(NumpyBackend):
        name = "devicespans"
        array_modules = (_DeviceMemory.__module__.partition(".")[0],)

        def is_array(self, x: Any) -> bool:
            return isinstance(x, _DeviceMemory)

        def devices(self) -> list[ub.Device]:
            return [CPU, gpu]

        def device_of(self, x: Any) -> ub.Device:
            return gpu

        def memory_span(self, x: Any) -> tuple[ub.Device, int, int]:
            return gpu, x.lo, x.hi

        def numpy_view_fast_path(self) -> None:
            return None

    throwaway_backends(DeviceSpans)


def test_adjacent_device_memory_ranges_do_not_share(device_spans: None) -> None:
    # [1000, 1008) and [1008, 1016): the first byte past one range is the other's first byte.
    a, b = _DeviceMemory(1000, 1008), _DeviceMemory(1008, 1016)
    assert not ub.shares_memory(a, b) and not ub.shares_memory(b, a)


def test_device_memory_ranges_overlapping_by_one_byte_share(device_spans: None) -> None:
    # One uint8 element in common, at either end.
    a, b = _DeviceMemory(1000, 1008), _DeviceMemory(1007, 1016)
    assert ub.shares_memory(a, b) and ub.shares_memory(b, a)
    assert ub.shares_memory(a, _DeviceMemory(999, 1001)) and ub.shares_memory(_DeviceMemory(999, 1001), a)
    assert ub.shares_memory(a, _DeviceMemory(1000, 1008))


def test_shares_memory_sees_from_numpy_and_dlpack_imports() -> None:
    require("torch")
    import torch

    a = np.arange(6.0)
    assert ub.shares_memory(a, torch.from_numpy(a))
    assert ub.shares_memory(torch.from_dlpack(a), a)
    assert not ub.shares_memory(a, torch.tensor(a))


def test_dtype_of_and_device_of_are_framework_neutral(backend: str) -> None:
    for name in ("bfloat16", "float16"):  # ml_dtypes gives NumPy its bfloat16 (a test dependency)
        x = ub.zeros(2, dtype=name, backend=backend)
        assert isinstance(ub.dtype_of(x), ub.DType) and ub.dtype_of(x) == name
    assert ub.device_of(x) == "cpu" and str(ub.device_of(x)) == "cpu"
    assert ub.dtype_of([1.0]) == "float64" and ub.device_of([1.0]) == "cpu"


def test_namespace_works_on_the_backends_arrays(backend: str) -> None:
    xp = ub.namespace(backend)
    x = ub.asarray(np.arange(4.0), backend=backend)
    assert float(xp.sum(x)) == 6.0
    with ub.use(backend):
        assert ub.namespace() is xp


def test_unknown_backend_argument_raises() -> None:
    with pytest.raises(ub.BackendNotFoundError, match="registered"):
        ub.asarray([1], backend="nope")


def test_float64_to_float16_within_a_framework_is_rounded_once(backend: str) -> None:
    # torch, TensorFlow and JAX cast float64 -> float16 through float32: 65519.99999999999 became
    # inf (a silent overflow under same_kind) and 1 + 2**-11 + 2**-52 became 1.0 (wrongly rounded).
    x = ub.asarray(np.array([65519.99999999999, 1 + 2**-11 + 2**-52]), backend=backend)
    out = ub.to_numpy(ub.asarray(x, dtype="float16", backend=backend))
    assert out.tolist() == [65504.0, 1.0009765625]
    with pytest.raises(ub.LossyCastError, match="infinite"):
        ub.asarray(ub.asarray(np.array([65520.0]), backend=backend), dtype="float16", backend=backend)


def test_float64_to_bfloat16_within_a_framework_is_rounded_once(backend: str) -> None:
    # torch and TensorFlow cast float64 -> bfloat16 through float32: the float64 just below the
    # midpoint of bfloat16's largest value and 2**128 rounded up to that midpoint in float32, then
    # (ties to even) to inf, a silent overflow under same_kind. Oracle: exact rounding by Fraction.
    pytest.importorskip("ml_dtypes", reason="bfloat16 on NumPy needs ml_dtypes")
    largest, top = Fraction(2**128 - 2**120), Fraction(2**128)
    below_half = float(np.nextafter((2.0**128 - 2.0**119), 0.0))
    assert largest < Fraction(below_half) < (largest + top) / 2  # so one rounding gives `largest`
    x = ub.asarray(np.array([below_half, -below_half]), backend=backend)
    out = ub.to_numpy(ub.asarray(x, dtype="bfloat16", backend=backend)).astype(np.float64)
    assert [Fraction(v) for v in out.tolist()] == [largest, -largest]
    with pytest.raises(ub.LossyCastError, match="infinite"):
        ub.asarray(ub.asarray(np.array([2.0**128 - 2.0**119]), backend=backend), dtype="bfloat16", backend=backend)


@pytest.mark.parametrize("template", [[[1.5, 2.5]], [[1, 2]], [[1 + 2j, 0j]], [0.5]], ids=repr)
def test_zeros_like_python_data_takes_the_dtype_asarray_would_give_it(backend: str, template: Any) -> None:
    for default_float in ("float64", "float32"):
        ub.configure(default_float=default_float)
        z = ub.zeros_like(template, backend=backend)
        want = ub.asarray(template, backend=backend)
        assert ub.get_backend(backend).is_array(z), type(z)
        assert ub.dtype_of(z) == ub.dtype_of(want) and ub.get_backend(backend).shape_of(z) == np.shape(template)
        assert not ub.to_numpy(z).any()
    ub.configure(default_float="float32")
    assert ub.dtype_of(ub.zeros_like(0.5, backend=backend)) == "float32"
    with ub.use(backend):
        assert ub.get_backend(backend).is_array(ub.zeros_like([1, 2]))  # backend=None: the selection's


def test_zeros_goes_to_the_backend_asked_for_not_the_selections(backend: str) -> None:
    with ub.use("numpy"):
        z = ub.zeros((2, 3), dtype="int16", backend=backend)
    assert ub.get_backend(backend).is_array(z) and ub.dtype_of(z) == "int16"
    assert ub.get_backend(backend).shape_of(z) == (2, 3)


def test_shapes_are_checked_before_anything_is_allocated() -> None:
    import sys

    assert ub.zeros(0).shape == (0,) and ub.zeros((2, 0)).shape == (2, 0) and ub.zeros(()).shape == ()
    with pytest.raises(ub.ConfigurationError, match=r"^shape must be an int or a sequence of ints, got 'x'$"):
        ub.zeros("x")
    with pytest.raises(ub.ConfigurationError, match=r"^shape must not have negative dimensions, got \(2, -1\)$"):
        ub.zeros((2, -1))
    too_big = (2**32, 2**31)  # 2**63 elements: one more than sys.maxsize
    with pytest.raises(ub.ConfigurationError, match=rf"^shape {re.escape(str(too_big))} has {2**63} elements, more"):
        ub.zeros(too_big, dtype="bool")
    from unibridge.engine import _shape_tuple

    assert _shape_tuple((sys.maxsize,)) == (sys.maxsize,)  # exactly the most an array can hold: accepted
    assert _shape_tuple((3, 1)) == (3, 1) and _shape_tuple(4) == (4,)


def test_to_device_needs_an_array_and_a_valid_copy_mode(backend: str) -> None:
    with pytest.raises(ub.UnsupportedInputError, match=r"^to_device needs an array of a registered backend, got list;"):
        ub.to_device([1.0], "cpu")
    x = ub.asarray([1.0], backend=backend)
    with pytest.raises(ub.ConfigurationError, match="copy='yes' is not one of None, True, False"):
        ub.to_device(x, "cpu", copy="yes")  # type: ignore[arg-type]
    assert ub.get_backend(backend).is_array(ub.to_device(x, "cpu", copy=True))
